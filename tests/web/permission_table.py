"""The shared runner of the role × endpoint tables (``test_*permissions.py``)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

ROLES = ("public", "analyst", "steward", "admin")

# (method, path, JSON body or None, expected status per role in ROLES order)
Endpoint = tuple[str, str, Any, tuple[int, int, int, int]]


def check_call(
    client: TestClient, headers: dict[str, str], method: str, path: str, body: Any, expected: int
) -> None:
    """Call the endpoint as one role: the status is the table's, and errors have the envelope."""
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == expected, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}
