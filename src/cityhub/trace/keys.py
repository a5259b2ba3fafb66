"""Actor keys: registration, rotation and revocation, each a ``kind key`` leaf in the log.

The platform never sees a private key: it receives a signed key statement (``statements``),
checks it, appends the leaf and, in the leaf's own sequencing transaction (``Pending.write``),
writes the ``trace_keys`` row, so a key is usable exactly when its registration is in the log.
A rotation retires the old key at the rotation's log index and a revocation at its own; events
signed by a retired key and sequenced later are refused (``events`` checks ``revoked_index``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotFound
from cityhub.trace.actors import actor_by_ref, require_act_for
from cityhub.trace.epcis import envelope_hash
from cityhub.trace.keyrecords import KeyRecord, list_keys, signing_key
from cityhub.trace.leaves import KeyAction, KeyLeaf, format_leaf
from cityhub.trace.log import Pending, TraceLog
from cityhub.trace.models import TraceActor, TraceKey
from cityhub.trace.note import NoteVerifier
from cityhub.trace.statements import (
    Statement,
    key_statement,
    parse_statement,
    parse_vkey,
    sign_statement,
)

DEFAULT_FUTURE_TOLERANCE = 300


def future_tolerance(settings: Settings | None) -> timedelta:
    """How far ahead of the clock a statement or event time may be."""
    seconds = getattr(settings, "trace_future_tolerance_seconds", DEFAULT_FUTURE_TOLERANCE)
    return timedelta(seconds=seconds)


def _check_common(
    db: Database,
    session: Session,
    caller: Actor,
    actor_ref: str,
    statement: Statement,
    settings: Settings | None,
    action: str,
) -> TraceActor:
    actor = actor_by_ref(session, actor_ref)
    if statement.actor != actor.ref:
        raise InvalidInput(
            f"the statement names actor {statement.actor}, not {actor.ref}",
            details={"path": "$.payload.actor"},
        )
    if statement.time > datetime.now(UTC) + future_tolerance(settings):
        raise InvalidInput(
            "the statement's time is in the future", details={"path": "$.payload.time"}
        )
    if statement.action != action:
        raise InvalidInput(f"expected a {action} statement", details={"path": "$.payload.action"})
    if statement.body.get("by") is None:
        require_act_for(db, session, caller, actor, f"trace.key.{action}")
    return actor


def _require_signed_by(statement: Statement, verifier: NoteVerifier, role: str) -> None:
    if not statement.verified_by(verifier):
        raise InvalidInput(
            f"the statement carries no valid signature of the {role} key {verifier.key_id.hex()}",
            details={"path": "$.signatures"},
        )


def _active_key(session: Session, actor: TraceActor, key_id: str, path: str) -> TraceKey:
    row = session.scalar(select(TraceKey).where(TraceKey.key_id == key_id))
    if row is None or row.actor_id != actor.id:
        raise NotFound(f"actor {actor.ref} has no key {key_id}", details={"path": path})
    if row.revoked_index is not None:
        raise Conflict(
            f"key {key_id} was retired at log index {row.revoked_index}", details={"path": path}
        )
    return row


def _new_key_free(session: Session, verifier: NoteVerifier) -> None:
    kid, vkey = verifier.key_id.hex(), verifier.vkey()
    clash = session.scalar(
        select(TraceKey.key_id).where(or_(TraceKey.key_id == kid, TraceKey.vkey == vkey))
    )
    if clash is not None:
        # Key ids are 4 bytes: a clash with another actor's key is possible; generate another.
        raise Conflict(
            f"key id {kid} is registered already; generate another key", details={"key": kid}
        )


def _append(log: TraceLog, leaf: KeyLeaf, write: Callable[[Session, int], None]) -> tuple[int, str]:
    [index] = log.append_blocking([Pending(format_leaf(leaf), write)])
    return index, log.proof_bundle(index)


def _leaf(action: KeyAction, actor: TraceActor, vkey: str, envelope: dict[str, Any]) -> KeyLeaf:
    digest = base64.b64encode(envelope_hash(envelope)).decode("ascii")
    return KeyLeaf(action, actor.ref, vkey, digest)


def register_key(
    db: Database,
    log: TraceLog,
    caller: Actor,
    actor_ref: str,
    envelope: dict[str, Any],
    *,
    settings: Settings | None = None,
) -> KeyRecord:
    """Register an actor's first (or an additional) key from a statement signed by that key."""
    statement = parse_statement(envelope)
    with db.reading() as session:
        actor = _check_common(db, session, caller, actor_ref, statement, settings, "register")
        verifier = parse_vkey(statement.body["vkey"], "$.payload.vkey")
        _require_signed_by(statement, verifier, "new")
        _new_key_free(session, verifier)
    kid, actor_id, ref = verifier.key_id.hex(), actor.id, actor.ref

    def write(session: Session, index: int) -> None:
        _new_key_free(session, verifier)
        session.add(
            TraceKey(
                key_id=kid,
                actor_id=actor_id,
                vkey=verifier.vkey(),
                registered_index=index,
                envelope=envelope,
            )
        )
        audit.record(
            session,
            caller,
            "trace.key.register",
            object_type="trace_key",
            object_id=kid,
            details={"actor": ref, "log_index": index},
        )

    index, bundle = _append(log, _leaf("register", actor, verifier.vkey(), envelope), write)
    return KeyRecord(kid, ref, verifier.vkey(), index, None, None, bundle)


def rotate_key(
    db: Database,
    log: TraceLog,
    caller: Actor,
    actor_ref: str,
    envelope: dict[str, Any],
    *,
    settings: Settings | None = None,
) -> KeyRecord:
    """Replace an active key by a new one; the statement is signed by both. Returns the new key."""
    statement = parse_statement(envelope)
    with db.reading() as session:
        actor = _check_common(db, session, caller, actor_ref, statement, settings, "rotate")
        verifier = parse_vkey(statement.body["vkey"], "$.payload.vkey")
        old = _active_key(session, actor, statement.body["previous"], "$.payload.previous")
        _require_signed_by(statement, parse_vkey(old.vkey, "$.payload.previous"), "previous")
        _require_signed_by(statement, verifier, "new")
        _new_key_free(session, verifier)
    kid, old_kid, actor_id, ref = verifier.key_id.hex(), old.key_id, actor.id, actor.ref

    def write(session: Session, index: int) -> None:
        _new_key_free(session, verifier)
        previous = session.scalar(select(TraceKey).where(TraceKey.key_id == old_kid))
        if previous is None or previous.revoked_index is not None:
            raise Conflict(f"key {old_kid} was retired meanwhile")
        previous.revoked_index, previous.revocation = index, envelope
        session.add(
            TraceKey(
                key_id=kid,
                actor_id=actor_id,
                vkey=verifier.vkey(),
                registered_index=index,
                rotated_from=old_kid,
                envelope=envelope,
            )
        )
        audit.record(
            session,
            caller,
            "trace.key.rotate",
            object_type="trace_key",
            object_id=kid,
            details={"actor": ref, "previous": old_kid, "log_index": index},
        )

    index, bundle = _append(log, _leaf("rotate", actor, verifier.vkey(), envelope), write)
    return KeyRecord(kid, ref, verifier.vkey(), index, None, old_kid, bundle)


def revoke_key(
    db: Database,
    log: TraceLog,
    caller: Actor,
    actor_ref: str,
    envelope: dict[str, Any],
    *,
    settings: Settings | None = None,
) -> KeyRecord:
    """Revoke a key: a statement signed by the key itself, or an unsigned one ``"by":
    "admin:<user>"`` sent by that TRACE_MANAGE holder (for a lost or stolen key)."""
    statement = parse_statement(envelope)
    by = statement.body.get("by")
    if by is not None:
        audit.require(
            db, caller, Permission.TRACE_MANAGE, "trace.key.revoke", object_type="trace_key"
        )
        if by != f"admin:{caller.username}" or statement.signatures:
            raise InvalidInput(
                f'an admin revocation says "by": "admin:{caller.username}" and is unsigned',
                details={"path": "$.payload.by"},
            )
    with db.reading() as session:
        actor = _check_common(db, session, caller, actor_ref, statement, settings, "revoke")
        row = _active_key(session, actor, statement.body["key"], "$.payload.key")
        if by is None:
            _require_signed_by(statement, parse_vkey(row.vkey, "$.payload.key"), "revoked")
    kid, ref, vkey = row.key_id, actor.ref, row.vkey

    def write(session: Session, index: int) -> None:
        key = session.scalar(select(TraceKey).where(TraceKey.key_id == kid))
        if key is None or key.revoked_index is not None:
            raise Conflict(f"key {kid} was retired meanwhile")
        key.revoked_index, key.revocation = index, envelope
        audit.record(
            session,
            caller,
            "trace.key.revoke",
            object_type="trace_key",
            object_id=kid,
            details={
                "actor": ref,
                "log_index": index,
                "reason": statement.body["reason"],
                "by": by,
            },
        )

    index, bundle = _append(log, _leaf("revoke", actor, vkey, envelope), write)
    return KeyRecord(kid, ref, vkey, row.registered_index, index, row.rotated_from, bundle)


def revoke_key_as_admin(
    db: Database,
    log: TraceLog,
    caller: Actor,
    key_id: str,
    reason: str,
    *,
    settings: Settings | None = None,
) -> KeyRecord:
    """Revoke any actor's key without its signature; TRACE_MANAGE (the statement says by whom)."""
    audit.require(
        db,
        caller,
        Permission.TRACE_MANAGE,
        "trace.key.revoke",
        object_type="trace_key",
        object_id=key_id,
    )
    with db.reading() as session:
        row = session.scalar(select(TraceKey).where(TraceKey.key_id == key_id))
        if row is None:
            raise NotFound(f"no key {key_id}", details={"key": key_id})
        ref = session.scalars(select(TraceActor.ref).where(TraceActor.id == row.actor_id)).one()
    statement = key_statement(
        "revoke", ref, key=key_id, reason=reason, by=f"admin:{caller.username}"
    )
    return revoke_key(db, log, caller, ref, sign_statement(statement, []), settings=settings)


__all__ = [
    "KeyRecord",
    "future_tolerance",
    "list_keys",
    "register_key",
    "revoke_key",
    "revoke_key_as_admin",
    "rotate_key",
    "signing_key",
]
