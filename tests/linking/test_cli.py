"""``cityhub linking run --spec FILE`` and ``cityhub linking runs``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cityhub import auth, catalog
from cityhub.auth import Actor
from cityhub.config import get_settings
from cityhub.db import Database, upgrade
from cityhub.errors import InvalidInput
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from tests.cli.test_cli import env, run  # noqa: F401  (the fixture and the runner)
from tests.web.test_linking_permissions import ROWS, SPEC

pytestmark = pytest.mark.usefixtures("env")


def _sources() -> None:
    settings = get_settings()
    db = Database(settings.database_url_effective)
    upgrade(db)
    auth.bootstrap(
        db,
        admin_password=settings.admin_password.get_secret_value()
        if settings.admin_password
        else None,
    )
    pool = Pool(db, settings)
    for name, text in ROWS.items():
        catalog.create_dataset(
            db, Actor.system(), catalog.DatasetSpec(name=name, title=name, department="SLJ")
        )
        path = settings.data_dir / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        ingest(db, Actor.system(), pool.warehouse, dataset=name, path=path, file_name=path.name)
    pool.close()
    db.dispose()


def test_a_spec_file_runs_and_the_run_is_listed(tmp_path: Path) -> None:
    _sources()
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC | {"department": "SLJ"}), encoding="utf-8")
    code, output = run("linking", "run", "--spec", str(spec))
    assert code == 0, output
    assert "run 1: well-links version 1" in output and "timings:" in output
    code, output = run("linking", "runs")
    assert code == 0 and "wells-a" in output and "finished" in output


def test_a_spec_without_an_owner_is_refused(tmp_path: Path) -> None:
    _sources()
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    with pytest.raises(InvalidInput, match="department"):
        run("linking", "run", "--spec", str(spec))
    spec.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="cannot read the spec"):
        run("linking", "run", "--spec", str(spec))
