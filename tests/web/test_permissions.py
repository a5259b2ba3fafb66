"""Who may call what: every API endpoint against every role, as tables.

This module holds the kernel's and the catalogue's table. Each later area keeps its own table in
``tests/web/test_<area>_permissions.py`` (with the fixtures its endpoints need) and names it
``ENDPOINTS`` there, with ``PLACEHOLDERS`` (concrete path part → route template part) and
``ELSEWHERE`` (routes whose rules are tested by other means); the coverage test below reads them
all.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub import auth, catalog
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from tests.web.permission_table import ROLES, check_call


@pytest.fixture
def water(db: Database, settings: Settings) -> None:
    """A dataset of 水利局 (the steward's and analyst's department) with one version."""
    catalog.create_dataset(
        db,
        auth.Actor.system(),
        catalog.DatasetSpec(name="water", title="河道水位", department="SLJ"),
    )
    path = settings.data_dir / "water.csv"
    path.write_text("站名,水位\n聊城站,32.5\n", encoding="utf-8")
    pool = Pool(db, settings)
    ingest(db, auth.Actor.system(), pool.warehouse, dataset="water", path=path, file_name="w.csv")
    pool.close()


# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/departments", None, (200, 200, 200, 200)),
    ("GET", "/api/me", None, (401, 200, 200, 200)),
    ("GET", "/api/users", None, (401, 403, 200, 200)),
    (
        "POST",
        "/api/users",
        {
            "username": "new.user",
            "password": "long-enough-pw",
            "department": "SLJ",
            "role": "analyst",
        },
        (401, 403, 403, 201),
    ),
    ("PATCH", "/api/users/slj.analyst", {"display_name": "改名"}, (401, 403, 403, 200)),
    ("GET", "/api/tokens", None, (401, 200, 200, 200)),
    ("POST", "/api/tokens", {"name": "script"}, (401, 201, 201, 201)),
    ("GET", "/api/audit", None, (401, 403, 403, 200)),
    ("GET", "/api/datasets", None, (200, 200, 200, 200)),
    (
        "POST",
        "/api/datasets",
        {"name": "new-data", "title": "新数据", "department": "SLJ"},
        (401, 403, 201, 201),
    ),
    ("GET", "/api/datasets/water", None, (404, 200, 200, 200)),
    ("PATCH", "/api/datasets/water", {"abstract": "徒骇河"}, (401, 403, 200, 200)),
    (
        "PATCH",
        "/api/datasets/water/columns",
        [{"name": "站名", "label": "站名"}],
        (401, 403, 200, 200),
    ),
    ("GET", "/api/datasets/water/versions", None, (404, 200, 200, 200)),
    ("GET", "/api/datasets/water/versions/diff?from=1&to=1", None, (404, 200, 200, 200)),
    ("GET", "/api/datasets/water/rows", None, (404, 200, 200, 200)),
    ("POST", "/api/datasets/water/grants", {"department": "FGW"}, (401, 403, 403, 204)),
    ("DELETE", "/api/datasets/water/grants/FGW", None, (401, 403, 403, 204)),
    ("POST", "/api/sql", {"sql": "SELECT count(*) FROM water"}, (400, 200, 200, 200)),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_endpoint(
    client: TestClient,
    water: None,
    headers: dict[str, dict[str, str]],
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, int, int, int],
) -> None:
    check_call(client, headers[role], method, path, body, expected[ROLES.index(role)])


def _templates(
    endpoints: list[tuple[str, str, Any, tuple[int, int, int, int]]], placeholders: dict[str, str]
) -> set[tuple[str, str]]:
    found = set()
    for method, path, _, _ in endpoints:
        path = path.partition("?")[0]
        for concrete, placeholder in placeholders.items():
            path = path.replace(f"/{concrete}", f"/{placeholder}")
        found.add((method, path))
    return found


def _area_tables() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for module_path in sorted(Path(__file__).parent.glob("test_*_permissions.py")):
        module = importlib.import_module(f"tests.web.{module_path.stem}")
        found |= _templates(module.ENDPOINTS, module.PLACEHOLDERS)
        found |= set(getattr(module, "ELSEWHERE", set()))
    return found


def test_every_api_route_is_in_the_table(client: TestClient) -> None:
    generic = {"slj.analyst": "{username}", "water": "{name}", "FGW": "{department}"}
    listed = _templates(ENDPOINTS, generic) | _area_tables()
    listed |= {
        ("POST", "/api/auth/token"),
        ("DELETE", "/api/tokens/{token_id}"),
        ("POST", "/api/datasets/{name}/versions"),  # multipart: test_upload_is_for_owner_stewards
        ("GET", "/api/datasets/{name}/export"),  # a file: tests/web/test_exports.py
        ("GET", "/api/datasets/{name}/dcat.jsonld"),  # JSON-LD: tests/catalog/test_dcat.py
        # CKAN's Action API follows CKAN's auth model: tests/web/test_ckan.py
        ("GET", "/api/3"),
        ("GET", "/api/3/action/{name}"),
        ("POST", "/api/3/action/{name}"),
        ("GET", "/api/action/{name}"),
        ("POST", "/api/action/{name}"),
    }
    paths = client.get("/openapi.json").json()["paths"]
    routes = {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api")
        for method in operations
    }
    assert routes == listed


def test_steward_sees_only_own_department(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    users = client.get("/api/users", headers=headers["steward"]).json()
    assert {u["department"] for u in users} == {"SLJ"}
    assert "nyncj.steward" not in {u["username"] for u in users}


def test_token_of_another_user_cannot_be_revoked(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    token_id = client.post("/api/tokens", json={"name": "mine"}, headers=headers["analyst"]).json()[
        "id"
    ]
    assert client.delete(f"/api/tokens/{token_id}", headers=headers["steward"]).status_code == 404
    assert client.delete(f"/api/tokens/{token_id}", headers=headers["admin"]).status_code == 200


def test_denials_are_audited(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    client.get("/api/audit", headers=headers["analyst"])
    events = client.get(
        "/api/audit", params={"action": "audit.list", "outcome": "denied"}, headers=headers["admin"]
    ).json()["data"]
    assert [(e["actor"], e["actor_department"]) for e in events] == [("slj.analyst", "SLJ")]


@pytest.mark.parametrize(
    ("role", "status"), [("public", 401), ("analyst", 403), ("steward", 201), ("admin", 201)]
)
def test_upload_is_for_owner_stewards(
    client: TestClient, water: None, headers: dict[str, dict[str, str]], role: str, status: int
) -> None:
    response = client.post(
        "/api/datasets/water/versions",
        files={"file": ("水位.csv", "站名,水位\n临清站,30.1\n".encode())},
        headers=headers[role],
    )
    assert response.status_code == status, response.text
