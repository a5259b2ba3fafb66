"""Who may call the sharing API: every endpoint against every role, as a table.

The fixture: two 有条件共享 datasets of 水利局 (the analyst's and steward's department), each
requested by 农业农村局 (requests 1 and 2, so notifications 1 and 2 go to 水利局's stewards), and a
有条件共享 dataset of 发展改革委 that anyone may ask for.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub import sharing
from cityhub.auth import Actor, Role
from cityhub.db import Database
from tests.conftest import People, token_for
from tests.sharing.conftest import catalogue
from tests.web.permission_table import ROLES, check_call

ASKER = Actor(None, "nyncj.steward", Role.STEWARD, "NYNCJ")
PURPOSE = "核对农田灌溉取水许可的办理情况"


@pytest.fixture
def requests_made(db: Database, people: People) -> None:
    for name, title in (("water-permits", "取水许可"), ("well-permits", "机井登记")):
        catalogue(db, name, department="SLJ", title=title)
        sharing.request_access(db, ASKER, name, PURPOSE, 30)
    catalogue(db, "fgw-plans", department="FGW", title="重点项目计划")


# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    (
        "POST",
        "/api/sharing/requests",
        {"dataset": "fgw-plans", "purpose": PURPOSE, "days": 30, "columns": ["企业名称"]},
        (401, 201, 201, 201),
    ),
    ("GET", "/api/sharing/requests", None, (401, 200, 200, 200)),
    ("GET", "/api/sharing/requests?box=outbox", None, (401, 200, 200, 200)),
    ("GET", "/api/sharing/requests?box=all", None, (401, 403, 403, 200)),
    ("GET", "/api/sharing/requests/1", None, (401, 200, 200, 200)),
    (
        "POST",
        "/api/sharing/requests/1/approve",
        {"columns": ["企业名称"], "days": 10},
        (401, 403, 200, 200),
    ),
    ("POST", "/api/sharing/requests/1/refuse", {"reason": "不符合共享条件"}, (401, 403, 200, 200)),
    ("POST", "/api/sharing/requests/1/withdraw", None, (401, 403, 403, 403)),
    ("GET", "/api/sharing/metrics", None, (401, 200, 200, 200)),
    ("GET", "/api/sharing/overdue", None, (401, 403, 403, 200)),
    ("GET", "/api/notifications", None, (401, 200, 200, 200)),
    ("POST", "/api/notifications/2/read", None, (401, 404, 200, 404)),
]
PLACEHOLDERS = {"1": "{request_id}", "2": "{notification_id}"}


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_sharing_endpoint(
    client: TestClient,
    requests_made: None,
    headers: dict[str, dict[str, str]],
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, int, int, int],
) -> None:
    check_call(client, headers[role], method, path, body, expected[ROLES.index(role)])


def test_the_requester_withdraws_and_sees_the_answer(
    client: TestClient, requests_made: None, headers: dict[str, dict[str, str]]
) -> None:
    asker = token_for(client, "nyncj.steward")
    mine = client.get("/api/sharing/requests", params={"box": "outbox"}, headers=asker).json()
    assert [r["id"] for r in mine] == [2, 1] and mine[0]["status"] == "pending"
    assert client.post("/api/sharing/requests/2/withdraw", headers=asker).json()["status"] == (
        "withdrawn"
    )
    again = client.post("/api/sharing/requests/2/withdraw", headers=asker)
    assert again.status_code == 409 and again.json()["error"]["details"]["status"] == "withdrawn"
    approved = client.post(
        "/api/sharing/requests/1/approve", json={}, headers=headers["steward"]
    ).json()
    assert approved["status"] == "approved" and approved["approved_columns"] is None
    told = client.get("/api/notifications", params={"unread": "true"}, headers=asker).json()
    assert [(n["kind"], n["request_id"], n["to_department"]) for n in told] == [
        ("approved", 1, False)
    ]


def test_bad_boxes_and_bodies_are_400(
    client: TestClient, requests_made: None, headers: dict[str, dict[str, str]]
) -> None:
    steward = headers["steward"]
    assert client.get("/api/sharing/requests?box=every", headers=steward).status_code == 400
    short = client.post(
        "/api/sharing/requests",
        json={"dataset": "fgw-plans", "purpose": "看看", "days": 30},
        headers=steward,
    )
    assert short.status_code == 400 and short.json()["error"]["details"]["field"] == "purpose"
    refusal = client.post("/api/sharing/requests/1/refuse", json={"reason": ""}, headers=steward)
    assert refusal.status_code == 400
    assert client.get("/api/sharing/requests/99", headers=steward).status_code == 404


def test_direct_grants_take_an_end(
    client: TestClient, requests_made: None, headers: dict[str, dict[str, str]]
) -> None:
    body = {"department": "NYNCJ", "expires_at": "2030-01-01T00:00:00+08:00"}
    admin = headers["admin"]
    assert (
        client.post("/api/datasets/fgw-plans/grants", json=body, headers=admin).status_code == 204
    )
    naive = {"department": "NYNCJ", "expires_at": "2030-01-01T00:00:00"}
    assert (
        client.post("/api/datasets/fgw-plans/grants", json=naive, headers=admin).status_code == 400
    )
