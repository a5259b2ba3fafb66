"""What the roll-up tests share: a small city of Datastreams with old and new Observations, what
the roll-up should make of them, and ways to look at the database and the pool afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import select

from cityhub import catalog
from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor, Role
from cityhub.auth.departments import department_by_code
from cityhub.db import Database
from cityhub.pool.service import Pool, run_sql
from cityhub.sensing import rollup
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    Location,
    Observation,
    ObservedProperty,
    Sensor,
    Thing,
    ThingLocation,
)
from cityhub.sensing.observations import NewObservation, insert_observations
from cityhub.sensing.sta import values

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


def rollup_events(db: Database) -> list[AuditEvent]:
    with db.reading() as session:
        query = select(AuditEvent).where(AuditEvent.action == "sensing.rollup")
        return list(session.scalars(query.order_by(AuditEvent.id)))
