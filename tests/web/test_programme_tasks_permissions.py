"""Who may call the programme tasks API: every endpoint against every role, as a table.

The fixture loads the 19 tasks (their six policy milestones get ids 1–6) and adds one admin
milestone (id 7). Reading needs PROGRAMME_READ (analysts, stewards, admins); every change
PROGRAMME_MANAGE (admins only — a steward of a task's own unit may not edit it either: task 4
has SLJ among its units).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.programme import milestones, tasks
from tests.conftest import People
from tests.web.permission_table import ROLES, check_call

MILESTONE = {"title": "水利感知网一期验收", "owner": "SLJ", "due_on": "2021-06-30"}

# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/programme/tasks", None, (401, 200, 200, 200)),
    ("GET", "/api/programme/tasks/4", None, (401, 200, 200, 200)),
    ("PATCH", "/api/programme/tasks/4", {"report_period": "monthly"}, (401, 403, 403, 200)),
    ("POST", "/api/programme/tasks/4/milestones", MILESTONE, (401, 403, 403, 201)),
    ("PATCH", "/api/programme/milestones/7", {"done_on": "2021-06-01"}, (401, 403, 403, 200)),
    ("DELETE", "/api/programme/milestones/7", None, (401, 403, 403, 204)),
]
PLACEHOLDERS = {"tasks/4": "tasks/{number}", "milestones/7": "milestones/{milestone_id}"}


@pytest.fixture
def seeded(db: Database, people: People) -> None:
    with db.transaction() as session:
        tasks.ensure_tasks(session)
    added = milestones.add_milestone(db, Actor.system(), 4, "一期", "SLJ", date(2021, 6, 30))
    assert added.id == 7


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_programme_tasks_endpoint(
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
    refused = client.patch(
        "/api/programme/tasks/4", json={"title": "x"}, headers=headers["steward"]
    )
    assert refused.json()["error"]["details"]["permission"] == "programme.manage"
