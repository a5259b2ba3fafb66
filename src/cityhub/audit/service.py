"""Recording and listing audit events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from cityhub.audit.models import AuditEvent
from cityhub.auth.actor import Actor, Permission
from cityhub.db import Database, utcnow
from cityhub.errors import InvalidInput

MAX_PAGE = 500


class Outcome(StrEnum):
    """How an audited action ended."""

    SUCCESS = "success"
    DENIED = "denied"  # refused by a permission or authentication check
    FAILURE = "failure"  # attempted and failed, e.g. a wrong password


def _fields(
    actor: Actor,
    action: str,
    outcome: Outcome,
    object_type: str | None,
    object_id: str | None,
    details: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "actor": actor.username,
        "actor_department": actor.department_code,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "client_address": actor.client_address,
        "outcome": outcome.value,
        "details": details or {},
    }


def _event(
    actor: Actor,
    action: str,
    outcome: Outcome,
    object_type: str | None,
    object_id: str | None,
    details: dict[str, Any] | None,
) -> AuditEvent:
    return AuditEvent(**_fields(actor, action, outcome, object_type, object_id, details))


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    outcome: Outcome = Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to the caller's transaction: it commits with the change it describes."""
    session.add(_event(actor, action, outcome, object_type, object_id, details))


@dataclass(frozen=True)
class Entry:
    """One audit row for ``record_many``."""

    actor: Actor
    action: str
    object_type: str | None = None
    object_id: str | None = None
    details: dict[str, Any] | None = None
    outcome: Outcome = Outcome.SUCCESS


def record_many(session: Session, entries: list[Entry]) -> None:
    """Add many audit rows to the caller's transaction with one executemany: a storm of
    alarm changes should not cost an ORM object per row."""
    if not entries:
        return
    now = utcnow()
    rows = [
        {"occurred_at": now}
        | _fields(e.actor, e.action, e.outcome, e.object_type, e.object_id, e.details)
        for e in entries
    ]
    session.execute(insert(AuditEvent), rows)


def record_alone(
    db: Database,
    actor: Actor,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    outcome: Outcome,
    details: dict[str, Any] | None = None,
) -> None:
    """Write an audit row in a transaction of its own (for refusals and failures)."""
    with db.transaction() as session:
        session.add(_event(actor, action, outcome, object_type, object_id, details))


def deny(
    db: Database,
    actor: Actor,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record that ``action`` was refused, in a transaction of its own."""
    record_alone(
        db,
        actor,
        action,
        object_type=object_type,
        object_id=object_id,
        outcome=Outcome.DENIED,
        details=details,
    )


def require(
    db: Database,
    actor: Actor,
    permission: Permission,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
) -> None:
    """Check ``permission``; a refusal is audited as ``action`` with outcome ``denied``."""
    if actor.can(permission):
        return
    deny(
        db,
        actor,
        action,
        object_type=object_type,
        object_id=object_id,
        details={"permission": permission.value},
    )
    actor.require(permission)


@dataclass(frozen=True)
class AuditFilter:
    """Which audit events to list; every field narrows the result."""

    actor: str | None = None
    department: str | None = None
    action: str | None = None  # exact, or a prefix ending in '.' such as 'auth.'
    object_type: str | None = None
    object_id: str | None = None
    outcome: Outcome | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None  # cursor: only events older than this id
    limit: int = 100


@dataclass(frozen=True)
class AuditPage:
    """A page of audit events, newest first, and the cursor for the next page."""

    events: list[AuditEvent]
    next_before_id: int | None


def _filtered(query: Select[Any], where: AuditFilter) -> Select[Any]:
    conditions = {
        AuditEvent.actor: where.actor,
        AuditEvent.actor_department: where.department,
        AuditEvent.object_type: where.object_type,
        AuditEvent.object_id: where.object_id,
        AuditEvent.outcome: where.outcome.value if where.outcome else None,
    }
    for column, value in conditions.items():
        if value is not None:
            query = query.where(column == value)
    if where.action:
        if where.action.endswith("."):
            query = query.where(AuditEvent.action.startswith(where.action, autoescape=True))
        else:
            query = query.where(AuditEvent.action == where.action)
    if where.since is not None:
        query = query.where(AuditEvent.occurred_at >= where.since)
    if where.until is not None:
        query = query.where(AuditEvent.occurred_at < where.until)
    if where.before_id is not None:
        query = query.where(AuditEvent.id < where.before_id)
    return query


def list_events(db: Database, actor: Actor, where: AuditFilter) -> AuditPage:
    """Audit events matching ``where``, newest first; admins only, and the listing is audited."""
    require(db, actor, Permission.AUDIT_READ, "audit.list")
    if not 1 <= where.limit <= MAX_PAGE:
        raise InvalidInput(
            f"limit must be between 1 and {MAX_PAGE}",
            details={"field": "limit", "value": where.limit},
        )
    for field in ("since", "until"):
        moment = getattr(where, field)
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput(
                f"{field} needs a time zone, e.g. 2026-11-27T00:00:00+08:00",
                details={"field": field, "value": moment.isoformat()},
            )
    if where.since and where.until and where.since >= where.until:
        raise InvalidInput("since must be before until", details={"field": "since"})
    with db.transaction() as session:
        query = _filtered(select(AuditEvent), where).order_by(AuditEvent.id.desc())
        events = list(session.scalars(query.limit(where.limit + 1)))
        record(session, actor, "audit.list", details=_filter_details(where))
    more = len(events) > where.limit
    events = events[: where.limit]
    return AuditPage(events, events[-1].id if more and events else None)


def count_events(db: Database) -> int:
    """How many audit events the platform holds."""
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _filter_details(where: AuditFilter) -> dict[str, Any]:
    return {
        key: (value.isoformat() if isinstance(value, datetime) else str(value))
        for key, value in vars(where).items()
        if value is not None
    }
