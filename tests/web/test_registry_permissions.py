"""Who may call the validators API: any signed-in user or token, never the anonymous public."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, People
from tests.web.permission_table import ROLES, check_call
from tests.web.test_pages import log_in

# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/validators/id_card?value=11010519491231002X", None, (401, 200, 200, 200)),
    ("GET", "/api/validators/iban?value=x", None, (401, 404, 404, 404)),
    ("POST", "/api/validators/credit_code", {"values": ["x"]}, (401, 200, 200, 200)),
    ("POST", "/api/validators/iban", {"values": ["x"]}, (401, 404, 404, 404)),
]
PLACEHOLDERS = {"id_card": "{kind}", "credit_code": "{kind}", "iban": "{kind}"}


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
    check_call(client, headers[role], method, path, body, expected[ROLES.index(role)])


def test_a_session_is_enough(client: TestClient, people: People) -> None:
    log_in(client, people.analyst, PASSWORD)
    response = client.get("/api/validators/phone", params={"value": "0635-8888888"})
    assert response.status_code == 200, response.text
    assert response.json()["normalised"] == "0635-8888888"


def test_a_bad_token_is_refused_even_with_a_session(client: TestClient, people: People) -> None:
    log_in(client, people.analyst, PASSWORD)
    response = client.get(
        "/api/validators/phone",
        params={"value": "0635-8888888"},
        headers={"Authorization": "Bearer chk_not-a-token"},
    )
    assert response.status_code == 401
