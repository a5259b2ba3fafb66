"""The API's authentication flow, error envelope and audit listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from cityhub import auth
from cityhub.db import Database
from tests.conftest import ADMIN_PASSWORD, PASSWORD, People, token_for


def test_password_grant_issues_a_token_the_api_accepts(client: TestClient) -> None:
    response = client.post(
        "/api/auth/token", data={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 30 * 24 * 3600
    me = client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"username": "admin", "role": "admin", "department": "DSJJ"}


def test_without_token_401_with_envelope(client: TestClient) -> None:
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Basic YWRtaW46eA==", "Bearer chk_not-a-real-token", "token abc"],
)
def test_bad_authorization_headers_are_401(client: TestClient, header: str) -> None:
    response = client.get("/api/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_wrong_password_is_401_and_audited(client: TestClient, people: People) -> None:
    response = client.post("/api/auth/token", data={"username": "admin", "password": "wrong-one"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    admin = token_for(client, "admin", ADMIN_PASSWORD)
    events = client.get("/api/audit", params={"action": "auth.login"}, headers=admin).json()["data"]
    assert [(e["outcome"], e["details"].get("reason")) for e in events] == [
        ("success", None),
        ("failure", "bad_credentials"),
    ]
    assert events[1]["client_address"] == "testclient"


def test_lockout_after_repeated_failures(client: TestClient, people: People) -> None:
    for _ in range(3):  # login_max_failures=3 in the test settings
        client.post("/api/auth/token", data={"username": people.analyst, "password": "nope-nope"})
    locked = client.post("/api/auth/token", data={"username": people.analyst, "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "account_locked"
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60


def test_missing_form_fields_say_which(client: TestClient) -> None:
    response = client.post("/api/auth/token", data={"username": "admin"})
    assert response.status_code == 400
    locations = [e["location"] for e in response.json()["error"]["details"]["errors"]]
    assert ["body", "password"] in locations


def test_revoked_and_expired_tokens_stop_working(
    client: TestClient, db: Database, people: People
) -> None:
    headers = token_for(client, people.analyst)
    token_id = client.get("/api/tokens", headers=headers).json()[0]["id"]
    assert client.delete(f"/api/tokens/{token_id}", headers=headers).status_code == 200
    response = client.get("/api/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["details"] == {"reason": "revoked"}

    issued = auth.create_token(
        db,
        auth.Actor.system(),
        name="short",
        lifetime=timedelta(minutes=1),
        username=people.analyst,
    )
    with db.transaction() as session:
        row = session.get(auth.ApiToken, issued.token.id)
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    response = client.get("/api/me", headers={"Authorization": f"Bearer {issued.secret}"})
    assert response.json()["error"]["details"] == {"reason": "expired"}


def test_disabling_a_user_stops_their_tokens(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    assert client.get("/api/me", headers=headers["analyst"]).status_code == 200
    response = client.patch(
        "/api/users/slj.analyst", json={"is_active": False}, headers=headers["admin"]
    )
    assert response.json()["is_active"] is False
    assert client.get("/api/me", headers=headers["analyst"]).status_code == 401


def test_created_token_is_shown_once_and_stored_as_hash(
    client: TestClient, db: Database, headers: dict[str, dict[str, str]]
) -> None:
    created = client.post(
        "/api/tokens", json={"name": "nightly", "expires_in_days": 7}, headers=headers["steward"]
    )
    secret = created.json()["token"]
    assert secret.startswith(created.json()["prefix"])
    listed = client.get("/api/tokens", headers=headers["steward"]).json()
    assert all("token" not in t for t in listed)
    with db.reading() as session:
        stored = session.get(auth.ApiToken, created.json()["id"])
        assert stored is not None and secret not in (stored.token_hash, stored.prefix)
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_user_admin_changes_are_audited_with_before_and_after(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client.patch("/api/users/slj.analyst", json={"role": "steward"}, headers=headers["admin"])
    events = client.get(
        "/api/audit", params={"action": "user.update"}, headers=headers["admin"]
    ).json()
    assert events["data"][0]["details"] == {"role": {"from": "analyst", "to": "steward"}}
    assert events["data"][0]["object_id"] == "slj.analyst"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"username": "x", "password": "long-enough-pw", "department": "SLJ", "role": "analyst"},
            "username",
        ),
        (
            {"username": "ok.name", "password": "short", "department": "SLJ", "role": "analyst"},
            "password",
        ),
        (
            {
                "username": "ok.name",
                "password": "long-enough-pw",
                "department": "NOPE",
                "role": "analyst",
            },
            "department",
        ),
        (
            {
                "username": "ok.name",
                "password": "long-enough-pw",
                "department": "SLJ",
                "role": "public",
            },
            "role",
        ),
        (
            {
                "username": "admin",
                "password": "long-enough-pw",
                "department": "SLJ",
                "role": "analyst",
            },
            "username",
        ),
    ],
)
def test_bad_user_input_names_the_field(
    client: TestClient, headers: dict[str, dict[str, str]], body: dict[str, str], field: str
) -> None:
    response = client.post("/api/users", json=body, headers=headers["admin"])
    assert response.status_code in {400, 404, 409}
    assert field in str(response.json()["error"]["details"])


def test_audit_api_filters_and_pages(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    admin = headers["admin"]
    first = client.get("/api/audit", params={"limit": 2}, headers=admin).json()
    assert len(first["data"]) == 2 and first["next_before_id"] == first["data"][-1]["id"]
    second = client.get(
        "/api/audit", params={"limit": 2, "before_id": first["next_before_id"]}, headers=admin
    ).json()
    assert max(e["id"] for e in second["data"]) < first["next_before_id"]
    logins = client.get(
        "/api/audit", params={"action": "auth.", "limit": 500}, headers=admin
    ).json()
    assert logins["data"] and all(e["action"].startswith("auth.") for e in logins["data"])
    naive = client.get("/api/audit", params={"since": "2026-01-01T00:00:00"}, headers=admin)
    assert naive.status_code == 400 and naive.json()["error"]["details"]["field"] == "since"
    too_many = client.get("/api/audit", params={"limit": 501}, headers=admin)
    assert too_many.status_code == 400


def test_unexpected_errors_show_no_trace(settings, db) -> None:
    from cityhub.web import create_app

    app = create_app(settings, db)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/api/boom")
        page = test_client.get("/boom-page-does-not-exist")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert response.json()["error"]["code"] == "internal_error"
    assert page.status_code == 404 and "<html" in page.text


@pytest.mark.parametrize(
    ("path", "where"),
    [
        (f"/api/programme/tasks/{2**31}", "number"),  # beyond PostgreSQL's INTEGER
        (f"/api/sharing/requests/{10**30}", "request_id"),  # beyond SQLite's 64 bits
        ("/api/sensing/rules/0/enabled", "rule_id"),  # ids start at 1
        ("/api/trace/log/bundles/-1", "index"),
    ],
)
def test_numeric_path_parameters_out_of_range_are_400(
    client: TestClient, people: People, path: str, where: str
) -> None:
    admin = token_for(client, people.admin, ADMIN_PASSWORD)
    method = "PUT" if path.endswith("/enabled") else "GET"
    response = client.request(method, path, headers=admin, json={"enabled": True})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and where in error["message"]


def test_values_the_database_refuses_are_400_not_500(client: TestClient, people: People) -> None:
    # An integer query field without bounds of its own reaches the database, which refuses it:
    # SQLite's driver with OverflowError, PostgreSQL with "integer out of range".
    admin = token_for(client, people.admin, ADMIN_PASSWORD)
    response = client.get("/api/programme/reports", params={"task": 10**30}, headers=admin)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == {
        "code": "invalid_input",
        "message": "a value in the request is out of range",
        "details": {"reason": response.json()["error"]["details"]["reason"]},
    }


def test_healthz_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/auth/token" in spec["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
