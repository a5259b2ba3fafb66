"""Recording signed EPCIS events: checked, appended to the log, stored with their lots.

A leaf's ``batch <lot> <prev>`` lines name the log index of each lot's previous event, and the
leaf's bytes are fixed before the log sequences it. An event whose previous event on some lot is
in the same request therefore cannot be submitted with it: its ``prev`` is not known yet. So a
request is appended in *waves*: wave 0 holds the events that depend on nothing in the request,
wave k those whose latest same-lot predecessor is in wave k-1 or earlier. Each wave is one
all-or-nothing group; a request of many lots with a few steps each takes a few waves, not one
per event. Everything is checked (``eventcheck``) before the first wave is submitted.

Inside the sequencing transaction the wave's group writer (``eventstore``) re-checks what a
concurrent writer could have changed — the lots' ``last_index`` still equal to the leaf's prevs,
the hash still new, the key still active — and raises ``Conflict`` otherwise; after a lost race
on a lot the wave is rebuilt from the database and submitted once more.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput
from cityhub.trace.epcis import (
    EVENT_PAYLOAD_TYPE,
    canonical_json,
    envelope_hash,
    event_hash_id,
    pae,
)
from cityhub.trace.eventcheck import Checked, GroupChecker
from cityhub.trace.eventstore import group_writer
from cityhub.trace.leaves import BatchLine, EventLeaf, format_leaf
from cityhub.trace.log import GroupWriter, Pending, TraceLog
from cityhub.trace.models import TraceBatch
from cityhub.trace.note import NoteSigner, ProofBundle, format_proof_bundle
from cityhub.trace.note.proof import HEADER as PROOF_HEADER

MAX_GROUP = 5000


@dataclass(frozen=True)
class Recorded:
    """One recorded event: where it is in the log, its hash, findings and proof bundle."""

    index: int
    event_hash: str
    findings: list[dict[str, Any]]
    bundle: str


def seal_event(event: dict[str, Any], signer: NoteSigner) -> dict[str, Any]:
    """Client side: set ``eventID`` to the event's hash ID and sign its canonical JSON with an
    actor's note key (what the CLI and the web page do with a key the platform never sees)."""
    event["eventID"] = event_hash_id(event)
    payload = canonical_json(event)
    signature = signer.sign(pae(EVENT_PAYLOAD_TYPE, payload))
    return {
        "payload": base64.b64encode(payload).decode("ascii"),
        "payloadType": EVENT_PAYLOAD_TYPE,
        "signatures": [
            {"keyid": signer.key_id.hex(), "sig": base64.b64encode(signature).decode("ascii")}
        ],
    }


def _waves(checked: list[Checked]) -> list[list[Checked]]:
    depth: dict[int, int] = {}
    for item in checked:
        depth[item.position] = 1 + max((depth[p] for p in item.depends_on), default=-1)
    waves: list[list[Checked]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for item in checked:
        waves[depth[item.position]].append(item)
    return waves


def _wave_prevs(session: Session, wave: list[Checked]) -> list[dict[str, int | None]]:
    """Each event's lots with their previous event's index; earlier waves are committed, so
    the database has them (one query per 500 lots)."""
    lots = sorted({lot for item in wave for lot in item.lots.referenced})
    last: dict[str, int] = {}
    for start in range(0, len(lots), 500):
        query = select(TraceBatch.lot, TraceBatch.last_index).where(
            TraceBatch.lot.in_(lots[start : start + 500])
        )
        for lot, index in session.execute(query):
            last[lot] = index
    return [{lot: last.get(lot) for lot in item.lots.referenced} for item in wave]


def _leaf(item: Checked, prevs: dict[str, int | None]) -> bytes:
    lines = tuple(BatchLine(lot, prevs[lot]) for lot in sorted(prevs))
    digest = item.envelope_digest or base64.b64encode(envelope_hash(item.envelope)).decode("ascii")
    return format_leaf(EventLeaf(item.event_hash, digest, item.key.key_id, lines))


def _check(
    db: Database,
    caller: Actor,
    envelopes: Sequence[Any],
    settings: Settings | None,
    now: datetime | None,
) -> list[Checked]:
    audit.require(
        db, caller, Permission.TRACE_RECORD, "trace.event.record", object_type="trace_event"
    )
    if not isinstance(envelopes, list) or not 1 <= len(envelopes) <= MAX_GROUP:
        raise InvalidInput(f"send a list of 1 to {MAX_GROUP} signed events", details={"path": "$"})
    with db.reading() as session:
        return GroupChecker(db, session, caller, settings, now or datetime.now(UTC)).check_all(
            envelopes
        )


def _wave_entries(
    db: Database, wave: list[Checked], caller: Actor
) -> tuple[list[Pending], GroupWriter]:
    with db.reading() as session:
        prevs = _wave_prevs(session, wave)
    entries = [Pending(_leaf(item, p)) for item, p in zip(wave, prevs, strict=True)]
    return entries, group_writer(wave, prevs, caller)


def _bundles(log: TraceLog, indices: list[int]) -> list[str]:
    """The wave's proof bundles, all against the latest published checkpoint.

    ``log.proof_bundle`` per index would read and parse the same checkpoint note once per event
    (most of the cost of a bundle); here the first bundle is built and checked by
    ``ProofBundle`` and the others differ from it only in the index and path.
    """
    note = log.checkpoint()
    size = int(note.split("\n", 2)[1])
    first = ProofBundle(indices[0], tuple(log.inclusion(indices[0], size)), note)
    bundles = [format_proof_bundle(first)]
    for index in indices[1:]:
        path = [base64.b64encode(node).decode("ascii") for node in log.inclusion(index, size)]
        bundles.append("\n".join([PROOF_HEADER, f"index {index}", *path]) + "\n\n" + note)
    return bundles


def _results(log: TraceLog, wave: list[Checked], indices: list[int]) -> dict[int, Recorded]:
    bundles = _bundles(log, indices)
    return {
        item.position: Recorded(index, item.event_hash, [asdict(f) for f in item.findings], bundle)
        for item, index, bundle in zip(wave, indices, bundles, strict=True)
    }


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, Conflict) and bool(exc.details.get("retry"))


def record_events(
    db: Database,
    log: TraceLog,
    caller: Actor,
    envelopes: list[dict[str, Any]],
    *,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> list[Recorded]:
    """Check and record signed events, in order; returns one ``Recorded`` per envelope.

    Raises InvalidInput/Conflict/PermissionDenied naming the envelope (``details["event"]``) and
    JSON path before anything is appended. If a later wave then fails (a concurrent writer won
    twice), the events of earlier waves stay recorded: ``details["recorded"]`` lists them.
    """
    checked = _check(db, caller, envelopes, settings, now)
    results: dict[int, Recorded] = {}
    for wave in _waves(checked):
        for attempt in (1, 2):
            try:
                indices = log.append_blocking(*_wave_entries(db, wave, caller))
                break
            except Conflict as exc:
                if attempt == 2 or not _retryable(exc):
                    exc.details["recorded"] = [r.event_hash for r in results.values()]
                    raise
        results.update(_results(log, wave, indices))
    return [results[position] for position in sorted(results)]


async def record_events_async(
    db: Database,
    log: TraceLog,
    caller: Actor,
    envelopes: list[dict[str, Any]],
    *,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> list[Recorded]:
    """``record_events`` for the event loop: checks in a worker thread, appends with
    ``log.append`` (so many requests share one sequencing batch)."""
    checked = await asyncio.to_thread(_check, db, caller, envelopes, settings, now)
    results: dict[int, Recorded] = {}
    for wave in _waves(checked):
        for attempt in (1, 2):
            entries, write = await asyncio.to_thread(_wave_entries, db, wave, caller)
            try:
                indices = await log.append(entries, write)
                break
            except Conflict as exc:
                if attempt == 2 or not _retryable(exc):
                    exc.details["recorded"] = [r.event_hash for r in results.values()]
                    raise
        results.update(await asyncio.to_thread(_results, log, wave, indices))
    return [results[position] for position in sorted(results)]
