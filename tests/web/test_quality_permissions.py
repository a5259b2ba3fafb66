"""Who may call the quality API: rule sets, reports and the quarantine, per role."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub import auth, catalog, quality
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from tests.web.permission_table import ROLES, check_call

RULES = {
    "rules": [
        {"id": "level", "kind": "range", "column": "水位", "params": {"max": 100}, "blocking": True}
    ]
}


@pytest.fixture
def water(db: Database, settings: Settings) -> None:
    """A dataset of 水利局 with rules, one version, one quarantined row (id 1) and a report (1)."""
    system = auth.Actor.system()
    spec = catalog.DatasetSpec(name="water", title="河道水位", department="SLJ")
    catalog.create_dataset(db, system, spec)
    path = settings.data_dir / "water.csv"
    path.write_text("站名,水位\n聊城站,32.5\n临清站,999\n", encoding="utf-8")
    pool = Pool(db, settings)
    ingest(db, system, pool.warehouse, dataset="water", path=path, file_name="w.csv")
    quality.set_rules(db, system, "water", RULES)
    ingest(db, system, pool.warehouse, dataset="water", path=path, file_name="w.csv")
    pool.close()


# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/datasets/water/rules", None, (404, 200, 200, 200)),
    ("GET", "/api/datasets/water/rules?number=1", None, (404, 200, 200, 200)),
    ("PUT", "/api/datasets/water/rules", RULES, (401, 403, 200, 200)),
    ("GET", "/api/datasets/water/rules/versions", None, (404, 200, 200, 200)),
    ("POST", "/api/datasets/water/quality/run", None, (401, 403, 201, 201)),
    ("GET", "/api/datasets/water/quality", None, (404, 200, 200, 200)),
    ("GET", "/api/datasets/water/quality/1", None, (404, 200, 200, 200)),
    ("GET", "/api/datasets/water/quarantine", None, (401, 403, 200, 200)),
    ("PATCH", "/api/datasets/water/quarantine/1", {"values": {"水位": 33}}, (401, 403, 200, 200)),
    ("POST", "/api/datasets/water/quarantine/readmit", {"ids": [1]}, (401, 403, 200, 200)),
    (
        "POST",
        "/api/datasets/water/quarantine/discard",
        {"ids": [1], "reason": "测量错误"},
        (401, 403, 200, 200),
    ),
]
PLACEHOLDERS = {
    "water": "{name}",
    "quality/1": "quality/{report_id}",
    "quarantine/1": "quarantine/{row_id}",
}


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


def test_a_bad_rule_set_answers_every_place(
    client: TestClient, water: None, headers: dict[str, dict[str, str]]
) -> None:
    body = {"rules": [{"id": "x", "kind": "regex", "column": "站名", "params": {"pattern": "("}}]}
    response = client.put("/api/datasets/water/rules", json=body, headers=headers["steward"])
    assert response.status_code == 400
    errors = response.json()["error"]["details"]["errors"]
    assert errors[0]["location"] == "rules[0].params.pattern"


def test_fix_then_readmit_through_the_api(
    client: TestClient, water: None, headers: dict[str, dict[str, str]]
) -> None:
    steward = headers["steward"]
    held = client.get("/api/datasets/water/quarantine", headers=steward).json()
    assert held["total"] == 1 and held["data"][0]["values"] == {"站名": "临清站", "水位": 999.0}
    fixed = client.patch(
        "/api/datasets/water/quarantine/1", json={"values": {"水位": 35.5}}, headers=steward
    ).json()
    assert fixed["admissible"] is True and fixed["failing"] == []
    done = client.post(
        "/api/datasets/water/quarantine/readmit", json={"ids": [1]}, headers=steward
    ).json()
    assert done == {"version": 3, "readmitted": [1], "still_held": []}
    reports = client.get("/api/datasets/water/quality", headers=headers["analyst"]).json()
    assert [r["version"] for r in reports] == [3, 2]
