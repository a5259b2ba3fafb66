"""People and alarms: who may acknowledge and clear, the lifecycle, the console's list."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor
from cityhub.catalog.vocab import ShareType
from cityhub.db import Database
from cityhub.errors import CityhubError, Conflict, NotAuthenticated, NotFound, PermissionDenied
from cityhub.sensing.alarms import (
    AlarmEngine,
    AlarmQuery,
    AlarmStatus,
    EventKind,
    Severity,
    acknowledge,
    alarm_history,
    clear,
    create_rule,
    list_alarms,
    water_level_rule,
)
from cityhub.sensing.models import Datastream
from tests.sensing.alarms.conftest import (
    ADMIN,
    ANALYST,
    OTHER_STEWARD,
    PUBLIC,
    STATION,
    STEWARD,
    T0,
    City,
    Clock,
    minutes,
    obs,
)


@pytest.fixture
def engine(db: Database, clock: Clock) -> AlarmEngine:
    return AlarmEngine(db, clock)


@pytest.fixture
def alarm_id(db: Database, city: City, engine: AlarmEngine) -> int:
    """An active yellow alarm on 徒骇河 (水利局 SLJ)."""
    create_rule(db, ADMIN, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0), now=T0)
    (change,) = engine.observe([obs(city, city.tuhai_level, minutes(0), 30.4)])
    return change.alarm_id


HANDLERS = [
    pytest.param(PUBLIC, NotAuthenticated, id="public"),
    pytest.param(ANALYST, PermissionDenied, id="analyst"),
    pytest.param(STATION, PermissionDenied, id="station-account"),
    pytest.param(OTHER_STEWARD, PermissionDenied, id="steward-of-another-department"),
    pytest.param(STEWARD, None, id="steward-of-the-station"),
    pytest.param(ADMIN, None, id="admin"),
]


@pytest.mark.parametrize(("actor", "refusal"), HANDLERS)
@pytest.mark.parametrize("action", [acknowledge, clear], ids=["ack", "clear"])
def test_who_may_acknowledge_and_clear(
    db: Database, alarm_id: int, actor: Actor, refusal: type[CityhubError] | None, action: object
) -> None:
    handle = acknowledge if action is acknowledge else clear
    if refusal is None:
        change = handle(db, actor, alarm_id)
        assert change.status in (AlarmStatus.ACKNOWLEDGED, AlarmStatus.CLEARED)
        return
    with pytest.raises(refusal):
        handle(db, actor, alarm_id)
    with db.reading() as session:
        outcomes = session.scalars(
            select(AuditEvent.outcome).where(AuditEvent.actor == actor.username)
        ).all()
    assert outcomes == ["denied"]


def test_lifecycle_active_acknowledged_cleared(db: Database, alarm_id: int) -> None:
    acked = acknowledge(db, STEWARD, alarm_id, note="crew on the levee", now=minutes(2))
    assert acked.status is AlarmStatus.ACKNOWLEDGED
    with pytest.raises(Conflict):
        acknowledge(db, STEWARD, alarm_id)
    cleared = clear(db, ADMIN, alarm_id, now=minutes(3))
    assert cleared.status is AlarmStatus.CLEARED
    for again in (acknowledge, clear):
        with pytest.raises(Conflict):
            again(db, STEWARD, alarm_id)
    (alarm,) = list_alarms(db, STEWARD)
    assert (alarm.acknowledged_by, alarm.acknowledged_at) == ("slj.steward", minutes(2))
    assert (alarm.cleared_by, alarm.cleared_at) == ("admin", minutes(3))
    history = alarm_history(db, STEWARD, alarm_id)
    assert [(e.kind, e.actor) for e in history] == [
        ("raised", "system"),
        ("acknowledged", "slj.steward"),
        ("cleared", "admin"),
    ]
    assert history[1].details == {"note": "crew on the levee"}
    with db.reading() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "alarm")
        ).all()
    assert actions == ["alarm.raise", "alarm.ack", "alarm.clear"]


def test_escalation_needs_a_new_acknowledgement(
    db: Database, city: City, engine: AlarmEngine, alarm_id: int
) -> None:
    acknowledge(db, STEWARD, alarm_id)
    (up,) = engine.observe([obs(city, city.tuhai_level, minutes(5), 31.2)])
    assert (up.kind, up.status) == (EventKind.ESCALATED, AlarmStatus.ACTIVE)
    acknowledge(db, STEWARD, alarm_id)
    (down,) = engine.observe([obs(city, city.tuhai_level, minutes(10), 30.5)])
    assert (down.kind, down.status) == (EventKind.DEESCALATED, AlarmStatus.ACKNOWLEDGED)


def test_clearing_by_hand_while_the_condition_holds_raises_anew(
    db: Database, city: City, engine: AlarmEngine, alarm_id: int
) -> None:
    clear(db, STEWARD, alarm_id)
    (again,) = engine.observe([obs(city, city.tuhai_level, minutes(5), 30.4)])
    assert again.kind is EventKind.RAISED and again.alarm_id != alarm_id
    assert engine.observe([obs(city, city.tuhai_level, minutes(10), 30.4)]) == []


def test_the_console_list_filters_and_follows_visibility(
    db: Database, city: City, engine: AlarmEngine, alarm_id: int
) -> None:
    create_rule(db, ADMIN, water_level_rule(city.majia_level, 30.0, 31.0, 32.0), now=T0)
    engine.observe([obs(city, city.majia_level, minutes(0), 31.5)])
    with db.transaction() as session:  # 马颊河 shares its data with nobody (不予共享)
        session.execute(
            update(Datastream)
            .where(Datastream.thing_id == city.majia)
            .values(share_type=ShareType.NONE.value)
        )
    assert [a.id for a in list_alarms(db, STEWARD)] == [alarm_id]
    assert len(list_alarms(db, OTHER_STEWARD)) == 2  # its own station, and SLJ's shared one
    assert len(list_alarms(db, ADMIN)) == 2
    assert list_alarms(db, PUBLIC) == []
    orange = list_alarms(db, ADMIN, AlarmQuery(severity=Severity.ORANGE))
    assert [a.thing_id for a in orange] == [city.majia]
    clear(db, ADMIN, alarm_id)
    assert [a.thing_id for a in list_alarms(db, ADMIN, AlarmQuery(status="open"))] == [city.majia]
    assert [a.id for a in list_alarms(db, ADMIN, AlarmQuery(status="cleared"))] == [alarm_id]
    with pytest.raises(NotFound):
        alarm_history(db, STEWARD, orange[0].id)


@pytest.mark.parametrize(
    "query", [AlarmQuery(status="burning"), AlarmQuery(limit=0), AlarmQuery(limit=501)]
)
def test_bad_console_queries_are_refused(db: Database, query: AlarmQuery) -> None:
    from cityhub.errors import InvalidInput

    with pytest.raises(InvalidInput):
        list_alarms(db, ADMIN, query)
