"""People and alarms: the console's list, an alarm's history, acknowledging and clearing.

Seeing alarms follows the stations: an alarm is visible to whoever sees its Thing (its
department, and anyone who may read one of its Datastreams). Acknowledging and clearing need
``alarms.handle`` for the station's department. Clearing by hand is final for that alarm; if
the condition still holds the engine raises a new one on the next observation — a silence is
the way to keep a known condition quiet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission, Role
from cityhub.db import Database, utcnow
from cityhub.errors import Conflict, InvalidInput, NotFound
from cityhub.sensing.access import visible_thing_ids
from cityhub.sensing.alarms import signals
from cityhub.sensing.alarms.access import require_handle
from cityhub.sensing.alarms.lifecycle import (
    AlarmChange,
    acknowledge_record,
    clear_record,
    write_records,
)
from cityhub.sensing.alarms.models import Alarm, AlarmEvent, AlarmRule
from cityhub.sensing.alarms.store import current_silences
from cityhub.sensing.alarms.vocab import AlarmStatus, Severity

MAX_LIMIT = 500


@dataclass(frozen=True)
class AlarmQuery:
    """Which alarms to list, newest first; each field narrows. ``status`` "open" means
    active or acknowledged."""

    status: str | None = None
    severity: Severity | None = None
    thing_id: int | None = None
    datastream_id: int | None = None
    rule_id: int | None = None
    since: datetime | None = None
    before_id: int | None = None
    limit: int = 100


def _visible(actor: Actor) -> ColumnElement[bool]:
    if actor.role is Role.ADMIN:
        return true()
    return Alarm.thing_id.in_(visible_thing_ids(actor))


def list_alarms(db: Database, actor: Actor, query: AlarmQuery | None = None) -> list[Alarm]:
    """The alarms ``actor`` may see that match ``query``."""
    query = query or AlarmQuery()
    if not 1 <= query.limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be 1-{MAX_LIMIT}", details={"field": "limit"})
    statement = select(Alarm).where(_visible(actor)).order_by(Alarm.id.desc()).limit(query.limit)
    if query.status == "open":
        statement = statement.where(Alarm.status != AlarmStatus.CLEARED.value)
    elif query.status is not None:
        try:
            statement = statement.where(Alarm.status == AlarmStatus(query.status).value)
        except ValueError:
            raise InvalidInput(
                "status must be open, active, acknowledged or cleared", details={"field": "status"}
            ) from None
    for column, wanted in (
        (Alarm.severity, query.severity.value if query.severity else None),
        (Alarm.thing_id, query.thing_id),
        (Alarm.datastream_id, query.datastream_id),
        (Alarm.rule_id, query.rule_id),
    ):
        if wanted is not None:
            statement = statement.where(column == wanted)
    if query.since is not None:
        statement = statement.where(Alarm.updated_at >= query.since)
    if query.before_id is not None:
        statement = statement.where(Alarm.id < query.before_id)
    with db.reading() as session:
        return list(session.scalars(statement))


def _alarm(session: Session, actor: Actor, alarm_id: int) -> Alarm:
    statement = select(Alarm).where(Alarm.id == alarm_id, _visible(actor)).with_for_update()
    alarm = session.scalars(statement).first()
    if alarm is None:
        raise NotFound(f"no alarm with id {alarm_id}", details={"alarm_id": alarm_id})
    return alarm


def alarm_history(db: Database, actor: Actor, alarm_id: int) -> list[AlarmEvent]:
    """An alarm's events, oldest first."""
    with db.reading() as session:
        _alarm(session, actor, alarm_id)
        return list(
            session.scalars(
                select(AlarmEvent).where(AlarmEvent.alarm_id == alarm_id).order_by(AlarmEvent.id)
            )
        )


def _handled(db: Database, session: Session, actor: Actor, alarm_id: int, action: str) -> Alarm:
    audit.require(
        db, actor, Permission.ALARMS_HANDLE, action, object_type="alarm", object_id=str(alarm_id)
    )
    alarm = _alarm(session, actor, alarm_id)
    require_handle(
        db,
        session,
        actor,
        alarm.department_id,
        action,
        object_type="alarm",
        object_id=str(alarm_id),
    )
    return alarm


def acknowledge(
    db: Database,
    actor: Actor,
    alarm_id: int,
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> AlarmChange:
    """Acknowledge an active alarm: someone is on it. Conflict when it is not active."""
    with db.transaction() as session:
        alarm = _handled(db, session, actor, alarm_id, "alarm.ack")
        if alarm.status != AlarmStatus.ACTIVE.value:
            raise Conflict(
                f"the alarm is {alarm.status}, not active", details={"status": alarm.status}
            )
        now = now or utcnow()
        (change,) = write_records(session, [acknowledge_record(alarm, actor, now, note)], now)
    signals.changed()
    return change


def clear(
    db: Database,
    actor: Actor,
    alarm_id: int,
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> AlarmChange:
    """Clear an alarm by hand (active or acknowledged); the rule's handling action hears of
    it unless a silence covers the alarm. Conflict when it is cleared already."""
    now = now or utcnow()
    with db.transaction() as session:
        alarm = _handled(db, session, actor, alarm_id, "alarm.clear")
        if alarm.status == AlarmStatus.CLEARED.value:
            raise Conflict("the alarm is cleared already", details={"status": alarm.status})
        rule = session.get(AlarmRule, alarm.rule_id)
        url = rule.action_url if rule and not _silenced(session, alarm, now) else None
        details = {"note": note} if note else {}
        record = clear_record(alarm, actor, now, action_url=url, details=details)
        (change,) = write_records(session, [record], now)
    signals.changed()
    return change


def _silenced(session: Session, alarm: Alarm, now: datetime) -> bool:
    return any(
        s.covers(alarm.rule_id, alarm.thing_id, alarm.datastream_id, now)
        for s in current_silences(session, now)
    )
