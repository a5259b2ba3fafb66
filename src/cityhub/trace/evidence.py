"""The batch evidence document: everything needed to verify a batch's history without us.

``evidence_document`` assembles, for one lot, its events' signed envelopes with their leaves and
tlog-proof bundles, and the signing keys with their registration leaves and bundles, all against
one published checkpoint, plus the trust policy. ``verify_evidence`` (``evidence_verify``) checks
such a document completely and offline; it backs ``cityhub trace verify``, and the browser does
the same in JavaScript.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.errors import NotFound
from cityhub.trace.actorview import display_name
from cityhub.trace.batches import canonical_lot
from cityhub.trace.evidence_verify import FORMAT, VerificationReport, verify_evidence
from cityhub.trace.log import TraceLog
from cityhub.trace.models import TraceActor, TraceBatch, TraceEvent, TraceEventLot, TraceKey

__all__ = ["FORMAT", "VerificationReport", "evidence_document", "verify_evidence"]


def _leaf_text(log: TraceLog, index: int) -> str:
    # A stored leaf that is no longer UTF-8 has been tampered with; replacing the bad bytes keeps
    # the document well formed and the inclusion check then fails, naming the event.
    return log.leaf(index).decode("utf-8", errors="replace")


def evidence_document(db: Database, log: TraceLog, lot: str, *, caller: Actor) -> dict[str, Any]:
    """The evidence document of ``lot`` (format ``cityhub.trace/evidence/v1``); TRACE_READ,
    audited. Events sequenced after the latest published checkpoint are left for later."""
    lot = canonical_lot(lot)
    audit.require(
        db,
        caller,
        Permission.TRACE_READ,
        "trace.evidence.read",
        object_type="trace_batch",
        object_id=lot,
    )
    size = log.published_size()
    with db.transaction() as session:
        if session.get(TraceBatch, lot) is None:
            raise NotFound(f"no batch {lot}", details={"batch": lot})
        events = list(
            session.scalars(
                select(TraceEvent)
                .where(
                    TraceEvent.id.in_(
                        select(TraceEventLot.event_id).where(TraceEventLot.lot == lot)
                    )
                )
                .where(TraceEvent.log_index < size)
                .order_by(TraceEvent.log_index)
            )
        )
        signers = sorted({event.key_id for event in events})
        keys = session.execute(
            select(TraceKey, TraceActor)
            .join(TraceActor, TraceActor.id == TraceKey.actor_id)
            .where(TraceKey.key_id.in_(signers))
        ).all()
        audit.record(
            session,
            caller,
            "trace.evidence.read",
            object_type="trace_batch",
            object_id=lot,
            details={"size": size, "events": len(events)},
        )
    document_keys: dict[str, Any] = {}
    for key, actor in keys:
        name_zh, _ = display_name(actor, caller)
        document_keys[key.key_id] = {
            "vkey": key.vkey,
            "actor": {"ref": actor.ref, "name": name_zh},
            "envelope": key.envelope,
            "leaf": _leaf_text(log, key.registered_index),
            "bundle": log.proof_bundle(key.registered_index, size),
            "revoked_at_index": key.revoked_index
            if key.revoked_index is not None and key.revoked_index < size
            else None,
        }
    return {
        "format": FORMAT,
        "batch": lot,
        "policy": log.policy_text(),
        "events": [
            {
                "envelope": event.envelope,
                "leaf": _leaf_text(log, event.log_index),
                "bundle": log.proof_bundle(event.log_index, size),
                "signer": event.key_id,
            }
            for event in events
        ],
        "keys": document_keys,
    }
