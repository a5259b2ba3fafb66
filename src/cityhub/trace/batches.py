"""Batch histories: a lot's events in log order, decoded, with who recorded them and where.

The history of a lot is its own events, plus the events of the containers (SSCC pallets) it was
packed into, from the packing on (``via`` names the container): the consumer sees the pallet's
shipping and receiving too. Evidence (``evidence``) covers the lot's own events, whose leaves
chain by ``batch <lot> <prev>``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.errors import InvalidInput, NotFound
from cityhub.trace.actorview import display_name, masked_place
from cityhub.trace.epcis import normalise_id
from cityhub.trace.models import TraceActor, TraceBatch, TraceEvent, TraceEventLot
from cityhub.trace.recall import CONTAINER_PREFIX, step_name

MAX_EVENTS = 2000


@dataclass(frozen=True)
class BatchHistory:
    """A batch and its events (JSON-ready dicts, log order)."""

    lot: str
    gtin: str | None
    lot_code: str | None
    product_zh: str | None
    product_en: str | None
    created_index: int
    last_index: int
    events: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the fields."""
        return dict(vars(self))


def decode_payload(envelope: dict[str, Any]) -> dict[str, Any] | None:
    """The event inside a stored envelope, or None if it no longer decodes (tampered)."""
    try:
        event = json.loads(base64.b64decode(str(envelope.get("payload", ""))))
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def canonical_lot(lot: str) -> str:
    """``lot`` in canonical Digital Link form (EPC URNs and our resolver's URLs accepted)."""
    try:
        return normalise_id(lot)
    except InvalidInput as exc:
        raise NotFound(f"no batch {lot}", details={"batch": lot}) from exc


def _containers(session: Session, lot: str) -> dict[str, int]:
    """Containers the lot was packed into → log index of the (first) packing."""
    parents = select(TraceEventLot.event_id).where(
        TraceEventLot.lot == lot, TraceEventLot.role == "child"
    )
    rows = session.execute(
        select(TraceEventLot.lot, TraceEvent.log_index)
        .join(TraceEvent, TraceEvent.id == TraceEventLot.event_id)
        .where(TraceEventLot.event_id.in_(parents), TraceEventLot.role == "parent")
        .order_by(TraceEvent.log_index)
    )
    found: dict[str, int] = {}
    for container, index in rows:
        found.setdefault(container, index)
    return {c: i for c, i in found.items() if c.startswith(CONTAINER_PREFIX)}


def _event_rows(
    session: Session, lot: str, containers: dict[str, int]
) -> list[tuple[TraceEvent, list[str], str | None]]:
    lots = [lot, *containers]
    rows = session.execute(
        select(TraceEvent, TraceEventLot.lot, TraceEventLot.role)
        .join(TraceEventLot, TraceEventLot.event_id == TraceEvent.id)
        .where(TraceEventLot.lot.in_(lots))
        .order_by(TraceEvent.log_index)
    )
    out: dict[int, tuple[TraceEvent, list[str], str | None]] = {}
    for event, member, role in rows:
        if member != lot and event.log_index < containers[member]:
            continue  # the pallet's earlier life is not this lot's
        via = None if member == lot else member
        known = out.get(event.id)
        if known is None:
            out[event.id] = (event, [role] if member == lot else [], via)
        elif member == lot:
            known[1].append(role)
            out[event.id] = (event, known[1], None)
    return list(out.values())[:MAX_EVENTS]


def _actor_json(row: TraceActor, caller: Actor) -> dict[str, Any]:
    name_zh, name_en = display_name(row, caller)
    lon, lat = masked_place(row, caller)
    return {
        "ref": row.ref,
        "name_zh": name_zh,
        "name_en": name_en,
        "kind": row.kind,
        "county": row.county,
        "lon": lon,
        "lat": lat,
    }


def batch_history(db: Database, caller: Actor, lot: str) -> BatchHistory:
    """The lot's history for the batch page and the API; TRACE_READ (everyone), audited."""
    lot = canonical_lot(lot)
    audit.require(
        db,
        caller,
        Permission.TRACE_READ,
        "trace.batch.read",
        object_type="trace_batch",
        object_id=lot,
    )
    with db.transaction() as session:
        batch = session.get(TraceBatch, lot)
        if batch is None:
            raise NotFound(f"no batch {lot}", details={"batch": lot})
        rows = _event_rows(session, lot, _containers(session, lot))
        actors = {
            a.id: a
            for a in session.scalars(
                select(TraceActor).where(TraceActor.id.in_({e.actor_id for e, _, _ in rows}))
            )
        }
        events = [
            {
                "index": event.log_index,
                "event_hash": event.event_hash,
                "event_type": event.event_type,
                "biz_step": event.biz_step,
                "step": step_name(event.biz_step),
                "event_time": event.event_time.isoformat(),
                "record_time": event.record_time.isoformat(),
                "roles": sorted(roles),
                "via": via,
                "signer": event.key_id,
                "actor": _actor_json(actors[event.actor_id], caller),
                "event": decode_payload(event.envelope),
                "findings": event.findings,
            }
            for event, roles, via in rows
        ]
        audit.record(session, caller, "trace.batch.read", object_type="trace_batch", object_id=lot)
        return BatchHistory(
            lot,
            batch.gtin,
            batch.lot_code,
            batch.product_zh,
            batch.product_en,
            batch.created_index,
            batch.last_index,
            events,
        )


def list_batches(
    db: Database,
    caller: Actor,
    *,
    gtin: str | None = None,
    actor_ref: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Batches, newest first, optionally of one GTIN or one creating actor; TRACE_READ, audited."""
    audit.require(db, caller, Permission.TRACE_READ, "trace.batch.list", object_type="trace_batch")
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be 1-1000", details={"field": "limit"})
    with db.transaction() as session:
        query = select(TraceBatch, TraceActor.ref).join(
            TraceActor, TraceActor.id == TraceBatch.actor_id
        )
        if gtin is not None:
            query = query.where(TraceBatch.gtin == gtin)
        if actor_ref is not None:
            query = query.where(TraceActor.ref == actor_ref)
        rows = session.execute(query.order_by(TraceBatch.created_index.desc()).limit(limit)).all()
        audit.record(
            session,
            caller,
            "trace.batch.list",
            object_type="trace_batch",
            details={"gtin": gtin, "actor": actor_ref},
        )
        return [
            {
                "lot": b.lot,
                "gtin": b.gtin,
                "lot_code": b.lot_code,
                "product_zh": b.product_zh,
                "product_en": b.product_en,
                "created_index": b.created_index,
                "last_index": b.last_index,
                "actor": ref,
            }
            for b, ref in rows
        ]


def name_product(
    db: Database, caller: Actor, gtin: str, name_zh: str, name_en: str | None = None
) -> int:
    """Set the product names of every batch of ``gtin`` (new lots inherit them); TRACE_MANAGE.
    Returns how many batches changed."""
    audit.require(
        db,
        caller,
        Permission.TRACE_MANAGE,
        "trace.product.name",
        object_type="gtin",
        object_id=gtin,
    )
    if not name_zh.strip() or len(name_zh) > 200 or (name_en is not None and len(name_en) > 200):
        raise InvalidInput("product names are 1-200 characters", details={"field": "name_zh"})
    with db.transaction() as session:
        result = session.execute(
            update(TraceBatch)
            .where(TraceBatch.gtin == gtin)
            .values(product_zh=name_zh.strip(), product_en=name_en)
        )
        changed = int(getattr(result, "rowcount", 0) or 0)
        audit.record(
            session,
            caller,
            "trace.product.name",
            object_type="gtin",
            object_id=gtin,
            details={"name_zh": name_zh, "batches": changed},
        )
    return changed
