"""``cityhub programme cockpit``: show the cockpit, write the report as Excel or PDF."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from cityhub.audit.models import AuditEvent
from cityhub.cli.programme_cockpit import cockpit_app
from cityhub.config import Settings, get_settings
from cityhub.db import Database
from tests.conftest import ADMIN_PASSWORD
from tests.programme.test_cockpit import ON_DAY, WATER, seed_programme

ON = ON_DAY.isoformat()


@pytest.fixture
def env(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    db: Database,
    settings: Settings,
) -> Iterator[Database]:
    seed_programme(db, settings)
    for key, value in {
        "CITYHUB_DATA_DIR": str(tmp_path),
        "CITYHUB_DATABASE_URL": database_url,
        "CITYHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cockpit_app, list(args), env={"COLUMNS": "200"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_show_prints_the_goals_and_the_warnings(env: Database) -> None:
    code, output = run("show", "--on", ON)
    assert code == 0, output
    assert "数字经济项目" in output and WATER.code in output and "lagging" in output
    code, output = run("show", "--on", ON, "--json")
    assert code == 0, output
    body = json.loads(output)
    assert body["on"] == ON
    assert [g["code"] for g in body["goals"]] == ["SBQ-PARKS", "SBQ-PROJECTS", "SBQ-TALENT"]


@pytest.mark.parametrize(("fmt", "magic"), [("xlsx", b"PK\x03\x04"), ("pdf", b"%PDF-")])
def test_briefing_writes_the_file(env: Database, tmp_path: Path, fmt: str, magic: bytes) -> None:
    out = tmp_path / f"briefing.{fmt}"
    code, output = run("briefing", "--on", ON, "--format", fmt, "--out", str(out))
    assert code == 0, output
    assert out.read_bytes().startswith(magic)
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(out.read_bytes()))
        assert book["概览"]["B4"].value.date() == ON_DAY
    with env.reading() as session:
        action = session.scalar(
            select(AuditEvent.action).where(AuditEvent.action == "programme.briefing.export")
        )
    assert action == "programme.briefing.export"


@pytest.mark.parametrize(
    "args",
    [
        ("briefing", "--on", ON, "--format", "docx", "--out", "x.docx"),
        ("briefing", "--on", "30/06/2021", "--out", "x.pdf"),
        ("show", "--on", "2021-02-30"),
    ],
)
def test_bad_options_are_usage_errors(env: Database, args: tuple[str, ...]) -> None:
    code, _ = run(*args)
    assert code == 2
