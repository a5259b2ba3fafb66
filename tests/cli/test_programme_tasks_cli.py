"""``cityhub programme tasks``: load, list, show, edit, milestone-add, milestone-done."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.cli.programme_tasks import tasks_app
from cityhub.db import Database
from tests.cli.shell import invoke, invoke_json, platform_env

INVALID, NOT_FOUND, CONFLICT = 65, 66, 73


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield from platform_env(database_url, tmp_path, monkeypatch)


def run(*args: str) -> tuple[int, str]:
    return invoke(tasks_app, *args)


def as_json(*args: str) -> Any:
    return invoke_json(tasks_app, *args)


def test_load_is_idempotent(env: None) -> None:
    # The platform's first start (open_platform) loads them; `load` then finds them there.
    assert run("load") == (0, "the tasks were loaded already\n")
    code, output = run("list")
    assert code == 0 and "夯实新一代信息基础设施" in output and "JTYSJ" in output
    assert [t["number"] for t in as_json("list")] == list(range(1, 20))


def test_show_edit_and_milestones(env: None, database_url: str) -> None:
    run("load")
    shown = as_json("show", "18")
    assert shown["units"] == ["JRJGJ", "KJJ", "DSJJ", "YBJFJ", "SWUJ", "RMYH"]
    code, output = run("show", "18")
    assert code == 0 and "减半征收" in output

    code, output = run("edit", "18", "--report-period", "monthly", "--lead", "SWUJ")
    assert code == 0 and "lead SWUJ" in output and "reports monthly" in output
    assert as_json("show", "18")["units"][:2] == ["SWUJ", "JRJGJ"]

    code, output = run(
        "milestone-add",
        "18",
        "--title",
        "银税互动平台上线",
        "--owner",
        "SWUJ",
        "--due",
        "2020-10-31",
    )
    assert code == 0, output
    milestone_id = output.split()[1]
    code, output = run("milestone-done", milestone_id, "--on", "2020-10-20")
    assert code == 0 and "done on 2020-10-20" in output
    done = [m for m in as_json("show", "18")["milestones"] if m["origin"] == "admin"]
    assert done[0]["done_on"] == "2020-10-20"

    db = Database(database_url)
    with db.reading() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    db.dispose()
    assert {"programme.task.update", "programme.milestone.add", "programme.milestone.complete"} <= (
        actions
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("show", "20"), NOT_FOUND),
        (("edit", "1", "--report-period", "weekly"), INVALID),
        (("edit", "1", "--unit", "NOPE"), INVALID),
        (("milestone-add", "1", "--title", "x", "--owner", "DSJJ", "--due", "soon"), INVALID),
        (("milestone-done", "999"), NOT_FOUND),
    ],
)
def test_errors_become_exit_codes(env: None, args: tuple[str, ...], code: int) -> None:
    run("load")
    assert run(*args)[0] == code
