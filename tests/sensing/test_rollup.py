"""The roll-up of old Observations into the pool: right datasets, exact values, sharing kept,
nothing lost or doubled on failure, race or kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from cityhub import auth, catalog
from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor, Role
from cityhub.auth.departments import department_by_code
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import InvalidInput, QueryRefused
from cityhub.pool.ingest import append_rows
from cityhub.pool.service import Pool, run_sql
from cityhub.sensing import rollup
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    Latest,
    Location,
    Observation,
    ObservedProperty,
    Sensor,
    Thing,
    ThingLocation,
)
from cityhub.sensing.observations import NewObservation, insert_observations, result_columns
from cityhub.sensing.rollup_tables import Group, Sharing, result_text, sharing_of
from cityhub.sensing.sta import values
from tests.conftest import PASSWORD, token_for

NOW = datetime(2024, 9, 1, 10, tzinfo=UTC)
RETENTION = timedelta(days=30)  # cutoff: 2024-08-02 00:00 UTC
OLD = datetime(2024, 7, 1, tzinfo=UTC)
NEW = datetime(2024, 8, 25, tzinfo=UTC)
H = timedelta(hours=1)
SLJ = Actor(None, "slj.steward", Role.STEWARD, "SLJ")
NYNCJ = Actor(None, "nyncj.steward", Role.STEWARD, "NYNCJ")
DSJJ = Actor(None, "dsjj.steward", Role.STEWARD, "DSJJ")
LEVEL = "http://vocab.example/waterlevel"

# key: (station, department, datastream, share type, open, observation type, unit, property)
STREAMS = {
    "level": ("徒骇河水文站", "SLJ", "水位", "unconditional", False, values.OM_MEASUREMENT, "m"),
    "gate": ("徒骇河水文站", "SLJ", "闸门状态", "none", False, values.OM_CATEGORY, None),
    "flow": ("徒骇河水文站", "SLJ", "流量", "conditional", False, values.OM_MEASUREMENT, "m³/s"),
    "lake": ("东昌湖", "SLJ", "湖水位", "conditional", True, values.OM_MEASUREMENT, "m"),
    "soil": ("墒情站", "NYNCJ", "土壤含水量", "unconditional", False, values.OM_MEASUREMENT, "%"),
    "probe": ("墒情站", "NYNCJ", "探头", "unconditional", False, values.OM_OBSERVATION, None),
    "volt": ("未登记站", None, "电压", "unconditional", False, values.OM_MEASUREMENT, "V"),
}
# key → (phenomenon time, result, extra NewObservation fields); per key in time order.
READINGS: list[tuple[str, datetime, Any, dict[str, Any]]] = [
    ("level", OLD, 31.5, {}),
    (
        "level",
        OLD + H,
        31.75,
        {
            "parameters": {"来源": "sl651", "序号": 7},
            "result_time": OLD + H,
            "result_quality": ["good"],
            "valid_time_start": OLD,
            "valid_time_end": OLD + 2 * H,
        },
    ),
    ("level", NEW, 32, {}),
    ("gate", OLD, "开启", {}),
    ("gate", OLD + 2 * H, "关闭", {}),
    ("gate", NEW, "开启", {}),
    ("flow", OLD, 120.5, {"phenomenon_time_end": OLD + H / 2}),
    ("flow", OLD + H, 118, {}),  # the newest of its Datastream: stays for the dashboards
    ("lake", OLD, 26.1, {}),
    ("lake", NEW, 26.3, {}),
    ("soil", OLD, 21.5, {}),
    ("soil", datetime(2024, 8, 2, 5, tzinfo=UTC), 22.0, {}),  # after the cutoff's day began
    ("soil", NEW, 23.0, {}),
    ("probe", OLD, {"深度": [10, 20], "ok": True}, {}),
    ("probe", OLD + H, True, {}),
    ("probe", OLD + 2 * H, 2**60, {}),
    ("probe", OLD + 3 * H, None, {}),
    ("probe", NEW, "x", {}),
    ("volt", OLD, 12.5, {}),
    ("volt", NEW, 12.4, {}),
]
MOVED = {  # index in READINGS → (result_number, result_text) in the pool
    0: (31.5, None),
    1: (31.75, None),
    3: (None, "开启"),
    4: (None, "关闭"),
    6: (120.5, None),
    8: (26.1, None),
    10: (21.5, None),
    13: (None, '{"深度": [10, 20], "ok": true}'),
    14: (None, "true"),
    15: (None, "1152921504606846976"),  # beyond 2**53: kept exactly, as JSON text
    16: (None, None),
    18: (12.5, None),
}
STAYING = set(range(len(READINGS))) - MOVED.keys()  # new, a Datastream's latest, after cutoff
WHERE = {  # key → dataset its old Observations go to
    "level": "sensor_observations_slj",
    "gate": "sensor_observations_slj_none",
    "flow": "sensor_observations_slj_conditional",
    "lake": "sensor_observations_slj_open",
    "soil": "sensor_observations_nyncj",
    "probe": "sensor_observations_nyncj",
    "volt": "sensor_observations_dsjj",
}
OWNER = {"slj": SLJ, "nyncj": NYNCJ, "dsjj": DSJJ}


@dataclass
class City:
    streams: dict[str, int] = field(default_factory=dict)
    things: dict[str, int] = field(default_factory=dict)
    features: dict[str, int] = field(default_factory=dict)  # station → FoI of its Location
    ids: list[int] = field(default_factory=list)  # of READINGS, in order

    def expected(self, dataset: str) -> list[tuple[Any, ...]]:
        """The dataset's rows as the SQL API returns them, by observation id."""
        rows = []
        for index, (key, at, _, extra) in enumerate(READINGS):
            if index in STAYING or WHERE[key] != dataset:
                continue
            station, _, name, _, _, _, unit = STREAMS[key]
            number, text = MOVED[index]
            end, result_time = extra.get("phenomenon_time_end"), extra.get("result_time")
            parameters, quality = extra.get("parameters"), extra.get("result_quality")
            valid = [extra.get(f"valid_time_{edge}") for edge in ("start", "end")]
            rows.append(
                (
                    self.ids[index],
                    self.streams[key],
                    name,
                    self.things[station],
                    station,
                    f"{name}要素",
                    LEVEL,
                    unit,
                    at.replace(tzinfo=None),
                    end and end.replace(tzinfo=None),
                    result_time and result_time.replace(tzinfo=None),
                    number,
                    text,
                    parameters and '{"序号": 7, "来源": "sl651"}',
                    quality and '["good"]',
                    *(moment and moment.replace(tzinfo=None) for moment in valid),
                    self.features[station],
                )
            )
        return sorted(rows)


def build_city(db: Database, extra_old_levels: int = 0) -> City:
    city = City()
    with db.transaction() as session:
        sensor = Sensor(name="s", description="d", encoding_type="text/html", metadata_="m")
        session.add(sensor)
        for key, (station, code, name, share, public, kind, unit) in STREAMS.items():
            if station not in city.things:
                owner = department_by_code(session, code).id if code else None
                thing = Thing(name=station, description="站", department_id=owner)
                place = Location(
                    name=station,
                    description="d",
                    encoding_type="application/geo+json",
                    location={"type": "Point", "coordinates": [115.98, 36.45]},
                    x=115.98,
                    y=36.45,
                )
                session.add_all([thing, place])
                session.flush()
                session.add(ThingLocation(thing_id=thing.id, location_id=place.id))
                city.things[station] = thing.id
            prop = ObservedProperty(name=f"{name}要素", definition=LEVEL, description="d")
            session.add(prop)
            session.flush()
            stream = Datastream(
                name=name,
                description="d",
                unit_of_measurement={"name": "unit", "symbol": unit} if unit else {},
                observation_type=kind,
                thing_id=city.things[station],
                sensor_id=sensor.id,
                observed_property_id=prop.id,
                share_type=share,
                open_to_public=public,
            )
            session.add(stream)
            session.flush()
            city.streams[key] = stream.id
        rows = [
            NewObservation(city.streams[key], at, result, **extra)
            for key, at, result, extra in READINGS
        ]
        city.ids = [stored.id for stored in insert_observations(session, rows)]
        for station, thing_id in city.things.items():
            located = select(ThingLocation.location_id).where(ThingLocation.thing_id == thing_id)
            foi = select(FeatureOfInterest.id).where(FeatureOfInterest.location_id.in_(located))
            city.features[station] = session.scalars(foi).one()
        more = [
            NewObservation(city.streams["level"], OLD - timedelta(minutes=i + 1), float(i))
            for i in range(extra_old_levels)
        ]
        city.ids += [stored.id for stored in insert_observations(session, more)]
    return city


def roll(pool: Pool, **options: Any) -> rollup.RollupReport:
    return rollup.roll_up(pool.db, pool, now=NOW, retention=RETENTION, **options)


def rows_of(pool: Pool, dataset: str) -> list[tuple[Any, ...]]:
    owner = OWNER[dataset.split("_")[2]]
    return run_sql(pool, owner, f"SELECT * FROM {dataset} ORDER BY observation_id").rows


def remaining(db: Database) -> set[int]:
    with db.reading() as session:
        return set(session.scalars(select(Observation.id)))


def history_ids(pool: Pool) -> dict[str, list[int]]:
    """Observation ids in the newest recorded version of each history dataset (from Parquet)."""
    found: dict[str, list[int]] = {}
    with pool.db.reading() as session:
        datasets = session.scalars(
            select(catalog.Dataset).where(catalog.Dataset.name.like("sensor_observations_%"))
        ).all()
        for dataset in datasets:
            version = catalog.latest_version(session, dataset)
            files = pool.files(dataset.id, version.snapshot_id) if version else ()
            ids = pq.read_table(list(files)).column("observation_id").to_pylist() if files else []
            found[dataset.name] = ids
    return found


def assert_each_in_one_place(pool: Pool, everything: set[int]) -> None:
    in_db = remaining(pool.db)
    in_pool = [i for ids in history_ids(pool).values() for i in ids]
    assert len(in_pool) == len(set(in_pool)), "an Observation is in the pool twice"
    assert not in_db & set(in_pool), "an Observation is in the database and in the pool"
    assert in_db | set(in_pool) == everything, "an Observation is lost"


def latest_ids(db: Database) -> dict[int, int]:
    with db.reading() as session:
        query = select(Latest.datastream_id, Latest.observation_id)
        return {row[0]: row[1] for row in session.execute(query)}


def rollup_events(db: Database) -> list[AuditEvent]:
    with db.reading() as session:
        query = select(AuditEvent).where(AuditEvent.action == "sensing.rollup")
        return list(session.scalars(query.order_by(AuditEvent.id)))


@pytest.fixture
def pool(db: Database, settings: Settings) -> Any:
    pool = Pool(db, settings)
    yield pool
    pool.close()


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


def test_a_stop_request_ends_the_rollup_after_the_batch_under_way(
    pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = build_city(pool.db)
    stop = threading.Event()

    def then_stop(*args: Any, **kwargs: Any) -> Any:
        stop.set()
        return append_rows(*args, **kwargs)

    monkeypatch.setattr(rollup, "append_rows", then_stop)
    report = roll(pool, stop=stop)
    assert report.rows_by_dataset() == {"sensor_observations_dsjj": 1}
    assert len(remaining(pool.db)) == len(city.ids) - 1
    assert_each_in_one_place(pool, set(city.ids))


def test_a_failure_while_recording_leaves_every_observation_in_place(
    pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = build_city(pool.db)

    def broken(session: Any, ids: Any) -> None:
        session.execute(delete(Observation).where(Observation.id.in_(ids)))
        raise OSError("disk full")

    monkeypatch.setattr(rollup, "delete_moved", broken)
    report = roll(pool)
    assert report.batches == ()
    assert sorted(f.dataset for f in report.failures) == sorted(set(WHERE.values()))
    assert all("disk full" in f.error for f in report.failures)
    assert remaining(pool.db) == set(city.ids)
    assert all(ids == [] for ids in history_ids(pool).values())
    assert rollup_events(pool.db) == []
    monkeypatch.undo()
    # The next run builds on no version: the unrecorded snapshots' rows do not come back.
    assert roll(pool).failures == ()
    for dataset in sorted(set(WHERE.values())):
        assert rows_of(pool, dataset) == city.expected(dataset), dataset
    assert_each_in_one_place(pool, set(city.ids))


def _delete_volt(db: Database, city: City) -> set[int]:
    with db.transaction() as session:
        session.execute(delete(Observation).where(Observation.id == city.ids[18]))
    return {city.ids[18]}


def _share_level_no_more(db: Database, city: City) -> set[int]:
    with db.transaction() as session:
        level = session.get(Datastream, city.streams["level"])
        assert level is not None
        level.share_type = "none"
    return set()


@pytest.mark.parametrize(
    ("change", "dataset", "then"),
    [  # what changes while the batch of ``dataset`` is written; where its rows go next time
        (_delete_volt, "sensor_observations_dsjj", None),
        (_share_level_no_more, "sensor_observations_slj", "sensor_observations_slj_none"),
    ],
)
def test_a_change_while_a_batch_is_written_stops_that_batch_only(
    pool: Pool,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[Database, City], set[int]],
    dataset: str,
    then: str | None,
) -> None:
    city = build_city(pool.db)
    gone: set[int] = set()

    def changed_meanwhile(*args: Any, **kwargs: Any) -> Any:
        if kwargs["dataset"] == dataset:
            gone.update(change(pool.db, city))
        return append_rows(*args, **kwargs)

    monkeypatch.setattr(rollup, "append_rows", changed_meanwhile)
    report = roll(pool)
    assert [f.dataset for f in report.failures] == [dataset]
    assert dataset not in report.rows_by_dataset()
    assert history_ids(pool)[dataset] == []
    old = {city.ids[i] for i in MOVED if WHERE[READINGS[i][0]] == dataset}
    assert old - gone <= remaining(pool.db)
    assert report.rows == len(MOVED) - len(old)  # the other groups moved all theirs
    monkeypatch.undo()
    again = roll(pool)
    assert again.failures == () and history_ids(pool)[dataset] == []
    if then is not None:
        assert old <= set(history_ids(pool)[then])
    assert_each_in_one_place(pool, set(city.ids) - gone)


def test_a_dataset_name_taken_by_another_department_stops_that_group_only(pool: Pool) -> None:
    spec = catalog.DatasetSpec(name="sensor_observations_dsjj", title="别人的", department="GXJ")
    catalog.create_dataset(pool.db, Actor.system(), spec)
    city = build_city(pool.db)
    report = roll(pool)
    assert [f.dataset for f in report.failures] == ["sensor_observations_dsjj"]
    assert "another department" in report.failures[0].error
    assert city.ids[18] in remaining(pool.db)
    assert report.rows == len(MOVED) - 1
    assert catalog.list_versions(pool.db, Actor.system(), "sensor_observations_dsjj") == []


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime, timedelta
    from pathlib import Path
    from cityhub.db import Database
    from cityhub.pool.warehouse import Warehouse
    from cityhub.sensing import rollup

    db = Database(sys.argv[1])
    stage = sys.argv[3]
    calls = []

    def eighth_call():  # five groups of one batch each, then the 水位 group's third batch
        calls.append(1)
        if len(calls) == 8:
            os.kill(os.getpid(), signal.SIGKILL)

    if stage == "recording":  # the batch is deleted in the version's transaction, not committed
        delete_moved = rollup.delete_moved
        def delete_then_die(session, ids):
            delete_moved(session, ids)
            session.flush()
            eighth_call()
        rollup.delete_moved = delete_then_die
    else:  # the Iceberg snapshot is committed, the version not yet recorded
        commit = Warehouse.commit
        def commit_then_die(self, *args, **kwargs):
            snapshot = commit(self, *args, **kwargs)
            eighth_call()
            return snapshot
        Warehouse.commit = commit_then_die
    rollup.roll_up(db, Warehouse(db, Path(sys.argv[2])), now=datetime.fromisoformat(sys.argv[4]),
                   retention=timedelta(days=30), batch_rows=50)
    """
)


@pytest.mark.parametrize("stage", ["recording", "committed"])
def test_a_rollup_killed_midway_loses_and_doubles_nothing(pool: Pool, stage: str) -> None:
    city = build_city(pool.db, extra_old_levels=300)
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLER,
            pool.db.url.render_as_string(hide_password=False),
            str(pool.settings.data_dir),
            stage,
            NOW.isoformat(),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    versions = catalog.list_versions(pool.db, Actor.system(), "sensor_observations_slj")
    assert len(versions) == 2 and len(history_ids(pool)["sensor_observations_slj"]) == 100
    assert_each_in_one_place(pool, set(city.ids))
    roll(pool, batch_rows=50)
    assert_each_in_one_place(pool, set(city.ids))
    assert remaining(pool.db) == {city.ids[i] for i in STAYING}
    assert len(history_ids(pool)["sensor_observations_slj"]) == 302


def test_the_scheduler_runs_every_interval_and_survives_errors(
    pool: Pool, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = build_city(pool.db)
    off = rollup.RollupScheduler(
        pool.db, pool, settings.model_copy(update={"sensing_rollup_minutes": 0})
    )
    off.start()
    assert off._thread is None
    monkeypatch.setattr(rollup.RollupScheduler, "interval", property(lambda self: 0.05))
    real, runs, done = rollup.roll_up, [], threading.Event()

    def first_fails(*args: Any, **kwargs: Any) -> rollup.RollupReport:
        runs.append(kwargs["retention"])
        if len(runs) == 1:
            raise RuntimeError("database away")
        report = real(*args, **kwargs)
        done.set()
        return report

    monkeypatch.setattr(rollup, "roll_up", first_fails)
    configured = settings.model_copy(update={"sensing_retention_days": 30})
    scheduler = rollup.RollupScheduler(pool.db, pool.warehouse, configured, clock=lambda: NOW)
    scheduler.start()
    try:
        assert done.wait(30)
    finally:
        scheduler.stop()
    assert runs[:2] == [RETENTION, RETENTION]
    assert remaining(pool.db) == {city.ids[i] for i in STAYING}


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
