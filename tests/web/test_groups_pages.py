"""The 6+N pages: base databases and thematic groups, and curating a group from the browser."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cityhub import auth, catalog
from cityhub.db import Database
from tests.conftest import PASSWORD, People
from tests.web.test_pages import csrf_of, log_in


def _datasets(db: Database) -> None:
    for name, title, department, open_type in (
        ("water", "河道水位", "SLJ", catalog.OpenType.OPEN),
        ("farms", "合作社名录", "NYNCJ", catalog.OpenType.CLOSED),
    ):
        spec = catalog.DatasetSpec(
            name=name, title=title, department=department, open_type=open_type
        )
        catalog.create_dataset(db, auth.Actor.system(), spec)


def test_steward_creates_and_curates_a_group(
    client: TestClient, db: Database, people: People
) -> None:
    _datasets(db)
    page = client.get("/groups")
    assert page.status_code == 200
    assert 'id="base-legal_entity"' in page.text and "法人单位基础信息" in page.text
    assert 'id="group-create"' not in page.text  # the public may not create groups
    log_in(client, people.steward, PASSWORD)
    token = csrf_of(client.get("/groups").text)
    created = client.post(
        "/groups",
        data={"csrf_token": token, "name": "water-topic", "title": "水资源专题"},
        follow_redirects=False,
    )
    assert (created.status_code, created.headers["location"]) == (303, "/groups/water-topic")
    for dataset in ("water", "farms"):
        added = client.post(
            "/groups/water-topic/datasets",
            data={"csrf_token": token, "dataset": dataset},
            follow_redirects=False,
        )
        assert added.status_code == 303
    group = client.get("/groups/water-topic").text
    assert "河道水位" in group and "合作社名录" in group and 'id="group-add"' in group
    removed = client.post(
        "/groups/water-topic/datasets/farms/remove",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert "合作社名录" not in client.get("/groups/water-topic").text
    refused = client.post("/groups/water-topic/datasets", data={"dataset": "farms"})
    assert refused.status_code == 403  # no CSRF token


def test_others_see_the_group_but_cannot_change_it(
    client: TestClient, db: Database, people: People
) -> None:
    _datasets(db)
    log_in(client, people.other_steward, PASSWORD)
    token = csrf_of(client.get("/groups").text)
    client.post("/groups", data={"csrf_token": token, "name": "farm-topic", "title": "农业专题"})
    client.post("/groups/farm-topic/datasets", data={"csrf_token": token, "dataset": "farms"})
    client.post("/logout", data={"csrf_token": token})
    assert (
        "合作社名录" not in client.get("/groups/farm-topic").text
    )  # closed: hidden from the public
    log_in(client, people.steward, PASSWORD)
    page = client.get("/groups/farm-topic").text
    assert "合作社名录" in page and 'id="group-add"' not in page
    token = csrf_of(page)
    refused = client.post(
        "/groups/farm-topic/datasets", data={"csrf_token": token, "dataset": "water"}
    )
    assert refused.status_code == 403
    assert client.get("/groups").text.count("farm-topic") >= 1
