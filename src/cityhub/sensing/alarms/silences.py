"""Silences for maintenance: while one runs, nothing it covers is raised or notified.

A silence names a rule, a Thing or a Datastream — or several, and then covers only what matches
all of them. It belongs to the department of what it names (the Datastream's Thing, the Thing,
or the rule), whose stewards create and end it. Alarms already open stay open and may still go
down or clear; the rule's state keeps counting, so a condition that still holds when the
silence ends raises on the next observation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission, Role
from cityhub.db import Database, utcnow
from cityhub.errors import Conflict, InvalidInput, NotFound
from cityhub.sensing.access import actor_department_id
from cityhub.sensing.alarms import signals
from cityhub.sensing.alarms.access import require_handle, stream_department, thing_department
from cityhub.sensing.alarms.models import AlarmRule, AlarmSilence

MAX_SILENCE = timedelta(days=90)  # a forgotten silence must end on its own


@dataclass(frozen=True)
class SilenceSpec:
    """What to silence, until when and why; ``starts_at`` None means now."""

    ends_at: datetime
    reason: str
    rule_id: int | None = None
    thing_id: int | None = None
    datastream_id: int | None = None
    starts_at: datetime | None = None


def _department(session: Session, spec: SilenceSpec) -> int | None:
    """The department of the most specific object named; NotFound for missing ones, and
    InvalidInput when the Datastream is not the Thing's."""
    departments: list[int | None] = []
    if spec.datastream_id is not None:
        thing_id, department = stream_department(session, spec.datastream_id)
        if spec.thing_id is not None and spec.thing_id != thing_id:
            raise InvalidInput(
                "the Datastream belongs to another Thing", details={"field": "thing_id"}
            )
        departments.append(department)
    if spec.thing_id is not None:
        departments.append(thing_department(session, spec.thing_id))
    if spec.rule_id is not None:
        rule = session.get(AlarmRule, spec.rule_id)
        if rule is None:
            raise NotFound(
                f"no alarm rule with id {spec.rule_id}", details={"rule_id": spec.rule_id}
            )
        departments.append(rule.department_id)
    return departments[0]


def _check(spec: SilenceSpec, now: datetime) -> tuple[datetime, datetime, str]:
    if spec.rule_id is None and spec.thing_id is None and spec.datastream_id is None:
        raise InvalidInput(
            "name a rule, a Thing or a Datastream to silence", details={"field": "rule_id"}
        )
    starts = spec.starts_at or now
    for name, moment in (("starts_at", starts), ("ends_at", spec.ends_at)):
        if moment.tzinfo is None:
            raise InvalidInput("give the time with its time zone", details={"field": name})
    if spec.ends_at <= max(starts, now):
        raise InvalidInput(
            "the silence must end after it starts, in the future", details={"field": "ends_at"}
        )
    if spec.ends_at - starts > MAX_SILENCE:
        raise InvalidInput(
            f"a silence lasts at most {MAX_SILENCE.days} days", details={"field": "ends_at"}
        )
    reason = spec.reason.strip()
    if not reason:
        raise InvalidInput("say why (maintenance, calibration …)", details={"field": "reason"})
    return starts, spec.ends_at, reason


def create_silence(
    db: Database, actor: Actor, spec: SilenceSpec, *, now: datetime | None = None
) -> AlarmSilence:
    """Silence what ``spec`` names; stewards of its department and admins. Audited."""
    action = "alarm_silence.create"
    audit.require(db, actor, Permission.ALARMS_HANDLE, action, object_type="alarm_silence")
    now = now or utcnow()
    starts, ends, reason = _check(spec, now)
    with db.transaction() as session:
        department_id = _department(session, spec)
        require_handle(db, session, actor, department_id, action, object_type="alarm_silence")
        silence = AlarmSilence(
            rule_id=spec.rule_id,
            thing_id=spec.thing_id,
            datastream_id=spec.datastream_id,
            department_id=department_id,
            starts_at=starts,
            ends_at=ends,
            reason=reason,
            created_by=actor.username,
            created_at=now,
            updated_at=now,
        )
        session.add(silence)
        session.flush()
        audit.record(
            session,
            actor,
            action,
            object_type="alarm_silence",
            object_id=str(silence.id),
            details={
                "rule_id": spec.rule_id,
                "thing_id": spec.thing_id,
                "datastream_id": spec.datastream_id,
                "ends_at": ends.isoformat(),
                "reason": reason,
            },
        )
    signals.changed()
    return silence


def end_silence(
    db: Database, actor: Actor, silence_id: int, *, now: datetime | None = None
) -> AlarmSilence:
    """End a silence now (Conflict when it is over already). Audited."""
    action = "alarm_silence.end"
    audit.require(
        db,
        actor,
        Permission.ALARMS_HANDLE,
        action,
        object_type="alarm_silence",
        object_id=str(silence_id),
    )
    now = now or utcnow()
    with db.transaction() as session:
        silence = session.get(AlarmSilence, silence_id)
        if silence is None:
            raise NotFound(f"no silence with id {silence_id}", details={"silence_id": silence_id})
        require_handle(
            db,
            session,
            actor,
            silence.department_id,
            action,
            object_type="alarm_silence",
            object_id=str(silence_id),
        )
        if silence.ends_at <= now:
            raise Conflict("the silence is over already", details={"silence_id": silence_id})
        silence.ends_at = now
        silence.starts_at = min(silence.starts_at, now)
        silence.updated_at = now
        audit.record(session, actor, action, object_type="alarm_silence", object_id=str(silence_id))
    signals.changed()
    return silence


def list_silences(
    db: Database, actor: Actor, *, current_only: bool = True, now: datetime | None = None
) -> list[AlarmSilence]:
    """Silences of the department (all for admins); ``current_only``: not yet ended."""
    if not actor.can(Permission.ALARMS_HANDLE):
        return []
    statement = select(AlarmSilence).order_by(AlarmSilence.id.desc())
    if current_only:
        statement = statement.where(AlarmSilence.ends_at > (now or utcnow()))
    with db.reading() as session:
        if actor.role is not Role.ADMIN:
            department = actor_department_id(session, actor)
            statement = statement.where(AlarmSilence.department_id == department)
        return list(session.scalars(statement))
