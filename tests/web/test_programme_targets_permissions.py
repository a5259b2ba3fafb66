"""Who may call the programme targets and warnings API: every endpoint against every role.

The fixture loads the tasks and defines SLJ-SITES (owner SLJ, the steward's department) and
DSJJ-KPI (owner DSJJ). Reading needs PROGRAMME_READ; defining, editing and refreshing
PROGRAMME_MANAGE; recording a value PROGRAMME_REPORT for the owner department (the SLJ
steward may record for SLJ-SITES, not for DSJJ-KPI) or PROGRAMME_MANAGE.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.programme import targets, tasks
from tests.conftest import People
from tests.web.permission_table import ROLES, check_call

SITES = targets.TargetSpec(
    code="SLJ-SITES",
    name_zh="水利感知站点",
    name_en="Water sensing sites",
    unit_zh="个",
    unit_en="sites",
    baseline=0.0,
    baseline_on=date(2020, 4, 7),
    target_value=100.0,
    deadline=date(2022, 12, 31),
    owner="SLJ",
    task_number=4,
)
NEW = {
    "code": "NEW-KPI",
    "name_zh": "新指标",
    "name_en": "New KPI",
    "unit_zh": "个",
    "unit_en": "items",
    "baseline": 0,
    "baseline_on": "2020-04-07",
    "target_value": 10,
    "deadline": "2022-12-31",
    "owner": "DSJJ",
}
VALUE = {"value": 12.5, "measured_on": "2021-03-31"}

# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/programme/targets", None, (401, 200, 200, 200)),
    ("POST", "/api/programme/targets", NEW, (401, 403, 403, 201)),
    ("POST", "/api/programme/targets/refresh", None, (401, 403, 403, 200)),
    ("GET", "/api/programme/targets/SLJ-SITES", None, (401, 200, 200, 200)),
    ("PATCH", "/api/programme/targets/SLJ-SITES", {"target_value": 120}, (401, 403, 403, 200)),
    ("POST", "/api/programme/targets/SLJ-SITES/values", VALUE, (401, 403, 201, 201)),
    ("POST", "/api/programme/targets/DSJJ-KPI/values", VALUE, (401, 403, 403, 201)),
    ("GET", "/api/programme/warnings?on=2021-01-05", None, (401, 200, 200, 200)),
    ("GET", "/api/programme/warnings?department=SLJ", None, (401, 200, 200, 200)),
]
PLACEHOLDERS = {"targets/SLJ-SITES": "targets/{code}", "targets/DSJJ-KPI": "targets/{code}"}


@pytest.fixture
def seeded(db: Database, people: People) -> None:
    with db.transaction() as session:
        tasks.ensure_tasks(session)
    targets.create_target(db, Actor.system(), SITES)
    targets.create_target(db, Actor.system(), replace(SITES, code="DSJJ-KPI", owner="DSJJ"))


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_programme_targets_endpoint(
    client: TestClient,
    seeded: None,
    headers: dict[str, dict[str, str]],
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, int, int, int],
) -> None:
    check_call(client, headers[role], method, path, body, expected[ROLES.index(role)])


def test_a_refusal_names_the_permission(
    client: TestClient, seeded: None, headers: dict[str, dict[str, str]]
) -> None:
    refused = client.post("/api/programme/targets", json=NEW, headers=headers["steward"])
    assert refused.json()["error"]["details"]["permission"] == "programme.manage"
    other = client.post(
        "/api/programme/targets/DSJJ-KPI/values", json=VALUE, headers=headers["steward"]
    )
    assert other.json()["error"]["details"] == {"target": "DSJJ-KPI", "department": "SLJ"}
