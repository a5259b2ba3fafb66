"""Who may call what: every API endpoint against every role, as one table."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

ROLES = ("public", "analyst", "steward", "admin")

# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, tuple[int, int, int, int]]] = [
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
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_endpoint(
    client: TestClient,
    headers: dict[str, dict[str, str]],
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, int, int, int],
) -> None:
    response = client.request(method, path, json=body, headers=headers[role])
    assert response.status_code == expected[ROLES.index(role)], response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


def test_every_api_route_is_in_the_table(client: TestClient) -> None:
    listed = {
        (method, path.replace("slj.analyst", "{username}")) for method, path, _, _ in ENDPOINTS
    }
    listed |= {("POST", "/api/auth/token"), ("DELETE", "/api/tokens/{token_id}")}
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
