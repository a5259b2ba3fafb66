"""The programme tasks API: tasks with units and milestones, admin edits, errors in the envelope."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from cityhub.db import Database
from cityhub.programme import tasks


@pytest.fixture
def loaded(db: Database) -> Database:
    with db.transaction() as session:
        tasks.ensure_tasks(session)
    return db


def test_list_and_read(
    client: TestClient, loaded: Database, headers: dict[str, dict[str, str]]
) -> None:
    listed = client.get("/api/programme/tasks", headers=headers["analyst"]).json()
    assert [t["number"] for t in listed] == list(range(1, 20))
    one = client.get("/api/programme/tasks/4", headers=headers["steward"]).json()
    assert one["lead"] == "DSJJ" and one["units"][:5] == ["DSJJ", "ZJJ", "CGJ", "SLJ", "SWENJ"]
    assert len(one["units"]) == 16
    assert [(m["due_on"], m["origin"]) for m in one["milestones"]] == [
        ("2021-12-31", "policy"),
        ("2022-12-31", "policy"),
    ]
    assert one["milestones"][0]["start_on"] == "2019-01-01"
    # The policy's dates are long past and nobody marked them done.
    assert {m["status"] for m in one["milestones"]} == {"overdue"}


def test_admin_edits_a_task(
    client: TestClient, loaded: Database, headers: dict[str, dict[str, str]]
) -> None:
    response = client.patch(
        "/api/programme/tasks/9",
        json={"report_period": "monthly", "units": ["DSJJ", "GXJ"]},
        headers=headers["admin"],
    )
    assert response.status_code == 200, response.text
    assert response.json()["report_period"] == "monthly"
    assert response.json()["units"] == ["DSJJ", "GXJ"]
    assert response.json()["title"] == "推进数字经济园区建设"


def test_milestone_round_trip(
    client: TestClient, loaded: Database, headers: dict[str, dict[str, str]]
) -> None:
    admin = headers["admin"]
    body = {"title": "园区认定办法印发", "owner": "DSJJ", "due_on": "2020-09-30"}
    created = client.post("/api/programme/tasks/9/milestones", json=body, headers=admin)
    assert created.status_code == 201, created.text
    milestone = created.json()
    assert (milestone["origin"], milestone["status"], milestone["task_number"]) == (
        "admin",
        "overdue",
        9,
    )
    done = client.patch(
        f"/api/programme/milestones/{milestone['id']}",
        json={"done_on": "2020-09-15"},
        headers=admin,
    )
    assert done.json()["status"] == "done" and done.json()["done_on"] == "2020-09-15"
    deleted = client.delete(f"/api/programme/milestones/{milestone['id']}", headers=admin)
    assert deleted.status_code == 204
    assert client.get("/api/programme/tasks/9", headers=admin).json()["milestones"] == []


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/api/programme/tasks/20", None, 404, "not_found"),
        ("PATCH", "/api/programme/tasks/1", {"report_period": "weekly"}, 400, "invalid_input"),
        ("PATCH", "/api/programme/tasks/1", {"lead": "NOPE"}, 400, "invalid_input"),
        (
            "POST",
            "/api/programme/tasks/1/milestones",
            {"title": "x", "owner": "JTYSJ", "due_on": "not a day"},
            400,
            "invalid_input",
        ),
        ("PATCH", "/api/programme/milestones/999", {"title": "x"}, 404, "not_found"),
        ("DELETE", "/api/programme/milestones/1", None, 409, "conflict"),
        ("PATCH", "/api/programme/milestones/1", {"due_on": "2030-01-01"}, 409, "conflict"),
    ],
)
def test_errors(
    client: TestClient,
    loaded: Database,
    headers: dict[str, dict[str, str]],
    method: str,
    path: str,
    body: object,
    status: int,
    code: str,
) -> None:
    response = client.request(method, path, json=body, headers=headers["admin"])
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_status_is_as_of_today(
    client: TestClient, loaded: Database, headers: dict[str, dict[str, str]]
) -> None:
    future = date(tasks.city_today().year + 1, 1, 1).isoformat()
    body = {"title": "明年", "owner": "DSJJ", "due_on": future}
    created = client.post("/api/programme/tasks/3/milestones", json=body, headers=headers["admin"])
    assert created.json()["status"] == "open"
