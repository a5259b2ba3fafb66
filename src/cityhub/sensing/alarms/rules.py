"""Alarm rules: create, read, replace, enable/disable and delete; each change audited.

A rule on a Datastream belongs to the department of its Thing; a rule on a class of stations
to its author's department (admins may name one, or none for every department's stations).
Changing a rule's kind or target is refused — that is another rule, with another history.
A rule that has raised alarms is kept for their history: disable it instead of deleting it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission, Role
from cityhub.auth.departments import department_by_code
from cityhub.db import Database, utcnow
from cityhub.errors import Conflict, InvalidInput, NotFound
from cityhub.sensing.access import actor_department_id, readable_datastream_ids
from cityhub.sensing.alarms import signals
from cityhub.sensing.alarms.access import require_handle, stream_department
from cityhub.sensing.alarms.evaluate import compile_rule
from cityhub.sensing.alarms.lifecycle import SYSTEM, clear_record, write_records
from cityhub.sensing.alarms.models import Alarm, AlarmRule
from cityhub.sensing.alarms.spec import RuleSpec, checked, tiers_from_json, tiers_to_json
from cityhub.sensing.alarms.targets import matches, stream_facts
from cityhub.sensing.alarms.vocab import AlarmStatus, RuleKind
from cityhub.sensing.models import Datastream


def spec_of(rule: AlarmRule) -> RuleSpec:
    """The ``RuleSpec`` a stored rule was made from (the department as its id is not kept)."""
    options = rule.options or {}
    return RuleSpec(
        name=rule.name,
        kind=RuleKind(rule.kind),
        tiers=tiers_from_json(rule.tiers),
        datastream_id=rule.datastream_id,
        observed_property=rule.observed_property,
        station_class=rule.station_class,
        window_seconds=rule.window_seconds,
        day_start=rule.day_start,
        for_samples=rule.for_samples,
        for_seconds=rule.for_seconds,
        offline_seconds=rule.offline_seconds,
        accumulation=options.get("accumulation", "increment"),
        rate_per_seconds=int(options.get("rate_per_seconds", 3600)),
        action_url=rule.action_url,
        enabled=rule.enabled,
    )


def _department_of(session: Session, actor: Actor, spec: RuleSpec) -> int | None:
    if spec.datastream_id is not None:
        return stream_department(session, spec.datastream_id)[1]
    if spec.department is not None:
        return department_by_code(session, spec.department).id
    if actor.role is Role.ADMIN:
        return None  # a class rule over every department's stations
    return actor_department_id(session, actor)


def _settings(spec: RuleSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "tiers": tiers_to_json(spec.tiers),
        "window_seconds": spec.window_seconds,
        "day_start": spec.day_start,
        "for_samples": spec.for_samples,
        "for_seconds": spec.for_seconds,
        "offline_seconds": spec.offline_seconds,
        "options": spec.options(),
        "action_url": spec.action_url,
        "enabled": spec.enabled,
    }


def create_rule(
    db: Database, actor: Actor, spec: RuleSpec, *, now: datetime | None = None
) -> AlarmRule:
    """Store a new rule; stewards for their department's stations, admins for any. Audited."""
    action = "alarm_rule.create"
    audit.require(db, actor, Permission.ALARMS_HANDLE, action, object_type="alarm_rule")
    spec = checked(spec)
    now = now or utcnow()
    with db.transaction() as session:
        department_id = _department_of(session, actor, spec)
        require_handle(db, session, actor, department_id, action, object_type="alarm_rule")
        rule = AlarmRule(
            kind=spec.kind.value,
            datastream_id=spec.datastream_id,
            observed_property=spec.observed_property,
            station_class=spec.station_class,
            department_id=department_id,
            created_by=actor.username,
            created_at=now,
            updated_at=now,
            **_settings(spec),
        )
        session.add(rule)
        session.flush()
        audit.record(
            session,
            actor,
            action,
            object_type="alarm_rule",
            object_id=str(rule.id),
            details={"name": rule.name, "kind": rule.kind, "department_id": department_id},
        )
    signals.changed()
    return rule


def _managed_rule(db: Database, session: Session, actor: Actor, rule_id: int, action: str) -> Any:
    audit.require(
        db,
        actor,
        Permission.ALARMS_HANDLE,
        action,
        object_type="alarm_rule",
        object_id=str(rule_id),
    )
    rule = session.get(AlarmRule, rule_id)
    if rule is None:
        raise NotFound(f"no alarm rule with id {rule_id}", details={"rule_id": rule_id})
    require_handle(
        db,
        session,
        actor,
        rule.department_id,
        action,
        object_type="alarm_rule",
        object_id=str(rule_id),
    )
    return rule


def update_rule(
    db: Database, actor: Actor, rule_id: int, spec: RuleSpec, *, now: datetime | None = None
) -> AlarmRule:
    """Replace a rule's settings (same kind and target). Disabling it clears its open alarms
    (by the system); its state — streaks, window samples — carries over. Audited."""
    action = "alarm_rule.update"
    now = now or utcnow()
    with db.transaction() as session:
        rule: AlarmRule = _managed_rule(db, session, actor, rule_id, action)
        spec = checked(spec)
        before = spec_of(rule)
        target = ("kind", "datastream_id", "observed_property", "station_class")
        for name in target:
            if getattr(before, name) != getattr(spec, name):
                raise InvalidInput(
                    "a rule's kind and target cannot change: create another rule",
                    details={"field": name},
                )
        for name, value in _settings(spec).items():
            setattr(rule, name, value)
        rule.updated_at = now
        if not spec.enabled:
            _clear_all(session, rule, now, reason="rule disabled")
        audit.record(
            session,
            actor,
            action,
            object_type="alarm_rule",
            object_id=str(rule.id),
            details={"name": rule.name, "enabled": rule.enabled},
        )
    signals.changed()
    return rule


def set_rule_enabled(
    db: Database, actor: Actor, rule_id: int, enabled: bool, *, now: datetime | None = None
) -> AlarmRule:
    """Switch a rule on or off (``update_rule`` with only ``enabled`` changed)."""
    with db.reading() as session:
        rule = session.get(AlarmRule, rule_id)
        if rule is None:
            raise NotFound(f"no alarm rule with id {rule_id}", details={"rule_id": rule_id})
        spec = spec_of(rule)
    return update_rule(db, actor, rule_id, replace(spec, enabled=enabled), now=now)


def _clear_all(session: Session, rule: AlarmRule, now: datetime, *, reason: str) -> None:
    url = rule.action_url
    open_alarms = session.scalars(
        select(Alarm).where(Alarm.rule_id == rule.id, Alarm.status != AlarmStatus.CLEARED.value)
    ).all()
    records = [
        clear_record(alarm, SYSTEM, now, action_url=url, details={"reason": reason})
        for alarm in open_alarms
    ]
    write_records(session, records, now)


def delete_rule(db: Database, actor: Actor, rule_id: int) -> None:
    """Delete a rule that never raised an alarm (Conflict otherwise: disable it). Audited."""
    action = "alarm_rule.delete"
    with db.transaction() as session:
        rule: AlarmRule = _managed_rule(db, session, actor, rule_id, action)
        if session.scalar(select(Alarm.id).where(Alarm.rule_id == rule_id).limit(1)):
            raise Conflict(
                "the rule has alarms in its history: disable it instead",
                details={"rule_id": rule_id},
            )
        session.delete(rule)
        audit.record(
            session,
            actor,
            action,
            object_type="alarm_rule",
            object_id=str(rule_id),
            details={"name": rule.name},
        )
    signals.changed()


def list_rules(db: Database, actor: Actor) -> list[AlarmRule]:
    """The rules ``actor`` manages: every rule for admins, the department's for stewards."""
    if not actor.can(Permission.ALARMS_HANDLE):
        return []
    with db.reading() as session:
        query = select(AlarmRule).order_by(AlarmRule.id)
        if actor.role is not Role.ADMIN:
            query = query.where(AlarmRule.department_id == actor_department_id(session, actor))
        return list(session.scalars(query))


def rules_for_datastream(db: Database, actor: Actor, datastream_id: int) -> list[AlarmRule]:
    """The enabled rules that apply to a Datastream ``actor`` may read (its own and those of
    its class), e.g. to draw their thresholds on the station's chart."""
    with db.reading() as session:
        readable = session.scalar(
            select(Datastream.id).where(
                Datastream.id == datastream_id, Datastream.id.in_(readable_datastream_ids(actor))
            )
        )
        facts = stream_facts(session, [datastream_id]).get(datastream_id)
        if readable is None or facts is None:
            raise NotFound(
                f"no Datastream with id {datastream_id}", details={"datastream_id": datastream_id}
            )
        rules = session.scalars(
            select(AlarmRule).where(AlarmRule.enabled.is_(True)).order_by(AlarmRule.id)
        )
        return [r for r in rules if matches(compile_rule(r), facts)]
