"""``/api/trace``: key statements, signed events, batch histories and evidence documents.

Keys and events are signed client-side (the CLI, the key page): these routes only carry the
envelopes to the services, which check signatures, schema and rules, append to the log and
answer once a published checkpoint covers the new entries, with their proof bundles.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from cityhub.errors import InvalidInput
from cityhub.trace import batches, events, evidence, keys
from cityhub.trace.statements import parse_statement
from cityhub.web.deps import DatabaseDep, SettingsDep
from cityhub.web.routes.trace_deps import Caller, LogDep, LotQuery, canonical_lot
from cityhub.web.schemas import ERROR_RESPONSES
from cityhub.web.trace_schemas import (
    BatchHistoryPublic,
    BatchSummary,
    EventsIn,
    EventsRecorded,
    EvidenceDocument,
    KeyPublic,
    KeyRevoke,
    KeyStatementIn,
    RecordedEvent,
)

router = APIRouter(prefix="/api/trace", tags=["trace"], responses=ERROR_RESPONSES)

KeyId = Annotated[str, Path(pattern="^[0-9a-f]{8}$", description="Key ID, 8 hex digits.")]


def _envelope(body: KeyStatementIn | KeyRevoke) -> dict[str, Any]:
    assert body.envelope is not None
    return body.envelope.model_dump()


@router.post("/keys", status_code=201, summary="Register or rotate a key")
def create_key(
    body: KeyStatementIn, db: DatabaseDep, log: LogDep, settings: SettingsDep, actor: Caller
) -> KeyPublic:
    """Register an actor's key (a statement signed by the new key) or rotate to a new one
    (signed by the old key and the new). Answers once the log's checkpoint covers the entry."""
    envelope = _envelope(body)
    statement = parse_statement(envelope)
    if statement.action == "rotate":
        done = keys.rotate_key(db, log, actor, statement.actor, envelope, settings=settings)
    elif statement.action == "register":
        done = keys.register_key(db, log, actor, statement.actor, envelope, settings=settings)
    else:
        raise InvalidInput(
            "revoke a key with POST /api/trace/keys/{key_id}/revoke",
            details={"path": "$.payload.action"},
        )
    return KeyPublic.model_validate(done.as_json())


@router.post("/keys/{key_id}/revoke", summary="Revoke a key")
def revoke_key(
    key_id: KeyId,
    body: KeyRevoke,
    db: DatabaseDep,
    log: LogDep,
    settings: SettingsDep,
    actor: Caller,
) -> KeyPublic:
    """Revoke a key with a statement signed by the key itself, or (TRACE_MANAGE, for a lost or
    stolen key) with just a reason; events it signs later are refused."""
    if (body.envelope is None) == (body.reason is None):
        raise InvalidInput("send either envelope or reason", details={"field": "envelope"})
    if body.reason is not None:
        done = keys.revoke_key_as_admin(db, log, actor, key_id, body.reason, settings=settings)
        return KeyPublic.model_validate(done.as_json())
    envelope = _envelope(body)
    statement = parse_statement(envelope)
    if statement.body.get("key") != key_id:
        raise InvalidInput(
            f"the statement revokes {statement.body.get('key')}, not {key_id}",
            details={"path": "$.payload.key"},
        )
    done = keys.revoke_key(db, log, actor, statement.actor, envelope, settings=settings)
    return KeyPublic.model_validate(done.as_json())


@router.get("/actors/{ref}/keys", summary="An actor's keys")
def read_keys(ref: str, db: DatabaseDep, actor: Caller) -> list[KeyPublic]:
    """An actor's keys, oldest first, retired ones included."""
    return [KeyPublic.model_validate(k.as_json()) for k in keys.list_keys(db, actor, ref)]


@router.post("/events", status_code=201, summary="Record signed events")
async def create_events(
    body: EventsIn, db: DatabaseDep, log: LogDep, settings: SettingsDep, actor: Caller
) -> EventsRecorded:
    """Record EPCIS 2.0 events, each in a DSSE envelope signed by its recorder's key. All are
    checked first (signature, key, schema, our rules, duplicates, order); answers once a
    published checkpoint covers them, with each event's log index and proof bundle. Errors
    name the envelope (``details.event``) and the JSON path."""
    envelopes = [e.model_dump() for e in body.envelopes]
    done = await events.record_events_async(db, log, actor, envelopes, settings=settings)
    return EventsRecorded(
        events=[
            RecordedEvent(
                log_index=r.index, event_hash=r.event_hash, findings=r.findings, bundle=r.bundle
            )
            for r in done
        ]
    )


@router.get("/batches", summary="List batches")
def read_batches(
    db: DatabaseDep,
    actor: Caller,
    gtin: Annotated[
        str | None, Query(pattern="^[0-9]{14}$", description="Only lots of this GTIN-14.")
    ] = None,
    by: Annotated[
        str | None, Query(max_length=80, description="Only batches this actor (ref) created.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many.")] = 100,
) -> list[BatchSummary]:
    """Batches, newest first."""
    found = batches.list_batches(db, actor, gtin=gtin, actor_ref=by, limit=limit)
    return [BatchSummary.model_validate(b) for b in found]


@router.get("/batches/history", summary="A batch's history")
def read_history(db: DatabaseDep, actor: Caller, lot: LotQuery) -> BatchHistoryPublic:
    """The batch's events in log order, decoded, with who recorded them and where; the
    events of the containers it was packed into follow from the packing on."""
    return BatchHistoryPublic.model_validate(
        batches.batch_history(db, actor, canonical_lot(lot)).as_json()
    )


@router.get("/batches/evidence", summary="A batch's evidence document")
def read_evidence(db: DatabaseDep, log: LogDep, actor: Caller, lot: LotQuery) -> EvidenceDocument:
    """Signed envelopes, leaves, proof bundles and keys of the batch's events against the
    latest published checkpoint, with the trust policy: what the batch page verifies in the
    browser and ``cityhub trace verify`` offline."""
    document = evidence.evidence_document(db, log, canonical_lot(lot), caller=actor)
    return EvidenceDocument.model_validate(document)
