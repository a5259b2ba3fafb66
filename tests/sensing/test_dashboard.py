"""What the sensing pages show, read for each actor: stations with coordinates, latest values and
state; a Datastream's series with its thresholds.

The network (``build_network``, also used by the web tests), on the rivers of Liaocheng:

- 徒骇河聊城站 (水利局, river): water level and rain, 无条件共享;
- 东昌湖站 (水利局, lake): water level, open to the public;
- 马颊河站 (农业农村局, river): water level, 不予共享 — its own department only;
- 管廊A段 (住建局, tunnel): CH4 %LEL, 无条件共享, located by a line: no point on the map.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cityhub import auth
from cityhub.auth.departments import department_by_code
from cityhub.db import Database
from cityhub.errors import InvalidInput, NotFound
from cityhub.sensing import dashboard
from cityhub.sensing.alarms import (
    AlarmEngine,
    create_rule,
    offline_rule,
    rainstorm_rule,
    water_level_rule,
)
from cityhub.sensing.dashboard import StationState
from cityhub.sensing.live import LiveScope
from cityhub.sensing.models import (
    Datastream,
    Location,
    ObservedProperty,
    Sensor,
    Thing,
    ThingLocation,
)
from cityhub.sensing.observations import NewObservation, StoredObservation, insert_observations
from cityhub.sensing.sta.values import OM_MEASUREMENT, OM_OBSERVATION

ADMIN = auth.Actor(1, "admin", auth.Role.ADMIN, "DSJ")
STEWARD = auth.Actor(None, "slj.steward", auth.Role.STEWARD, "SLJ")
ANALYST = auth.Actor(None, "slj.analyst", auth.Role.ANALYST, "SLJ")
OTHER_STEWARD = auth.Actor(None, "nyncj.steward", auth.Role.STEWARD, "NYNCJ")
PUBLIC = auth.Actor.public()
NOW = datetime.now(UTC).replace(microsecond=0)

TUHAI, LAKE, MAJIA, TUNNEL = "徒骇河聊城站", "东昌湖站", "马颊河站", "管廊A段"


@dataclass(frozen=True)
class Network:
    """Ids of the test network."""

    tuhai: int
    tuhai_level: int
    tuhai_rain: int
    lake: int
    lake_level: int
    majia: int
    majia_level: int
    tunnel: int
    tunnel_ch4: int


def build_network(db: Database) -> Network:
    """Four stations of three departments; see the module's docstring."""
    with db.transaction() as session:
        departments = {c: department_by_code(session, c).id for c in ("SLJ", "NYNCJ", "ZJJ")}
        sensor = Sensor(name="RTU", description="", encoding_type="text/plain", metadata_="")
        session.add(sensor)
        props = {
            key: ObservedProperty(name=name, definition=f"urn:cityhub:{key}", description="")
            for key, name in (("level", "水位"), ("rain", "降水量"), ("ch4", "甲烷"))
        }
        session.add_all(props.values())

        def thing(name: str, department: str, station_class: str, at: tuple[float, float] | None):
            made = Thing(
                name=name,
                description=f"{name}监测",
                properties={"station_class": station_class},
                department_id=departments[department],
            )
            session.add(made)
            session.flush()
            # A tunnel segment is a line, not a point: it has a Location but no coordinates.
            geometry: dict[str, Any] = (
                {"type": "Point", "coordinates": list(at)}
                if at
                else {"type": "LineString", "coordinates": [[115.96, 36.44], [115.97, 36.44]]}
            )
            place = Location(
                name=name,
                description="",
                encoding_type="application/geo+json",
                location=geometry,
                x=at[0] if at else None,
                y=at[1] if at else None,
            )
            session.add(place)
            session.flush()
            session.add(ThingLocation(thing_id=made.id, location_id=place.id))
            return made

        def stream(owner: Thing, key: str, unit: str, **sharing: Any) -> Datastream:
            made = Datastream(
                name=f"{owner.name}{props[key].name}",
                description="",
                unit_of_measurement={"name": unit, "symbol": unit, "definition": ""},
                observation_type=OM_MEASUREMENT,
                sensor_id=sensor.id,
                observed_property_id=props[key].id,
                thing_id=owner.id,
                **sharing,
            )
            session.add(made)
            session.flush()
            return made

        tuhai = thing(TUHAI, "SLJ", "river", (115.98, 36.45))
        lake = thing(LAKE, "SLJ", "lake", (115.97, 36.43))
        majia = thing(MAJIA, "NYNCJ", "river", (116.10, 36.62))
        tunnel = thing(TUNNEL, "ZJJ", "tunnel", None)
        return Network(
            tuhai=tuhai.id,
            tuhai_level=stream(tuhai, "level", "m").id,
            tuhai_rain=stream(tuhai, "rain", "mm").id,
            lake=lake.id,
            lake_level=stream(lake, "level", "m", open_to_public=True).id,
            majia=majia.id,
            majia_level=stream(majia, "level", "m", share_type="none").id,
            tunnel=tunnel.id,
            tunnel_ch4=stream(tunnel, "ch4", "%LEL").id,
        )


def store(db: Database, datastream_id: int, values: list[tuple[datetime, Any]]) -> list[Any]:
    """Observations stored by the ingest's fast path (which also updates the latest values)."""
    rows = [NewObservation(datastream_id, at, result) for at, result in values]
    with db.transaction() as session:
        stored: list[StoredObservation] = insert_observations(session, rows)
    return stored


@pytest.fixture
def network(db: Database) -> Network:
    return build_network(db)


def names(stations: list[dashboard.Station]) -> list[str]:
    return [s.name for s in stations]


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (PUBLIC, [LAKE]),
        (ANALYST, [LAKE, TUHAI, TUNNEL]),
        (STEWARD, [LAKE, TUHAI, TUNNEL]),
        (OTHER_STEWARD, [LAKE, TUHAI, MAJIA, TUNNEL]),
        (ADMIN, [LAKE, TUHAI, MAJIA, TUNNEL]),
    ],
    ids=["public", "analyst", "steward", "other-steward", "admin"],
)
def test_each_actor_sees_the_stations_it_may_read(
    db: Database, network: Network, actor: auth.Actor, expected: list[str]
) -> None:
    assert sorted(names(dashboard.stations(db, actor))) == sorted(expected)


def test_stations_carry_coordinates_latest_values_and_department(
    db: Database, network: Network
) -> None:
    store(db, network.tuhai_level, [(NOW - timedelta(hours=1), 31.2), (NOW, 31.5)])
    found = {s.name: s for s in dashboard.stations(db, ADMIN)}
    tuhai = found[TUHAI]
    assert (tuhai.x, tuhai.y, tuhai.department, tuhai.station_class) == (
        115.98,
        36.45,
        "SLJ",
        "river",
    )
    assert [(d.name, d.unit, d.value, d.time) for d in tuhai.streams] == [
        (f"{TUHAI}水位", "m", 31.5, NOW),
        (f"{TUHAI}降水量", "mm", None, None),
    ]
    assert (found[TUNNEL].x, found[TUNNEL].y) == (None, None)
    assert all(s.state is StationState.OK and s.registered for s in found.values())


def test_a_visible_station_shows_only_its_readable_datastreams(
    db: Database, network: Network
) -> None:
    with db.transaction() as session:
        session.get(Datastream, network.tuhai_rain).share_type = "none"  # type: ignore[union-attr]
    for actor, expected in ((STEWARD, 2), (OTHER_STEWARD, 1)):
        station = dashboard.station(db, actor, network.tuhai)
        assert len(station.streams) == expected


@pytest.mark.parametrize(
    ("alarms", "state"),
    [
        ([], StationState.OK),
        ([("blue", False)], StationState.BLUE),
        ([("yellow", False), ("red", False), ("orange", False)], StationState.RED),
        ([("orange", False), ("yellow", False)], StationState.ORANGE),
        ([("red", False), ("yellow", True)], StationState.OFFLINE),
        ([("blue", True)], StationState.OFFLINE),
    ],
)
def test_station_state_is_the_worst_open_alarm_and_offline_wins(
    alarms: list[tuple[str, bool]], state: StationState
) -> None:
    assert dashboard.station_state(alarms) is state


def test_state_follows_the_engine_alarms(db: Database, network: Network) -> None:
    create_rule(db, ADMIN, water_level_rule(network.tuhai_level, 32.0, 33.0, 34.5))
    engine = AlarmEngine(db, lambda: NOW)
    engine.observe(store(db, network.tuhai_level, [(NOW, 32.2)]))
    station = dashboard.station(db, STEWARD, network.tuhai)
    assert station.state is StationState.YELLOW
    assert [(a.severity, a.status, a.offline) for a in station.alarms] == [
        ("yellow", "active", False)
    ]
    engine.observe(store(db, network.tuhai_level, [(NOW + timedelta(minutes=5), 33.1)]))
    assert dashboard.station(db, STEWARD, network.tuhai).state is StationState.ORANGE

    create_rule(db, ADMIN, offline_rule(network.lake_level, offline_seconds=600))
    later = AlarmEngine(db, lambda: NOW + timedelta(hours=1))
    later.sweep()
    assert dashboard.station(db, PUBLIC, network.lake).state is StationState.OFFLINE


@pytest.mark.parametrize(
    ("actor", "station"),
    [(PUBLIC, "tuhai"), (ANALYST, "majia"), (STEWARD, "majia"), (ADMIN, "missing")],
)
def test_an_unseen_station_is_not_found(
    db: Database, network: Network, actor: auth.Actor, station: str
) -> None:
    thing_id = getattr(network, station, 999_999)
    with pytest.raises(NotFound):
        dashboard.station(db, actor, thing_id)


def test_series_is_the_range_oldest_first_with_thresholds(db: Database, network: Network) -> None:
    hours = [NOW - timedelta(hours=h) for h in (30, 20, 10, 0)]
    store(db, network.tuhai_level, list(zip(hours, [30.1, 30.8, 31.9, 32.4], strict=True)))
    with db.transaction() as session:  # a result of any type, which the chart skips
        session.get(Datastream, network.tuhai_level).observation_type = OM_OBSERVATION  # type: ignore[union-attr]
    store(db, network.tuhai_level, [(NOW - timedelta(hours=5), "sensor fault")])
    create_rule(db, ADMIN, water_level_rule(network.tuhai_level, 32.0, 33.0, 34.5))
    create_rule(db, ADMIN, rainstorm_rule(network.tuhai_rain))

    series = dashboard.series(db, ANALYST, network.tuhai_level, end=NOW)
    assert series.points == [(hours[1], 30.8), (hours[2], 31.9), (hours[3], 32.4)]
    assert (series.start, series.end, series.unit, series.truncated) == (
        NOW - timedelta(hours=24),
        NOW,
        "m",
        False,
    )
    assert [(t.severity, t.op, round(t.value, 3), t.on_values) for t in series.thresholds] == [
        ("blue", ">=", 31.7, True),
        ("yellow", ">=", 32.0, True),
        ("orange", ">=", 33.0, True),
        ("red", ">=", 34.5, True),
    ]
    rain = dashboard.series(db, ANALYST, network.tuhai_rain, end=NOW)
    assert rain.thresholds and not any(t.on_values for t in rain.thresholds)


def test_series_plots_booleans_as_one_and_zero_and_keeps_the_newest(
    db: Database, network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    minutes = [NOW - timedelta(minutes=m) for m in (3, 2, 1)]
    with db.transaction() as session:  # gas readings and a water-ingress switch in one stream
        session.get(Datastream, network.tunnel_ch4).observation_type = OM_OBSERVATION  # type: ignore[union-attr]
    store(db, network.tunnel_ch4, list(zip(minutes, [True, False, 12.5], strict=True)))
    assert dashboard.series(db, ANALYST, network.tunnel_ch4).points == [
        (minutes[0], 1.0),
        (minutes[1], 0.0),
        (minutes[2], 12.5),
    ]
    monkeypatch.setattr(dashboard, "MAX_POINTS", 2)
    newest = dashboard.series(db, ANALYST, network.tunnel_ch4)
    assert newest.truncated and [p[1] for p in newest.points] == [0.0, 12.5]


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (datetime(2024, 7, 1), None, "start"),
        (None, datetime(2024, 7, 1), "end"),
        (NOW, NOW, "start"),
        (NOW, NOW - timedelta(hours=1), "start"),
        (NOW - timedelta(days=93), NOW, "start"),
    ],
    ids=["naive-start", "naive-end", "empty", "backwards", "too-long"],
)
def test_bad_ranges_name_the_field(
    db: Database, network: Network, start: datetime | None, end: datetime | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        dashboard.series(db, ADMIN, network.tuhai_level, start, end)
    assert raised.value.details["field"] == field


@pytest.mark.parametrize(("actor", "visible"), [(PUBLIC, False), (ANALYST, False), (ADMIN, True)])
def test_an_unreadable_series_is_not_found(
    db: Database, network: Network, actor: auth.Actor, visible: bool
) -> None:
    if visible:
        assert dashboard.series(db, actor, network.majia_level).points == []
    else:
        with pytest.raises(NotFound):
            dashboard.series(db, actor, network.majia_level)


def test_live_scope_is_what_the_actor_sees(db: Database, network: Network) -> None:
    assert dashboard.live_scope(db, ADMIN) == LiveScope(None, None)
    assert dashboard.live_scope(db, PUBLIC) == LiveScope(
        frozenset({network.lake}), frozenset({network.lake_level})
    )
    analyst = dashboard.live_scope(db, ANALYST)
    assert analyst.things == frozenset({network.tuhai, network.lake, network.tunnel})
    assert network.majia_level not in (analyst.datastreams or set())
