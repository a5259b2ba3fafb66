"""The roll-up of old Observations into the pool: right datasets, exact values, sharing kept.
Failures, races, stop requests and kill -9 are in test_rollup_safety.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from cityhub import auth, catalog
from cityhub.auth import Actor, Role
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import InvalidInput, QueryRefused
from cityhub.pool.service import Pool, run_sql
from cityhub.sensing import rollup
from cityhub.sensing.models import Latest
from cityhub.sensing.observations import result_columns
from cityhub.sensing.rollup_tables import Group, Sharing, result_text, sharing_of
from tests.conftest import PASSWORD, token_for
from tests.sensing.rollup_support import (
    MOVED,
    NOW,
    NYNCJ,
    STAYING,
    WHERE,
    build_city,
    remaining,
    roll,
    rollup_events,
    rows_of,
)


def latest_ids(db: Database) -> dict[int, int]:
    with db.reading() as session:
        query = select(Latest.datastream_id, Latest.observation_id)
        return {row[0]: row[1] for row in session.execute(query)}


def test_old_observations_move_to_their_datasets_with_exact_values(pool: Pool) -> None:
    city = build_city(pool.db)
    latest_before = latest_ids(pool.db)
    assert latest_before[city.streams["flow"]] == city.ids[7]
    report = roll(pool)
    assert report.cutoff == datetime(2024, 8, 2, tzinfo=UTC)
    assert report.rows == len(MOVED)
    datasets = sorted(set(WHERE.values()))
    assert sorted(report.rows_by_dataset()) == datasets
    for dataset in datasets:
        assert rows_of(pool, dataset) == city.expected(dataset), dataset
    assert remaining(pool.db) == {city.ids[i] for i in STAYING}
    assert latest_ids(pool.db) == latest_before
    events = rollup_events(pool.db)
    assert [(e.object_id, e.details["observations"]) for e in events] == [
        (b.dataset, b.rows) for b in report.batches
    ]
    # Again: nothing more is old enough, so no version and no event.
    assert roll(pool).batches == ()
    assert len(rollup_events(pool.db)) == len(events)
    for dataset in datasets:
        assert len(catalog.list_versions(pool.db, Actor.system(), dataset)) == 1


def test_history_datasets_follow_the_datastreams_sharing(pool: Pool) -> None:
    build_city(pool.db)
    roll(pool)
    with pool.db.reading() as session:
        datasets = list(session.scalars(select(catalog.Dataset)))
    assert {d.update_cycle for d in datasets} == {"realtime"}
    entries = {
        d.name.removeprefix("sensor_observations_"): (
            d.department.code,
            d.share_type,
            d.open_type,
            d.title.replace(" 传感器观测历史", "|"),
        )
        for d in datasets
    }
    assert entries == {
        "slj": ("SLJ", "unconditional", "closed", "市水利局|"),
        "slj_conditional": ("SLJ", "conditional", "closed", "市水利局|(有条件共享)"),
        "slj_none": ("SLJ", "none", "closed", "市水利局|(不予共享)"),
        "slj_open": ("SLJ", "unconditional", "open", "市水利局|(开放)"),
        "nyncj": ("NYNCJ", "unconditional", "closed", "市农业农村局|"),
        "dsjj": ("DSJJ", "unconditional", "closed", "市大数据局|"),
    }
    # The public reads only what was open to the public; other departments what is shared.
    public = Actor.public()
    assert run_sql(pool, public, "SELECT count(*) FROM sensor_observations_slj_open").rows == [(1,)]
    for dataset in ("sensor_observations_slj", "sensor_observations_slj_conditional"):
        with pytest.raises(QueryRefused):
            run_sql(pool, public, f"SELECT count(*) FROM {dataset}")
    with pytest.raises(QueryRefused):
        run_sql(pool, NYNCJ, "SELECT count(*) FROM sensor_observations_slj_conditional")
    catalog.grant(pool.db, Actor.system(), "sensor_observations_slj_conditional", "NYNCJ")
    count = "SELECT count(*) FROM sensor_observations_slj_conditional"
    assert run_sql(pool, NYNCJ, count).rows == [(1,)]


def test_an_analyst_of_another_department_reads_shared_history_over_http(
    db: Database, settings: Settings, client: TestClient
) -> None:
    auth.create_user(
        db,
        Actor.system(),
        username="nyncj.analyst",
        password=PASSWORD,
        department_code="NYNCJ",
        role=Role.ANALYST,
    )
    city = build_city(db)
    pool = Pool(db, settings)
    try:
        roll(pool)
    finally:
        pool.close()
    analyst = token_for(client, "nyncj.analyst")
    sql = "SELECT observation_id, result_number FROM sensor_observations_slj ORDER BY 1"
    answer = client.post("/api/sql", json={"sql": sql}, headers=analyst)
    assert answer.status_code == 200, answer.text
    assert answer.json()["rows"] == [[city.ids[0], 31.5], [city.ids[1], 31.75]]
    hidden = "SELECT count(*) FROM sensor_observations_slj_none"
    refused = client.post("/api/sql", json={"sql": hidden}, headers=analyst)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "query_refused"


def test_small_batches_make_one_version_and_one_event_each(pool: Pool) -> None:
    city = build_city(pool.db)
    report = roll(pool, batch_rows=2)
    moved = report.rows_by_dataset()
    assert moved["sensor_observations_nyncj"] == 5
    versions = catalog.list_versions(pool.db, Actor.system(), "sensor_observations_nyncj")
    assert [v.rows_added for v in reversed(versions)] == [2, 2, 1]
    assert len(rollup_events(pool.db)) == len(report.batches) == 8
    for dataset in sorted(set(WHERE.values())):
        assert rows_of(pool, dataset) == city.expected(dataset), dataset


@pytest.mark.parametrize(
    ("share_type", "public", "sharing"),
    [
        ("unconditional", False, Sharing.UNCONDITIONAL),
        ("conditional", False, Sharing.CONDITIONAL),
        ("none", False, Sharing.NONE),
        ("something-new", False, Sharing.NONE),  # unknown: the most restrictive
        ("none", True, Sharing.OPEN),
        ("conditional", True, Sharing.OPEN),
    ],
)
def test_sharing_of_a_datastream(share_type: str, public: bool, sharing: Sharing) -> None:
    assert sharing_of(share_type, public) is sharing


@pytest.mark.parametrize(
    ("code", "sharing", "name"),
    [
        ("SLJ", Sharing.UNCONDITIONAL, "sensor_observations_slj"),
        ("SLJ", Sharing.NONE, "sensor_observations_slj_none"),
        ("GOV-371502", Sharing.CONDITIONAL, "sensor_observations_gov_371502_conditional"),
        ("ZONE-JKQ", Sharing.OPEN, "sensor_observations_zone_jkq_open"),
    ],
)
def test_dataset_names_are_plain_sql_names(code: str, sharing: Sharing, name: str) -> None:
    group = Group(1, code, "部门", sharing, takes_unowned=False)
    assert group.dataset_name == name
    assert catalog.datasets.NAME.fullmatch(group.spec().name)


@pytest.mark.parametrize(
    ("now", "days", "cutoff"),
    [
        (NOW, 30, datetime(2024, 8, 2, tzinfo=UTC)),
        (datetime(2024, 9, 1, 0, tzinfo=UTC), 1, datetime(2024, 8, 31, tzinfo=UTC)),
        # 07:59 Beijing time on 1 September is still 31 August in UTC.
        (datetime(2024, 9, 1, 7, 59, tzinfo=UTC).replace(tzinfo=None), 1, None),
        (datetime.fromisoformat("2024-09-01T07:59+08:00"), 1, datetime(2024, 8, 30, tzinfo=UTC)),
    ],
)
def test_the_cutoff_is_the_start_of_a_utc_day(
    now: datetime, days: int, cutoff: datetime | None
) -> None:
    if cutoff is None:
        with pytest.raises(InvalidInput):
            rollup.rollup_cutoff(now, timedelta(days=days))
    else:
        assert rollup.rollup_cutoff(now, timedelta(days=days)) == cutoff


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(JSON)
def test_every_result_survives_as_a_number_or_text(result: Any) -> None:
    kind, number, boolean, string, as_json = result_columns(result)
    text = result_text(kind, boolean, string, as_json)
    if isinstance(result, str):
        assert text == result
    elif number is not None:
        assert text is None and number == float(result)
    else:
        assert (None if text is None else json.loads(text)) == result


def test_no_datastream_rows_mean_no_dataset(pool: Pool) -> None:
    assert roll(pool).batches == ()
    with pool.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(catalog.Dataset)) == 0
