"""Actor keys as records: the ``KeyRecord`` the services return, listing, and lookup by key ID."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.trace.actors import actor_by_ref
from cityhub.trace.models import TraceActor, TraceKey


@dataclass(frozen=True)
class KeyRecord:
    """A key as registered, and (right after a change) the proof bundle of the change's leaf."""

    key_id: str
    actor: str
    vkey: str
    registered_index: int
    revoked_index: int | None
    rotated_from: str | None
    bundle: str | None = None

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the fields."""
        return dict(vars(self))


def key_record(row: TraceKey, actor: str, bundle: str | None = None) -> KeyRecord:
    """The record of a ``trace_keys`` row of actor ``actor``."""
    return KeyRecord(
        row.key_id,
        actor,
        row.vkey,
        row.registered_index,
        row.revoked_index,
        row.rotated_from,
        bundle,
    )


def list_keys(db: Database, caller: Actor, actor_ref: str) -> list[KeyRecord]:
    """An actor's keys, oldest first, retired ones included; TRACE_READ, audited."""
    audit.require(
        db,
        caller,
        Permission.TRACE_READ,
        "trace.key.list",
        object_type="trace_actor",
        object_id=actor_ref,
    )
    with db.transaction() as session:
        actor = actor_by_ref(session, actor_ref)
        rows = session.scalars(
            select(TraceKey)
            .where(TraceKey.actor_id == actor.id)
            .order_by(TraceKey.registered_index)
        )
        records = [key_record(row, actor.ref) for row in rows]
        audit.record(
            session, caller, "trace.key.list", object_type="trace_actor", object_id=actor.ref
        )
    return records


def signing_key(session: Session, key_id: str) -> tuple[TraceKey, TraceActor] | None:
    """The key with ``key_id`` and its actor, or None."""
    row = session.execute(
        select(TraceKey, TraceActor)
        .join(TraceActor, TraceActor.id == TraceKey.actor_id)
        .where(TraceKey.key_id == key_id)
    ).first()
    return None if row is None else (row[0], row[1])
