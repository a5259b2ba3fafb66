"""Offline stations, silences, and rain windows sliding past a storm (``sweep``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cityhub.db import Database
from cityhub.sensing.alarms import (
    Alarm,
    AlarmChange,
    AlarmEngine,
    AlarmEvent,
    AlarmNotification,
    RuleSpec,
    Severity,
    SilenceSpec,
    create_rule,
    create_silence,
    end_silence,
    offline_rule,
    rainstorm_rule,
    water_level_rule,
)
from cityhub.sensing.alarms.vocab import EventKind
from cityhub.sensing.observations import NewObservation, insert_observations
from tests.sensing.alarms.conftest import ADMIN, STEWARD, T0, City, Clock, minutes, obs

Y = Severity.YELLOW
RAISED, CLEARED = EventKind.RAISED, EventKind.CLEARED
HOOK = "http://127.0.0.1:9/ventilation"


@pytest.fixture
def engine(db: Database, clock: Clock) -> AlarmEngine:
    return AlarmEngine(db, clock)


def add(db: Database, spec: RuleSpec) -> int:
    return create_rule(db, ADMIN, spec, now=T0).id


def kinds(changes: list[AlarmChange]) -> list[tuple[EventKind, int]]:
    return [(c.kind, c.source_id) for c in changes]


def test_stations_go_offline_and_come_back(
    db: Database, city: City, clock: Clock, engine: AlarmEngine
) -> None:
    add(db, offline_rule(station_class="river", offline_seconds=600))
    clock.now = minutes(1)
    engine.observe([obs(city, city.tuhai_level, minutes(1), 29.0)])
    assert engine.sweep(minutes(9.9)) == []
    # 马颊河 has never reported: offline 600 s after the rule was made; 徒骇河 at 11 min.
    assert kinds(engine.sweep(minutes(10))) == [(RAISED, city.majia)]
    assert kinds(engine.sweep(minutes(11))) == [(RAISED, city.tuhai)]
    assert engine.sweep(minutes(30)) == []  # still offline: no new alarm

    clock.now = minutes(31)
    back = engine.observe([obs(city, city.tuhai_voltage, minutes(30), 12.4)])
    assert kinds(back) == [(CLEARED, city.tuhai)]
    with db.reading() as session:
        alarm = session.scalars(select(Alarm).where(Alarm.thing_id == city.tuhai)).one()
        reason = session.scalars(
            select(AlarmEvent.details).where(AlarmEvent.kind == "cleared")
        ).one()
    assert alarm.severity == "yellow" and alarm.datastream_id is None
    assert reason == {"reason": "back online"}


def test_offline_stations_raise_no_threshold_alarms(
    db: Database, city: City, clock: Clock, engine: AlarmEngine
) -> None:
    add(db, offline_rule(city.tuhai_level, offline_seconds=600))
    add(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0))
    engine.observe([obs(city, city.tuhai_level, minutes(0), 29.0)])
    assert kinds(engine.sweep(minutes(15))) == [(RAISED, city.tuhai)]

    clock.now = minutes(20)
    # Stored readings uploaded late (taken at 2 and 4 min) do not bring the station back.
    backlog = [obs(city, city.tuhai_level, minutes(m), 31.5) for m in (2, 4)]
    assert engine.observe(backlog) == []
    fresh = engine.observe([obs(city, city.tuhai_level, minutes(19), 31.5)])
    assert [(c.kind, c.severity) for c in fresh] == [(CLEARED, Y), (RAISED, Severity.ORANGE)]


def test_offline_is_measured_from_the_stored_latest_after_a_restart(
    db: Database, city: City, clock: Clock
) -> None:
    add(db, offline_rule(city.tuhai_level, offline_seconds=600))
    with db.transaction() as session:  # the station reported at 20 min, before the restart
        insert_observations(session, [NewObservation(city.tuhai_level, minutes(20), 29.0)])
    engine = AlarmEngine(db, clock)
    assert engine.sweep(minutes(29)) == []
    assert kinds(engine.sweep(minutes(30))) == [(RAISED, city.tuhai)]


def test_a_silence_holds_back_raising_until_it_ends(
    db: Database, city: City, clock: Clock, engine: AlarmEngine
) -> None:
    add(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0))
    silence = create_silence(
        db,
        STEWARD,
        SilenceSpec(ends_at=minutes(60), reason="gauge calibration", thing_id=city.tuhai),
        now=T0,
    )
    for minute in (0, 5):
        clock.now = minutes(minute)
        assert engine.observe([obs(city, city.tuhai_level, minutes(minute), 30.5)]) == []
    other = engine.observe([obs(city, city.majia_level, minutes(5), 30.5)])
    assert other == []  # no rule there; the silence is not why

    clock.now = minutes(10)
    end_silence(db, STEWARD, silence.id, now=clock.now)
    changes = engine.observe([obs(city, city.tuhai_level, minutes(10), 30.5)])
    assert [(c.kind, c.severity) for c in changes] == [(RAISED, Y)]


def test_a_silence_holds_back_notifications_but_not_clearing(
    db: Database, city: City, clock: Clock, engine: AlarmEngine
) -> None:
    add(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0, action_url=HOOK))
    engine.observe([obs(city, city.tuhai_level, minutes(0), 31.5)])
    create_silence(
        db,
        ADMIN,
        SilenceSpec(ends_at=minutes(60), reason="repair", datastream_id=city.tuhai_level),
        now=T0,
    )
    clock.now = minutes(5)
    engine.observe([obs(city, city.tuhai_level, minutes(5), 30.5)])  # orange → yellow
    clock.now = minutes(10)
    changes = engine.observe([obs(city, city.tuhai_level, minutes(10), 25.0)])
    assert [c.kind for c in changes] == [CLEARED]
    with db.reading() as session:
        sent = session.scalars(select(AlarmNotification.payload)).all()
    assert [p["event"] for p in sent] == ["raised"]  # the silenced moves went unannounced


def test_a_silence_on_a_rule_leaves_other_rules_alone(
    db: Database, city: City, clock: Clock, engine: AlarmEngine
) -> None:
    quiet = add(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0, name="quiet"))
    loud = add(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0, name="loud"))
    create_silence(db, ADMIN, SilenceSpec(ends_at=minutes(60), reason="x", rule_id=quiet), now=T0)
    changes = engine.observe([obs(city, city.tuhai_level, minutes(0), 30.5)])
    assert [c.rule_id for c in changes] == [loud]


def test_rain_alarms_let_go_as_time_passes_without_reports(
    db: Database, city: City, engine: AlarmEngine
) -> None:
    add(db, rainstorm_rule(city.tuhai_rain))
    engine.observe([obs(city, city.tuhai_rain, minutes(60), 55.0)])
    assert engine.sweep(minutes(120)) == []  # 3 h still holds 55 mm
    moves = [(c.kind, c.severity) for c in engine.sweep(minutes(60 * 4 + 1))]
    assert moves == [(EventKind.DEESCALATED, Y)]  # 3 h window passed, 6 h holds
    assert [c.kind for c in engine.sweep(minutes(60 * 13 + 1))] == [CLEARED]
    assert engine.sweep(minutes(60 * 14)) == []
    # A report after the decay is judged on its own time, without refiring.
    assert engine.observe([obs(city, city.tuhai_rain, minutes(60 * 14), 0.0)]) == []


def test_silences_are_checked(db: Database, city: City) -> None:
    from cityhub.errors import InvalidInput, NotFound, PermissionDenied
    from tests.sensing.alarms.conftest import OTHER_STEWARD

    def spec(**fields: object) -> SilenceSpec:
        base: dict[str, object] = {
            "ends_at": minutes(60),
            "reason": "maintenance",
            "thing_id": city.tuhai,
        }
        return SilenceSpec(**(base | fields))  # type: ignore[arg-type]

    for bad in (
        spec(thing_id=None),
        spec(reason=" "),
        spec(ends_at=T0),
        spec(ends_at=T0 + timedelta(days=91)),
        spec(ends_at=minutes(60).replace(tzinfo=None)),
        spec(datastream_id=city.majia_level),  # not the Thing's Datastream
    ):
        with pytest.raises(InvalidInput):
            create_silence(db, STEWARD, bad, now=T0)
    with pytest.raises(NotFound):
        create_silence(db, STEWARD, spec(thing_id=9999), now=T0)
    with pytest.raises(PermissionDenied):
        create_silence(db, OTHER_STEWARD, spec(), now=T0)
