"""The registries API end to end: errors that name the field, conflicts, masking, CSV imports."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cityhub.db import Database
from tests.conftest import PASSWORD, People
from tests.programme.test_projects import credit, id_no
from tests.web.test_programme_registries_permissions import EVENT, PROJECT


def test_a_project_goes_through_screening(
    client: TestClient, db: Database, people: People, headers: dict[str, dict[str, str]]
) -> None:
    created = client.post("/api/programme/projects", json=PROJECT, headers=headers["steward"])
    assert created.status_code == 201 and created.json()["department"] == "SLJ"
    admin = headers["admin"]
    early = client.post(
        "/api/programme/projects/1/decisions", json={"to": "selected"}, headers=admin
    )
    assert early.status_code == 409 and early.json()["error"]["details"]["from"] == "submitted"
    client.post("/api/programme/projects/1/decisions", json={"to": "screened"}, headers=admin)
    no_reason = client.post(
        "/api/programme/projects/1/decisions", json={"to": "rejected"}, headers=admin
    )
    assert (
        no_reason.status_code == 400 and no_reason.json()["error"]["details"]["field"] == "reason"
    )
    done = client.post(
        "/api/programme/projects/1/decisions", json={"to": "selected"}, headers=admin
    )
    assert [s["to_state"] for s in done.json()["history"]] == ["submitted", "screened", "selected"]
    listed = client.get("/api/programme/projects?screening=selected", headers=headers["analyst"])
    assert [p["id"] for p in listed.json()] == [1]


def test_a_bad_credit_code_names_field_and_value(
    client: TestClient, db: Database, people: People, headers: dict[str, dict[str, str]]
) -> None:
    bad = {**PROJECT, "owner_code": "91371502MA00000000"}
    response = client.post("/api/programme/projects", json=bad, headers=headers["steward"])
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert (details["field"], details["value"]) == ("owner_code", "91371502MA00000000")


def test_a_steward_may_not_register_for_another_department(
    client: TestClient, db: Database, people: People, headers: dict[str, dict[str, str]]
) -> None:
    body = {**PROJECT, "department": "NYNCJ"}
    assert (
        client.post("/api/programme/projects", json=body, headers=headers["steward"]).status_code
        == 403
    )


def test_parks_are_scored_and_explained(
    client: TestClient, db: Database, people: People, headers: dict[str, dict[str, str]]
) -> None:
    admin = headers["admin"]
    client.post(
        "/api/programme/parks",
        json={"name": "阳谷电缆园", "county": "371521", "department": "DSJJ"},
        headers=admin,
    )
    scores = {"industry": 90, "prospects": 90, "innovation": 90, "environment": 90}
    scored = client.post(
        "/api/programme/parks/1/evaluations", json={"scores": scores}, headers=admin
    )
    evaluation = scored.json()["evaluation"]
    assert (evaluation["tier"], evaluation["total"]) == ("demonstration", 90.0)
    assert evaluation["weights"] == {
        "industry": 0.3,
        "prospects": 0.25,
        "innovation": 0.25,
        "environment": 0.2,
    }
    assert "90" in evaluation["explanation_zh"] and "90" in evaluation["explanation_en"]


def test_attendees_via_csv_are_masked_for_other_departments(
    client: TestClient, db: Database, people: People, headers: dict[str, dict[str, str]]
) -> None:
    steward = headers["steward"]
    client.post("/api/programme/training", json=EVENT, headers=steward)
    bad = f"姓名,身份证号,手机号\n张三,{id_no(1)},138\n".encode("gb18030")
    refused = client.post(
        "/api/programme/training/1/attendees.csv", files={"file": ("a.csv", bad)}, headers=steward
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["errors"][0] | {"value": None} == {
        "row": 2,
        "column": "手机号",
        "field": "phone",
        "value": None,
        "reason": "not an 11-digit mobile number",
    }
    good = f"姓名,身份证号,手机号,工作单位,证书编号\n张三,{id_no(1)},13812345678,{credit(1)},C-1\n"
    added = client.post(
        "/api/programme/training/1/attendees.csv",
        files={"file": ("a.csv", good.encode())},
        headers=steward,
    )
    assert added.status_code == 201 and added.json()["certified_count"] == 1
    own = client.get("/api/programme/training/1", headers=headers["analyst"]).json()["attendees"][0]
    assert (own["name"], own["masked"]) == ("张三", False)
    other = client.post("/api/auth/token", data={"username": "nyncj.steward", "password": PASSWORD})
    token = {"Authorization": f"Bearer {other.json()['access_token']}"}
    masked = client.get("/api/programme/training/1", headers=token).json()["attendees"][0]
    assert (masked["name"], masked["phone"], masked["masked"]) == ("张*", "138****5678", True)
