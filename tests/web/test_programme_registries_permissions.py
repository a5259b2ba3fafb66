"""Who may call the registries API: every endpoint against every role, as a table.

The fixture registers project 1 (SLJ, submitted), park 1 and training event 1 (organised by SLJ,
one attendee). Reads need PROGRAMME_READ; registering PROGRAMME_REPORT (the steward of SLJ for
SLJ); screening decisions and parks PROGRAMME_MANAGE (admins only).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.programme import parks, projects, training
from cityhub.programme.attendees import AttendeeSpec
from cityhub.web.routes.programme_registries import router
from tests.conftest import People
from tests.programme.test_projects import SPEC, STEWARD, credit, id_no
from tests.web.permission_table import ROLES, check_call

PROJECT = {
    "name": "东阿阿胶数字工厂",
    "owner_code": credit(2),
    "owner_name": "东阿某公司",
    "county": "371524",
    "domain": "manufacturing",
    "kind": "other",
    "investment": 800,
    "start_on": "2020-07-01",
    "end_on": "2021-06-30",
}
PARK = {"name": "高唐数字经济园", "county": "371526"}
SCORES = {"scores": {"industry": 90, "prospects": 88, "innovation": 86, "environment": 80}}
EVENT = {"title": "大数据应用培训", "held_on": "2021-03-01", "hours": 8, "kind": "lecture"}
ATTENDEES = [{"name": "孙七", "id_number": id_no(9), "certificate": "C-9"}]
TALENT = {
    "person_name": "周八",
    "level": "municipal",
    "programme": "水城英才",
    "employer_code": credit(3),
    "year": 2021,
}

# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/programme/projects", None, (401, 200, 200, 200)),
    ("GET", "/api/programme/projects?screening=submitted", None, (401, 200, 200, 200)),
    ("POST", "/api/programme/projects", PROJECT, (401, 403, 201, 201)),
    ("GET", "/api/programme/projects/1", None, (401, 200, 200, 200)),
    ("POST", "/api/programme/projects/1/decisions", {"to": "screened"}, (401, 403, 403, 200)),
    ("GET", "/api/programme/parks", None, (401, 200, 200, 200)),
    ("POST", "/api/programme/parks", PARK, (401, 403, 403, 201)),
    ("GET", "/api/programme/parks/1", None, (401, 200, 200, 200)),
    ("POST", "/api/programme/parks/1/evaluations", SCORES, (401, 403, 403, 201)),
    ("PUT", "/api/programme/parks/1/residents", {"residents": [credit(4)]}, (401, 403, 403, 200)),
    ("GET", "/api/programme/training", None, (401, 200, 200, 200)),
    ("POST", "/api/programme/training", EVENT, (401, 403, 201, 201)),
    ("GET", "/api/programme/training/1", None, (401, 200, 200, 200)),
    ("POST", "/api/programme/training/1/attendees", ATTENDEES, (401, 403, 201, 201)),
    ("GET", "/api/programme/talent", None, (401, 200, 200, 200)),
    ("POST", "/api/programme/talent", TALENT, (401, 403, 201, 201)),
]
# How the concrete paths above map to the routes' templates (for test_permissions.py).
PLACEHOLDERS = {
    "projects/1": "projects/{project_id}",
    "parks/1": "parks/{park_id}",
    "training/1": "training/{event_id}",
}
# Tested apart (multipart): test_role_may_import_attendees.
ELSEWHERE = {("POST", "/api/programme/training/{event_id}/attendees.csv")}
CSV_EXPECTED = (401, 403, 201, 201)  # POST /api/programme/training/1/attendees.csv (multipart)


@pytest.fixture
def seeded(db: Database, people: People) -> None:
    admin = Actor.system()
    assert projects.register_project(db, STEWARD, SPEC, submitted_on=date(2020, 5, 1)).id == 1
    assert parks.register_park(db, admin, "聊城数字经济产业园", "371502", department="DSJJ").id == 1
    event = training.create_event(db, STEWARD, "数字技能培训", date(2021, 5, 1), 16, "course")
    assert event.id == 1
    training.add_attendees(db, STEWARD, 1, [AttendeeSpec("张三丰", id_no(1), "13812345678")])


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_programme_registries_endpoint(
    client: TestClient,
    seeded: None,
    headers: dict[str, dict[str, str]],
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, int, int, int],
) -> None:
    if (
        role == "admin"
        and method == "POST"
        and path.endswith(("/projects", "/training", "/talent"))
    ):
        key = "organiser" if path.endswith("/training") else "department"
        body = {**(body or {}), key: "DSJJ"}
    check_call(client, headers[role], method, path, body, expected[ROLES.index(role)])


@pytest.mark.parametrize("role", ROLES)
def test_role_may_import_attendees(
    client: TestClient, seeded: None, headers: dict[str, dict[str, str]], role: str
) -> None:
    data = f"姓名,身份证号\n孙七,{id_no(9)}\n".encode("gb18030")
    response = client.post(
        "/api/programme/training/1/attendees.csv",
        files={"file": ("名单.csv", data, "text/csv")},
        headers=headers[role],
    )
    assert response.status_code == CSV_EXPECTED[ROLES.index(role)], response.text


def test_every_registries_route_is_in_the_table() -> None:
    routes = {
        (method, route.path)
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    tabled = set(ELSEWHERE)
    for method, path, _, _ in ENDPOINTS:
        bare = path.split("?")[0]
        for concrete, template in PLACEHOLDERS.items():
            bare = bare.replace(f"/{concrete}", f"/{template}")
        tabled.add((method, bare))
    assert routes == tabled


def test_a_refusal_names_the_permission(
    client: TestClient, seeded: None, headers: dict[str, dict[str, str]]
) -> None:
    refused = client.post(
        "/api/programme/projects/1/decisions", json={"to": "screened"}, headers=headers["steward"]
    )
    assert refused.json()["error"]["details"]["permission"] == "programme.manage"
