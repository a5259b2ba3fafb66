"""``cityhub programme incentives``: rules, check and qualifying against a real base database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityhub import auth
from cityhub.cli import app
from cityhub.config import Settings, get_settings
from cityhub.db import Database
from cityhub.errors import NotFound
from cityhub.programme import incentives
from tests.conftest import ADMIN_PASSWORD
from tests.programme.incentive_entities import DIGITAL, FACTORY, make_entities


@pytest.fixture
def env(
    db: Database, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    folder = tmp_path / "sources"
    folder.mkdir()
    make_entities(db, settings.data_dir, folder)
    for key, value in {
        "CITYHUB_DATA_DIR": str(settings.data_dir),
        "CITYHUB_DATABASE_URL": settings.database_url_effective,
        "CITYHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["programme", "incentives", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_rules(env: None) -> None:
    code, output = run("rules", "--json")
    assert code == 0
    rules = {r["id"]: r for r in json.loads(output)}
    assert rules["tax-halving"]["valid_to"] == "2021-12-31"
    assert rules["talent-loan"]["units"][0] == "JRJGJ"


@pytest.mark.parametrize(("day", "applies"), [("2021-12-31", True), ("2022-01-01", False)])
def test_check(env: None, day: str, applies: bool) -> None:
    code, output = run("check", DIGITAL, "--on", day, "--small-scale-vat", "--json")
    assert code == 0, output
    result = json.loads(output)
    [tax] = [a for a in result["answers"] if a["rule"] == "tax-halving"]
    assert (result["base"], tax["applies"]) == ("found", applies)


def test_check_table_names_the_clause(env: None) -> None:
    code, output = run("check", DIGITAL, "--on", "2020-01-01", "--small-scale-vat")
    assert code == 0 and "适用" in output and "聊政办字〔2020〕20号" in output


def test_qualifying(env: None, db: Database) -> None:
    system = auth.Actor.system()
    for credit_code in (DIGITAL, FACTORY):
        incentives.save_declaration(
            db, system, credit_code, incentives.DeclaredFacts(small_scale_vat=True)
        )
    code, output = run("qualifying", "tax-halving", "--on", "2020-01-01", "--json")
    assert code == 0, output
    assert [q["credit_code"] for q in json.loads(output)] == [DIGITAL]


def test_unknown_rule_is_not_found(env: None) -> None:
    # The CLI's entry point turns CityhubError into a message and exit code (see test_cli.py).
    with pytest.raises(NotFound):
        run("qualifying", "free-lunch")
