"""``cityhub programme targets`` (load-goals, add, list, show, record, refresh) and
``cityhub programme warnings``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from cityhub import catalog
from cityhub.auth import Actor
from cityhub.cli.programme_targets import targets_app, warnings
from cityhub.config import get_settings
from cityhub.db import Database
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from tests.cli.shell import invoke, invoke_json, platform_env

INVALID, NOT_FOUND, CONFLICT = 65, 66, 73
warnings_app = typer.Typer()
warnings_app.command("warnings")(warnings)
warnings_app.command("unused", hidden=True)(lambda: None)  # keeps "warnings" a subcommand


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield from platform_env(database_url, tmp_path, monkeypatch)


def run(*args: str, app: typer.Typer = targets_app) -> tuple[int, str]:
    return invoke(app, *args)


def as_json(*args: str, app: typer.Typer = targets_app) -> Any:
    return invoke_json(app, *args)


ADD = (
    "add",
    "SLJ-SITES",
    "--name-zh",
    "水利感知站点",
    "--name-en",
    "Water sensing sites",
    "--unit-zh",
    "个",
    "--unit-en",
    "sites",
    "--target",
    "100",
    "--deadline",
    "2022-12-31",
    "--owner",
    "SLJ",
    "--task",
    "4",
)


def test_goals_add_record_show_list(env: None) -> None:
    # The first start loads the tasks and the 十百千 targets (cityhub.programme.setup).
    assert [t["code"] for t in as_json("list")] == ["SBQ-PARKS", "SBQ-PROJECTS", "SBQ-TALENT"]
    assert run("load-goals") == (0, "the goal targets were there already\n")
    assert run(*ADD) == (0, "added SLJ-SITES (manual)\n")
    assert run(*ADD)[0] == CONFLICT
    assert run("record", "SLJ-SITES", "25", "--on", "2020-12-31") == (
        0,
        "SLJ-SITES: 25 recorded, progress 25%\n",
    )
    assert run("record", "SLJ-SITES", "25", "--on", "31/12/2020")[0] == INVALID
    assert run("record", "NONE", "1")[0] == NOT_FOUND
    shown = as_json("show", "SLJ-SITES")
    assert shown["values"] == [
        {"measured_on": "2020-12-31", "value": 25.0, "source": "manual", "source_ref": None}
    ]
    code, output = run("show", "SLJ-SITES")
    assert code == 0 and "2020-12-31" in output and "水利感知站点" in output
    code, output = run("list")
    assert code == 0 and "SBQ-PARKS" in output and "25%" in output
    assert [t["code"] for t in as_json("list")] == [
        "SBQ-PARKS",
        "SBQ-PROJECTS",
        "SBQ-TALENT",
        "SLJ-SITES",
    ]


def test_refresh_reports_changes_and_failures(env: None, tmp_path: Path) -> None:
    settings = get_settings()
    db = Database(settings.database_url_effective)
    run("list")  # migrates and bootstraps
    catalog.create_dataset(
        db, Actor.system(), catalog.DatasetSpec(name="stations", title="水文测站", department="SLJ")
    )
    pool = Pool(db, settings)
    path = tmp_path / "stations.csv"
    path.write_text("站码\n1\n2\n", encoding="utf-8")
    ingest(db, Actor.system(), pool.warehouse, dataset="stations", path=path, file_name="s.csv")
    pool.close()
    db.dispose()
    assert run(*ADD, "--sql", 'SELECT count(*) FROM "stations"')[0] == 0
    goals = ["SBQ-PARKS", "SBQ-PROJECTS", "SBQ-TALENT"]
    assert as_json("refresh") == {"changed": [*goals, "SLJ-SITES"], "unchanged": [], "failed": {}}
    assert run("refresh") == (0, "0 changed, 4 unchanged, 0 failed\n")
    assert run("add", "BROKEN", *ADD[2:], "--sql", 'SELECT x FROM "nowhere"')[0] == 0
    code, output = run("refresh")
    assert code == 1 and "1 failed" in output and "target BROKEN:" in output


def test_warnings(env: None) -> None:
    run(*ADD)
    found = as_json("warnings", "--on", "2021-01-05", "--department", "SLJ", app=warnings_app)
    assert {w["kind"] for w in found} == {"behind_path", "report_overdue"}
    code, output = run("warnings", "--on", "2021-01-05", "--lang", "en", app=warnings_app)
    assert code == 0 and "JTYSJ" in output and "milestone_overdue" in output and "behind" in output
    assert run("warnings", "--on", "2019-01-01", app=warnings_app) == (0, "no warnings\n")
