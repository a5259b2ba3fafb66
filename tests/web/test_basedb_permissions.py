"""Who may call the base-database templates and thematic groups API, role by role."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub import auth, catalog
from cityhub.catalog import groups
from cityhub.db import Database
from tests.web.permission_table import ROLES, check_call

STEWARD = auth.Actor(None, "slj.steward", auth.Role.STEWARD, "SLJ")

# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/templates", None, (200, 200, 200, 200)),
    ("GET", "/api/templates/legal_entity", None, (200, 200, 200, 200)),
    (
        "POST",
        "/api/templates/macro_economy/datasets",
        {"name": "water-economy", "department": "SLJ"},
        (401, 403, 201, 201),
    ),
    ("GET", "/api/groups", None, (200, 200, 200, 200)),
    ("POST", "/api/groups", {"name": "flood-topic", "title": "防汛专题"}, (401, 403, 201, 201)),
    ("GET", "/api/groups/water-topic", None, (200, 200, 200, 200)),
    ("PUT", "/api/groups/water-topic/datasets/water", None, (401, 403, 204, 204)),
    ("DELETE", "/api/groups/water-topic/datasets/water", None, (401, 403, 204, 204)),
]
PLACEHOLDERS = {
    "legal_entity": "{key}",
    "macro_economy": "{key}",
    "water-topic": "{name}",  # before "water": the paths are rewritten in this order
    "water": "{dataset}",
}


@pytest.fixture
def water_topic(db: Database) -> None:
    """A dataset of 水利局 in a group of 水利局."""
    spec = catalog.DatasetSpec(name="water", title="河道水位", department="SLJ")
    catalog.create_dataset(db, auth.Actor.system(), spec)
    groups.create_group(db, STEWARD, groups.GroupSpec("water-topic", "水资源专题"))
    groups.add_dataset(db, STEWARD, "water-topic", "water")


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_endpoint(
    client: TestClient,
    water_topic: None,
    headers: dict[str, dict[str, str]],
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, int, int, int],
) -> None:
    check_call(client, headers[role], method, path, body, expected[ROLES.index(role)])


def test_group_shows_only_what_the_caller_may_see(
    client: TestClient, water_topic: None, headers: dict[str, dict[str, str]]
) -> None:
    public = client.get("/api/groups/water-topic").json()
    analyst = client.get("/api/groups/water-topic", headers=headers["analyst"]).json()
    assert (public["datasets"], public["dataset_count"]) == ([], 0)
    assert (analyst["datasets"], analyst["department"]) == (["water"], "SLJ")
    listed = client.get("/api/groups", headers=headers["analyst"]).json()
    assert [(g["name"], g["dataset_count"]) for g in listed] == [("water-topic", 1)]


def test_admin_names_the_managing_department(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    body = {"name": "farm-topic", "title": "农业专题", "department": "NYNCJ"}
    created = client.post("/api/groups", json=body, headers=headers["admin"])
    assert created.status_code == 201 and created.json()["department"] == "NYNCJ"
    refused = client.post(
        "/api/groups", json=body | {"name": "farm-two"}, headers=headers["steward"]
    )
    assert refused.status_code == 403
