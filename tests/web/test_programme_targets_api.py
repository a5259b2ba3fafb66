"""The programme targets and warnings API: definitions, values, a computed target refreshed
after a new dataset version, warnings with their reasons, and errors with their details."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityhub import catalog
from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.pool.ingest import IngestMode, ingest
from cityhub.pool.service import Pool
from cityhub.programme import tasks
from cityhub.programme.tasks import city_today
from tests.conftest import People

SITES = {
    "code": "SLJ-SITES",
    "name_zh": "水利感知站点",
    "name_en": "Water sensing sites",
    "unit_zh": "个",
    "unit_en": "sites",
    "baseline": 0,
    "baseline_on": "2020-04-07",
    "target_value": 100,
    "deadline": "2022-12-31",
    "owner": "SLJ",
    "task_number": 4,
}


@pytest.fixture
def loaded(db: Database, people: People) -> Database:
    with db.transaction() as session:
        tasks.ensure_tasks(session)
    return db


def test_define_record_read_and_change(
    client: TestClient, loaded: Database, headers: dict[str, dict[str, str]]
) -> None:
    admin, steward = headers["admin"], headers["steward"]
    created = client.post("/api/programme/targets", json=SITES, headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["values"] == [] and body["latest"] is None and body["progress"] is None
    assert (body["direction"], body["source"], body["path"]) == ("up", "manual", "linear")

    for value, day in ((20, "2020-12-31"), (45, "2021-06-30")):
        recorded = client.post(
            "/api/programme/targets/SLJ-SITES/values",
            json={"value": value, "measured_on": day},
            headers=steward,
        )
        assert recorded.status_code == 201, recorded.text
    shown = client.get("/api/programme/targets/SLJ-SITES", headers=headers["analyst"]).json()
    assert [v["value"] for v in shown["values"]] == [20, 45]
    assert shown["latest"] == 45 and shown["progress"] == pytest.approx(0.45)
    assert shown["values"][0] == {
        "measured_on": "2020-12-31",
        "value": 20.0,
        "source": "manual",
        "source_ref": None,
    }

    changed = client.patch(
        "/api/programme/targets/SLJ-SITES",
        json={"target_value": 90, "task_number": None},
        headers=admin,
    )
    assert changed.status_code == 200
    assert changed.json()["target_value"] == 90 and changed.json()["task_number"] is None
    listed = client.get("/api/programme/targets", headers=steward).json()
    assert [t["code"] for t in listed] == ["SLJ-SITES"]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"code": "bad code"}, 400, "code"),
        ({"target_value": -1}, 400, "target_value"),
        ({"owner": "NOPE"}, 400, "owner"),
        ({"direction": "sideways"}, 400, None),  # not one of the schema's values
    ],
)
def test_invalid_definitions(
    client: TestClient,
    loaded: Database,
    headers: dict[str, dict[str, str]],
    change: dict[str, object],
    status: int,
    field: str | None,
) -> None:
    response = client.post("/api/programme/targets", json=SITES | change, headers=headers["admin"])
    assert response.status_code == status, response.text
    if field:
        assert response.json()["error"]["details"]["field"] == field


def test_not_found_and_conflict(
    client: TestClient, loaded: Database, headers: dict[str, dict[str, str]]
) -> None:
    admin = headers["admin"]
    assert client.get("/api/programme/targets/NONE", headers=admin).status_code == 404
    assert client.post("/api/programme/targets", json=SITES, headers=admin).status_code == 201
    again = client.post("/api/programme/targets", json=SITES, headers=admin)
    assert again.status_code == 409
    future = client.post(
        "/api/programme/targets/SLJ-SITES/values",
        json={"value": 1, "measured_on": "2999-01-01"},
        headers=admin,
    )
    assert future.status_code == 400
    assert future.json()["error"]["details"]["field"] == "measured_on"


def test_a_computed_target_follows_its_dataset(
    client: TestClient, loaded: Database, headers: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    pool: Pool = client.app.state.pool  # type: ignore[attr-defined]
    system = Actor.system()
    catalog.create_dataset(
        loaded, system, catalog.DatasetSpec(name="stations", title="水文测站", department="SLJ")
    )

    def upload(text: str, number: int) -> None:
        path = tmp_path / f"stations-{number}.csv"
        path.write_text("站码,类型\n" + text, encoding="utf-8")
        ingest(
            loaded,
            system,
            pool.warehouse,
            dataset="stations",
            path=path,
            file_name=path.name,
            mode=IngestMode.APPEND,
        )

    upload("1,雨量\n2,水位\n", 1)
    admin = headers["admin"]
    sql = "SELECT count(*) FROM \"stations\" WHERE 类型 = '雨量'"
    made = client.post(
        "/api/programme/targets",
        json=SITES | {"code": "RAIN", "source": "sql", "sql": sql},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    first = client.post("/api/programme/targets/refresh", headers=admin).json()
    assert first == {"changed": ["RAIN"], "unchanged": [], "failed": []}
    again = client.post("/api/programme/targets/refresh", headers=admin).json()
    assert again == {"changed": [], "unchanged": ["RAIN"], "failed": []}
    upload("3,雨量\n", 2)
    client.post("/api/programme/targets/refresh", headers=admin)
    values = client.get("/api/programme/targets/RAIN", headers=admin).json()["values"]
    assert [(v["value"], v["source_ref"]) for v in values] == [
        (1.0, "stations@1"),
        (2.0, "stations@2"),
    ]
    assert values[-1]["measured_on"] == city_today().isoformat()

    client.patch(
        "/api/programme/targets/RAIN", json={"sql": 'SELECT nope FROM "stations"'}, headers=admin
    )
    failed = client.post("/api/programme/targets/refresh", headers=admin).json()["failed"]
    assert failed[0]["code"] == "RAIN" and failed[0]["message"].startswith("target RAIN: ")


def test_warnings_say_why(
    client: TestClient, loaded: Database, headers: dict[str, dict[str, str]]
) -> None:
    admin = headers["admin"]
    client.post("/api/programme/targets", json=SITES, headers=admin)
    client.post(
        "/api/programme/targets/SLJ-SITES/values",
        json={"value": 1, "measured_on": "2020-06-01"},
        headers=admin,
    )
    found = client.get(
        "/api/programme/warnings?on=2021-01-05&department=SLJ", headers=headers["analyst"]
    ).json()
    behind = next(w for w in found if w["kind"] == "behind_path")
    assert behind["key"] == "SLJ-SITES" and behind["department"] == "SLJ"
    assert behind["numbers"]["latest"] == 1.0 and behind["numbers"]["tolerance"] == 5.0
    assert "落后" in behind["reason_zh"] and "behind" in behind["reason_en"]
    assert any(w["kind"] == "report_overdue" and w["key"] == "4" for w in found)
    assert {w["department"] for w in found} == {"SLJ"}
    bad = client.get("/api/programme/warnings?on=someday", headers=admin)
    assert bad.status_code == 400
