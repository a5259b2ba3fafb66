"""``cityhub programme reports``: submit (text file, CODE=VALUE figures, attachments), list,
show, overdue, reminders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cityhub.cli.context import open_platform
from cityhub.cli.programme_reports import parse_figure, reports_app
from cityhub.config import get_settings
from cityhub.errors import InvalidInput
from tests.cli.shell import invoke, invoke_json, platform_env
from tests.programme.test_reports import seed_reports

INVALID, NOT_FOUND, CONFLICT = 65, 66, 73


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for _ in platform_env(database_url, tmp_path, monkeypatch):
        with open_platform(get_settings()) as db:
            seed_reports(db)
        yield


def run(*args: str) -> tuple[int, str]:
    return invoke(reports_app, *args)


def as_json(*args: str) -> Any:
    return invoke_json(reports_app, *args)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "report.txt"
    text.write_text("本季度新建水位监测站 12 个。\n", encoding="utf-8")
    photo = tmp_path / "站点照片.png"
    photo.write_bytes(b"\x89PNG fake")
    return {"text": text, "photo": photo}


def submit(files: dict[str, Path], *extra: str) -> Any:
    return as_json(
        "submit", "4", "2021-Q3", "--text-file", str(files["text"]), "--department", "SLJ", *extra
    )


def test_submit_list_show(env: None, files: dict[str, Path]) -> None:
    report = submit(files, "--figure", "T4-STATIONS=12", "--attach", str(files["photo"]))
    assert report["text"] == "本季度新建水位监测站 12 个。"
    assert report["submitted_by"] == "system" and report["department"] == "SLJ"
    assert report["figures"][0]["target"] == "T4-STATIONS" and report["figures"][0]["value"] == 12
    assert report["attachments"][0]["filename"] == "站点照片.png"
    assert report["attachments"][0]["media_type"] == "image/png"
    assert [r["id"] for r in as_json("list", "--task", "4")] == [report["id"]]
    assert as_json("list", "--department", "NYNCJ") == []
    code, shown = run("show", str(report["id"]))
    assert code == 0 and "T4-STATIONS = 12" in shown and "站点照片.png" in shown


def test_a_second_submission_must_correct(env: None, files: dict[str, Path]) -> None:
    first = submit(files)
    code, message = run(
        "submit", "4", "2021-Q3", "--text-file", str(files["text"]), "--department", "SLJ"
    )
    assert code == CONFLICT and f"report {first['id']}" in message
    fixed = submit(files, "--corrects", str(first["id"]))
    assert fixed["chain"] == [first["id"], fixed["id"]]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--figure", "T4-STATIONS"), INVALID),
        (("--figure", "NOPE=1"), INVALID),
        (("--attach", "/no/such/file"), INVALID),
        (("--corrects", "99"), NOT_FOUND),
    ],
)
def test_bad_submissions(
    env: None, files: dict[str, Path], args: tuple[str, ...], expected: int
) -> None:
    code, _ = run(
        "submit", "4", "2021-Q3", "--text-file", str(files["text"]), "--department", "SLJ", *args
    )
    assert code == expected


@pytest.mark.parametrize(
    ("text", "parsed"), [("A=1", ("A", 1.0)), (" SBQ-PARKS = 2.5", ("SBQ-PARKS", 2.5))]
)
def test_figures_are_code_equals_value(text: str, parsed: tuple[str, float]) -> None:
    assert parse_figure(text) == parsed


@pytest.mark.parametrize("text", ["A", "=1", "A=x", "A="])
def test_bad_figures_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_figure(text)


def test_overdue_and_reminders(env: None, files: dict[str, Path]) -> None:
    overdue = as_json("overdue", "--on", "2020-10-11", "--department", "SLJ")
    assert [(o["period"], o["days_overdue"]) for o in overdue] == [("2020-Q2", 93), ("2020-Q3", 1)]
    reminders = as_json("reminders", "--on", "2020-10-06", "--department", "SLJ")
    assert [(r["period"], r["days_left"]) for r in reminders] == [("2020-Q3", 4)]
    code, table = run("overdue", "--on", "2020-10-11", "--department", "SLJ")
    assert code == 0 and "2020-Q2" in table
    assert run("overdue", "--on", "yesterday")[0] == INVALID
