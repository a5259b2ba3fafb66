"""An alarm's lifecycle, in the caller's transaction: raise, escalate or de-escalate in place,
acknowledge, clear. Each change adds a history row (``alarm_events``), an audit row and, for a
rule with a handling action, a webhook delivery to the outbox — all committing together.

Changes are made in two phases so that a storm costs a few statements, not a few per alarm:
the alarms are changed in memory (each change leaving a ``_Record`` of what it was), then one
flush writes them all and the history, audit and outbox rows follow.

``apply_steps`` is how the engine changes alarms: it re-reads the open alarms concerned inside
the transaction (one query, locked on PostgreSQL), so the engine's memory is only a hint. If a
concurrent engine raised one of them in between, the partial unique index refuses the insert;
the steps are then applied once more over what is now open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor
from cityhub.sensing.alarms.evaluate import CompiledRule
from cityhub.sensing.alarms.messages import describe
from cityhub.sensing.alarms.models import Alarm, AlarmEvent, AlarmNotification
from cityhub.sensing.alarms.store import Key
from cityhub.sensing.alarms.vocab import (
    AUDIT_ACTIONS,
    NOTIFIED_KINDS,
    AlarmStatus,
    EventKind,
    NotificationStatus,
    Severity,
)
from cityhub.sensing.sta.values import format_instant

SYSTEM = Actor.system()


@dataclass(frozen=True)
class AlarmChange:
    """What happened to an alarm (returned by the engine, e.g. for the live map)."""

    alarm_id: int
    rule_id: int
    source_id: int
    thing_id: int
    datastream_id: int | None
    kind: EventKind
    severity: Severity
    previous_severity: Severity | None
    status: AlarmStatus
    value: float | None
    at: datetime


@dataclass(frozen=True)
class Step:
    """A change the engine wants: the (rule, source) alarm to ``target`` (None: cleared)."""

    rule: CompiledRule
    source_id: int
    thing_id: int
    datastream_id: int | None
    department_id: int | None
    target: Severity | None
    value: float | None
    observed_at: datetime
    notify: bool = True
    reason: str | None = None


@dataclass(frozen=True)
class _Record:
    """One change as it was when made (an alarm may change twice before the flush)."""

    alarm: Alarm
    kind: EventKind
    actor: Actor
    severity: Severity
    previous: Severity | None
    status: AlarmStatus
    value: float | None
    messages: tuple[str, str]
    details: dict[str, Any]
    action_url: str | None


def _record(
    alarm: Alarm,
    kind: EventKind,
    actor: Actor,
    *,
    previous: Severity | None = None,
    value: float | None = None,
    details: dict[str, Any] | None = None,
    action_url: str | None = None,
) -> _Record:
    return _Record(
        alarm,
        kind,
        actor,
        Severity(alarm.severity),
        previous,
        AlarmStatus(alarm.status),
        value,
        (alarm.message_zh, alarm.message_en),
        details or {},
        action_url if kind in NOTIFIED_KINDS else None,
    )


def open_alarms_of(session: Session, keys: set[Key]) -> dict[Key, Alarm]:
    """The open alarms of the (rule, source) ``keys``, locked for the transaction (one query)."""
    if not keys:
        return {}
    query = (
        select(Alarm)
        .where(
            Alarm.rule_id.in_({rule_id for rule_id, _ in keys}),
            Alarm.source_id.in_({source_id for _, source_id in keys}),
            Alarm.status != AlarmStatus.CLEARED.value,
        )
        .with_for_update()
    )
    found = {(a.rule_id, a.source_id): a for a in session.scalars(query)}
    return {key: alarm for key, alarm in found.items() if key in keys}


def apply_steps(
    session: Session, steps: list[Step], now: datetime
) -> tuple[list[AlarmChange], bool]:
    """Apply ``steps`` in order; the changes made, and whether any step found the database
    other than the engine believed (the alarm already there, or already cleared)."""
    try:
        with session.begin_nested():
            return _apply(session, steps, now)
    except IntegrityError:  # another engine raised one of these alarms meanwhile
        return _apply(session, steps, now)


def _apply(session: Session, steps: list[Step], now: datetime) -> tuple[list[AlarmChange], bool]:
    found = open_alarms_of(session, {(s.rule.id, s.source_id) for s in steps})
    records: list[_Record] = []
    missed = False
    for step in steps:
        key = (step.rule.id, step.source_id)
        record = _step(session, step, now, found.get(key))
        if record is None:
            missed = True
            continue
        records.append(record)
        if record.status is AlarmStatus.CLEARED:
            found.pop(key, None)
        else:
            found[key] = record.alarm
    return write_records(session, records, now), missed


def _step(session: Session, step: Step, now: datetime, existing: Alarm | None) -> _Record | None:
    url = step.rule.action_url if step.notify else None
    observed = {"observed_at": format_instant(step.observed_at)}
    if step.target is None:
        if existing is None:
            return None
        details = {"reason": step.reason} if step.reason else {}
        return clear_record(
            existing, SYSTEM, now, value=step.value, action_url=url, details=details
        )
    if existing is not None and existing.severity == step.target.value:
        return None
    messages = describe(step.rule, step.target, step.value)
    if existing is None:
        alarm = Alarm(
            rule_id=step.rule.id,
            source_id=step.source_id,
            thing_id=step.thing_id,
            datastream_id=step.datastream_id,
            department_id=step.department_id,
            severity=step.target.value,
            status=AlarmStatus.ACTIVE.value,
            value=step.value,
            last_value=step.value,
            last_value_at=step.observed_at,
            message_zh=messages[0],
            message_en=messages[1],
            raised_at=now,
            updated_at=now,
            repeat_count=0,
        )
        session.add(alarm)
        return _record(
            alarm, EventKind.RAISED, SYSTEM, value=step.value, details=observed, action_url=url
        )
    previous = Severity(existing.severity)
    kind = EventKind.ESCALATED if step.target.rank > previous.rank else EventKind.DEESCALATED
    existing.severity = step.target.value
    existing.value = existing.last_value = step.value
    existing.last_value_at = step.observed_at
    existing.message_zh, existing.message_en = messages
    existing.updated_at = now
    if kind is EventKind.ESCALATED and existing.status == AlarmStatus.ACKNOWLEDGED.value:
        existing.status = AlarmStatus.ACTIVE.value  # a worse state needs a new acknowledgement
    return _record(
        existing,
        kind,
        SYSTEM,
        previous=previous,
        value=step.value,
        details=observed,
        action_url=url,
    )


def clear_record(
    alarm: Alarm,
    actor: Actor,
    now: datetime,
    *,
    value: float | None = None,
    action_url: str | None = None,
    details: dict[str, Any] | None = None,
) -> _Record:
    """Clear ``alarm`` as ``actor`` (the system when its clear condition held); write the
    record with ``write_records``."""
    alarm.status = AlarmStatus.CLEARED.value
    alarm.cleared_by = actor.username
    alarm.cleared_at = alarm.updated_at = now
    if value is not None:
        alarm.last_value = value
    return _record(
        alarm,
        EventKind.CLEARED,
        actor,
        value=alarm.last_value,
        details=details,
        action_url=action_url,
    )


def acknowledge_record(alarm: Alarm, actor: Actor, now: datetime, note: str | None) -> _Record:
    """Mark an active ``alarm`` as seen by ``actor`` (the caller checked the status)."""
    alarm.status = AlarmStatus.ACKNOWLEDGED.value
    alarm.acknowledged_by = actor.username
    alarm.acknowledged_at = alarm.updated_at = now
    details = {"note": note} if note else {}
    return _record(alarm, EventKind.ACKNOWLEDGED, actor, value=alarm.value, details=details)


def write_records(session: Session, records: list[_Record], now: datetime) -> list[AlarmChange]:
    """Flush the changed alarms, then add the history, audit and outbox rows of ``records``,
    each kind with one executemany (a storm changes many alarms at once)."""
    if not records:
        return []
    session.flush()  # new alarms get their ids: one batched INSERT
    events = [
        {
            "alarm_id": record.alarm.id,
            "kind": record.kind.value,
            "severity": record.severity.value,
            "previous_severity": record.previous.value if record.previous else None,
            "value": record.value,
            "actor": record.actor.username,
            "at": now,
            "details": record.details,
        }
        for record in records
    ]
    if any(record.action_url for record in records):  # the outbox rows name their events
        returning = insert(AlarmEvent).returning(AlarmEvent.id, sort_by_parameter_order=True)
        event_ids = list(session.scalars(returning, events))
    else:
        session.execute(insert(AlarmEvent), events)
        event_ids = []
    audit.record_many(
        session,
        [
            audit.Entry(
                record.actor,
                AUDIT_ACTIONS[record.kind],
                object_type="alarm",
                object_id=str(record.alarm.id),
                details={
                    "rule_id": record.alarm.rule_id,
                    "source_id": record.alarm.source_id,
                    "severity": record.severity.value,
                    "previous_severity": event["previous_severity"],
                    "value": record.value,
                    **record.details,
                },
            )
            for record, event in zip(records, events, strict=True)
        ],
    )
    for record, event, event_id in zip(records, events, event_ids, strict=False):
        if record.action_url:  # (event_ids is empty when no record has one)
            _enqueue(session, record, event, event_id, now)
    return [_change(record, now) for record in records]


def _change(record: _Record, now: datetime) -> AlarmChange:
    alarm = record.alarm
    return AlarmChange(
        alarm_id=alarm.id,
        rule_id=alarm.rule_id,
        source_id=alarm.source_id,
        thing_id=alarm.thing_id,
        datastream_id=alarm.datastream_id,
        kind=record.kind,
        severity=record.severity,
        previous_severity=record.previous,
        status=record.status,
        value=record.value,
        at=now,
    )


def _enqueue(
    session: Session, record: _Record, event: dict[str, Any], event_id: int, now: datetime
) -> None:
    """Put the webhook delivery of ``event`` in the outbox, due at once."""
    assert record.action_url is not None
    alarm = record.alarm
    payload = {
        "alarm_id": alarm.id,
        "event_id": event_id,
        "event": event["kind"],
        "rule_id": alarm.rule_id,
        "thing_id": alarm.thing_id,
        "datastream_id": alarm.datastream_id,
        "severity": record.severity.value,
        "previous_severity": event["previous_severity"],
        "status": record.status.value,
        "value": record.value,
        "message_zh": record.messages[0],
        "message_en": record.messages[1],
        "at": format_instant(now),
    }
    session.add(
        AlarmNotification(
            alarm_id=alarm.id,
            event_id=event_id,
            url=record.action_url,
            payload=payload,
            status=NotificationStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
