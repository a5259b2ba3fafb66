"""Who may call the derived-dataset API: every endpoint against every role, as a table.

The fixture: ``water`` of 水利局 (the steward's and analyst's department, 无条件共享, not open to
the public) and ``water-derived``, a derived dataset of 水利局 made from it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cityhub import auth, catalog, derived
from cityhub.db import Database
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from tests.conftest import People
from tests.web.permission_table import ROLES, check_call


@pytest.fixture
def water_derived(client: TestClient, db: Database, people: People) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    pool: Pool = app.state.pool
    system = auth.Actor.system()
    catalog.create_dataset(
        db, system, catalog.DatasetSpec(name="water", title="河道水位", department="SLJ")
    )
    path = pool.settings.data_dir / "water.csv"
    path.write_text("站名,水位\n聊城站,32.5\n", encoding="utf-8")
    ingest(db, system, pool.warehouse, dataset="water", path=path, file_name="water.csv")
    spec = derived.DerivedSpec(
        name="water-derived", title="水位加工", sql="SELECT * FROM water", department="SLJ"
    )
    derived.define(db, system, pool, spec)


# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    (
        "POST",
        "/api/derived",
        {"name": "new-derived", "title": "新加工", "sql": "SELECT * FROM water"},
        (401, 403, 201, 201),
    ),
    ("GET", "/api/derived", None, (401, 200, 200, 200)),
    ("GET", "/api/derived/water-derived", None, (401, 200, 200, 200)),
    ("PATCH", "/api/derived/water-derived", {"schedule": "daily"}, (401, 403, 200, 200)),
    ("POST", "/api/derived/water-derived/refresh", None, (401, 403, 200, 200)),
    ("GET", "/api/datasets/water/lineage", None, (404, 200, 200, 200)),
]
PLACEHOLDERS = {"water-derived": "{name}", "water": "{name}"}


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_derived_endpoint(
    client: TestClient,
    water_derived: None,
    headers: dict[str, dict[str, str]],
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, int, int, int],
) -> None:
    check_call(client, headers[role], method, path, body, expected[ROLES.index(role)])
