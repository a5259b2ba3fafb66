"""Storing a wave of checked events inside the log's sequencing transaction, in bulk.

The log calls the group writer once per group with every entry's index. It re-checks what a
concurrent writer could have changed since the events were checked — the hash still new, the
signing key still active, each lot's ``last_index`` still the leaf's ``prev`` and each created
lot still new — and then writes the events, their lots and the batches with one bulk statement
per table, so a sequencing transaction of thousands of events stays short.

Several groups share one transaction; what earlier groups of it wrote is not flushed yet, so the
lots and hashes they touched are kept in ``session.info`` and consulted before the database.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from cityhub.audit import Outcome
from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor
from cityhub.db.base import utcnow
from cityhub.errors import Conflict, InvalidInput
from cityhub.trace.epcis import parse_lgtin
from cityhub.trace.eventcheck import Checked
from cityhub.trace.log import GroupWriter
from cityhub.trace.models import TraceBatch, TraceEvent, TraceEventLot, TraceKey

LOTS = "cityhub.trace.lots"  # lot → (last_index, last_event_time) as of this transaction
HASHES = "cityhub.trace.hashes"  # event hashes written in this transaction
NAMES = "cityhub.trace.names"  # GTIN → (product zh, product en)
Prevs = dict[str, int | None]
_AUDIT = cast(Table, AuditEvent.__table__)
_EVENTS = cast(Table, TraceEvent.__table__)
_EVENT_LOTS = cast(Table, TraceEventLot.__table__)
_BATCHES = cast(Table, TraceBatch.__table__)
_TOUCH = (
    update(_BATCHES)
    .where(_BATCHES.c.lot == bindparam("b_lot"))
    .values(last_index=bindparam("b_index"), last_event_time=bindparam("b_time"))
)


def _lot_states(session: Session, lots: set[str]) -> dict[str, tuple[int, datetime]]:
    known: dict[str, tuple[int, datetime]] = session.info.setdefault(LOTS, {})
    missing = sorted(lots - set(known))
    with session.no_autoflush:
        for start in range(0, len(missing), 500):
            query = select(TraceBatch.lot, TraceBatch.last_index, TraceBatch.last_event_time)
            for lot, last, moment in session.execute(
                query.where(TraceBatch.lot.in_(missing[start : start + 500]))
            ):
                known[lot] = (last, moment)
    return known


def _recheck(
    session: Session, wave: list[Checked], prevs: list[Prevs]
) -> dict[str, tuple[int, datetime]]:
    hashes = {item.event_hash for item in wave}
    written: set[str] = session.info.setdefault(HASHES, set())
    with session.no_autoflush:
        recorded = set(
            session.scalars(select(TraceEvent.event_hash).where(TraceEvent.event_hash.in_(hashes)))
        )
        revoked = set(
            session.scalars(
                select(TraceKey.key_id).where(
                    TraceKey.id.in_({item.key.id for item in wave}),
                    TraceKey.revoked_index.is_not(None),
                )
            )
        )
    lots = _lot_states(session, {lot for p in prevs for lot in p})
    for item, item_prevs in zip(wave, prevs, strict=True):
        where = {"event": item.position}
        if item.event_hash in recorded or item.event_hash in written:
            raise Conflict("duplicate event: recorded meanwhile", details=where)
        if item.key.key_id in revoked:
            raise InvalidInput(
                f"signing key {item.key.key_id} was revoked meanwhile",
                details={**where, "path": "$.signatures[0].keyid", "rule": "key_revoked"},
            )
        for lot in item.fresh & set(lots):
            raise Conflict(f"batch {lot} was created meanwhile", details=where)
        for lot, prev in item_prevs.items():
            if (lots[lot][0] if lot in lots else None) != prev:
                raise Conflict(f"batch {lot} changed meanwhile", details={**where, "retry": True})
    return lots


def _product_names(session: Session, gtins: set[str]) -> dict[str, tuple[str | None, str | None]]:
    names: dict[str, tuple[str | None, str | None]] = session.info.setdefault(NAMES, {})
    missing = gtins - set(names)
    if missing:
        query = select(TraceBatch.gtin, TraceBatch.product_zh, TraceBatch.product_en).where(
            TraceBatch.gtin.in_(sorted(missing)), TraceBatch.product_zh.is_not(None)
        )
        with session.no_autoflush:
            for gtin, zh, en in session.execute(query):
                if gtin is not None:
                    names.setdefault(gtin, (zh, en))
    return names


def _new_batch(
    item: Checked, lot: str, index: int, names: dict[str, tuple[str | None, str | None]]
) -> dict[str, Any]:
    try:
        gtin, code = parse_lgtin(lot)
    except InvalidInput:
        gtin, code = None, None
    ilmd = item.event.get("ilmd")
    given = ilmd if isinstance(ilmd, dict) else {}
    zh, en = given.get("cityhub:productName"), given.get("cityhub:productNameEn")
    if not isinstance(zh, str):  # a new lot of a known product keeps the product's names
        zh, en = names.get(gtin or "", (None, None))
    return {
        "lot": lot,
        "gtin": gtin,
        "lot_code": code[:20] if code else None,
        "product_zh": zh,
        "product_en": en if isinstance(en, str) else None,
        "created_index": index,
        "last_index": index,
        "last_event_time": item.event_time,
        "actor_id": item.actor.id,
    }


def group_writer(wave: list[Checked], prevs: list[Prevs], caller: Actor) -> GroupWriter:
    """The log's group ``write`` for one wave: re-check, then store everything in bulk."""

    def write(session: Session, indices: list[int]) -> None:
        lots = _recheck(session, wave, prevs)
        events, members, created, touched, audits = [], [], [], [], []
        moment_now = utcnow()
        new_gtins = {
            g for item in wave for lot in item.roles if lot not in lots for g in _gtin(lot)
        }
        names = _product_names(session, new_gtins) if new_gtins else {}
        for item, item_prevs, index in zip(wave, prevs, indices, strict=True):
            # The event's id is its log index, so its lot rows need no generated key first.
            events.append(
                {
                    "id": index,
                    "event_hash": item.event_hash,
                    "log_index": index,
                    "actor_id": item.actor.id,
                    "key_id": item.key.key_id,
                    "event_type": str(item.event["type"]),
                    "biz_step": item.biz_step,
                    "biz_location": item.biz_location,
                    "event_time": item.event_time,
                    "record_time": moment_now,
                    "envelope": item.envelope,
                    "findings": [asdict(f) for f in item.findings],
                }
            )
            for lot, roles in item.roles.items():
                members += [
                    {"event_id": index, "lot": lot, "role": role, "prev_index": item_prevs[lot]}
                    for role in sorted(roles)
                ]
                if lot in lots:
                    moment = max(lots[lot][1], item.event_time)
                    touched.append({"b_lot": lot, "b_index": index, "b_time": moment})
                else:
                    created.append(_new_batch(item, lot, index, names))
                    moment = item.event_time
                lots[lot] = (index, moment)
            session.info[HASHES].add(item.event_hash)
            # One audit row per event, as ``audit.record`` writes it, but in one bulk insert.
            audits.append(
                {
                    "occurred_at": moment_now,
                    "actor": caller.username,
                    "actor_department": caller.department_code,
                    "action": "trace.event.record",
                    "object_type": "trace_event",
                    "object_id": item.event_hash,
                    "client_address": caller.client_address,
                    "outcome": Outcome.SUCCESS.value,
                    "details": {
                        "log_index": index,
                        "batches": sorted(item.roles),
                        "findings": len(item.findings),
                    },
                }
            )
        # Core inserts on the tables: the ORM's bulk path costs more per row than SQLite does.
        session.execute(insert(_AUDIT), audits)
        session.execute(insert(_EVENTS), events)
        session.execute(insert(_EVENT_LOTS), members)
        if created:
            session.execute(insert(_BATCHES), created)
        if touched:
            session.execute(_TOUCH, touched)

    return write


def _gtin(lot: str) -> list[str]:
    try:
        return [parse_lgtin(lot)[0]]
    except InvalidInput:
        return []
