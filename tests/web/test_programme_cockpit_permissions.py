"""Who may read the cockpit and download the leading group's report: every endpoint × role."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_PASSWORD, PASSWORD, People
from tests.web.permission_table import ROLES, check_call
from tests.web.test_pages import log_in

# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/programme/cockpit?on=2021-06-30", None, (401, 200, 200, 200)),
    ("GET", "/api/programme/briefing.xlsx?on=2021-06-30", None, (401, 200, 200, 200)),
    ("GET", "/api/programme/briefing.pdf?on=2021-06-30", None, (401, 200, 200, 200)),
]
PLACEHOLDERS: dict[str, str] = {}  # no path parameters
ELSEWHERE: set[tuple[str, str]] = set()


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_cockpit_endpoint(
    client: TestClient,
    headers: dict[str, dict[str, str]],
    role: str,
    method: str,
    path: str,
    body: Any,
    expected: tuple[int, int, int, int],
) -> None:
    check_call(client, headers[role], method, path, body, expected[ROLES.index(role)])


def test_every_cockpit_route_is_in_the_table(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    routes = {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith(("/api/programme/cockpit", "/api/programme/briefing"))
        for method in operations
    }
    assert routes == {(method, path.partition("?")[0]) for method, path, _, _ in ENDPOINTS}


@pytest.mark.parametrize(
    ("role", "status"), [("public", 303), ("analyst", 200), ("steward", 200), ("admin", 200)]
)
def test_the_page_and_its_downloads(
    client: TestClient, people: People, role: str, status: int
) -> None:
    """The page and its download links go by the session cookie, with the same permission."""
    if role != "public":
        username = {"analyst": people.analyst, "steward": people.steward, "admin": people.admin}
        log_in(client, username[role], ADMIN_PASSWORD if role == "admin" else PASSWORD)
    for path in (
        "/cockpit?on=2021-06-30",
        "/cockpit/briefing.xlsx?on=2021-06-30",
        "/cockpit/briefing.pdf?on=2021-06-30",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == status, (path, response.text[:300])
        if status == 303:
            assert response.headers["location"].startswith("/login?next=/cockpit")
