"""``cityhub quality rules`` and ``cityhub quality run`` against a real database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityhub import auth, catalog
from cityhub.cli import app, main
from cityhub.config import get_settings
from cityhub.db import Database, upgrade
from cityhub.pool.ingest import ingest
from cityhub.pool.warehouse import Warehouse
from tests.conftest import ADMIN_PASSWORD


@pytest.fixture
def platform(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The CLI's settings, and a dataset ``water`` of 水利局 with one version."""
    for key, value in {
        "CITYHUB_DATA_DIR": str(tmp_path),
        "CITYHUB_DATABASE_URL": database_url,
        "CITYHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    db = Database(database_url)
    upgrade(db)
    auth.bootstrap(db, admin_password=ADMIN_PASSWORD)
    system = auth.Actor.system()
    catalog.create_dataset(
        db, system, catalog.DatasetSpec(name="water", title="水位", department="SLJ")
    )
    csv = tmp_path / "w.csv"
    csv.write_text("站名,水位\n聊城站,32.5\n临清站,999\n", encoding="utf-8")
    warehouse = Warehouse(db, tmp_path)
    ingest(db, system, warehouse, dataset="water", path=csv, file_name="w.csv")
    warehouse.close()
    db.dispose()
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_set_show_and_run_rules(platform: Path) -> None:
    rules = {"rules": [{"id": "level", "kind": "range", "column": "水位", "params": {"max": 100}}]}
    path = platform / "rules.json"
    path.write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    code, output = run("quality", "rules", "water", "--set", str(path))
    assert code == 0 and "stored rule set 1 of water" in output
    code, output = run("quality", "rules", "water")
    assert code == 0 and json.loads(output)["rules"][0]["id"] == "level"
    code, output = run("quality", "run", "water")
    assert code == 0 and "score 50.0" in output and "999.0" in output


def test_a_bad_rule_file_exits_65_naming_the_place(
    platform: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = platform / "bad.json"
    path.write_text('{"rules": [{"id": "x", "kind": "regex", "column": "站名", "params": {}}]}')
    with pytest.raises(SystemExit) as exit_:
        main(["quality", "rules", "water", "--set", str(path)])
    assert exit_.value.code == 65
    assert "rules[0].params.pattern" in capsys.readouterr().err
