"""The pure part of checking one signed event envelope: everything that needs no database.

Opening the envelope, the Ed25519 signature (with a public key looked up beforehand), the
canonical JSON, the EPCIS schema and our rules, the event hash ID, the lots and their roles, and
the envelope hash a leaf records. Nothing here raises a ``CityhubError``: the first one is kept
with the *stage* it stopped at, so the caller (``eventcheck``) can interleave the database checks
in the same order as before and report the same error. Inputs and results are plain picklable
values, so ``eventpool`` can run this in worker processes.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from cityhub.errors import CityhubError, InvalidInput
from cityhub.trace.epcis import (
    EVENT_PAYLOAD_TYPE,
    EventLots,
    envelope_hash,
    event_hash_id,
    event_lots,
    open_envelope,
    validate_event,
)
from cityhub.trace.epcis.envelope import verify_signature
from cityhub.trace.eventparts import event_of, event_time_of, location_of, lot_roles, step_of

# Where preparing stopped: ``open`` (malformed envelope), ``key`` (no public key given for its
# key ID: the caller's key check decides), ``verify`` (bad signature), ``payload`` (JSON, schema,
# rules, event ID), ``lots`` (lots; reported after the duplicate check), or ``done``.
Stage = Literal["open", "key", "verify", "payload", "lots", "done"]


@dataclass
class Prepared:
    """What the pure checks found out about one envelope, or where they stopped and why."""

    stage: Stage
    key_id: str | None = None
    error: CityhubError | None = None
    event: dict[str, Any] | None = None
    event_hash: str = ""
    lots: EventLots | None = None
    roles: dict[str, set[str]] = field(default_factory=dict)
    event_time: datetime | None = None
    biz_step: str | None = None
    biz_location: str | None = None
    envelope_digest: str = ""  # base64 SHA-256 of the envelope's JCS bytes (the leaf's field)


def checked_hash(event: Mapping[str, Any]) -> str:
    """The event's CBV 2.0 hash ID, which its ``eventID`` must be."""
    computed = event_hash_id(event)
    if event.get("eventID") != computed:
        raise InvalidInput(
            f"eventID must be the event's CBV 2.0 hash ID {computed}",
            details={"path": "$.eventID", "expected": computed},
        )
    return computed


def prepare(envelope: Any, public_keys: Mapping[str, bytes]) -> Prepared:
    """Run the pure checks of one envelope; ``public_keys`` maps key IDs to raw Ed25519 keys."""
    try:
        payload, key_id, sig = open_envelope(envelope, EVENT_PAYLOAD_TYPE)
    except CityhubError as exc:
        return Prepared("open", error=exc)
    public = public_keys.get(key_id)
    if public is None:
        return Prepared("key", key_id)
    try:
        verify_signature(EVENT_PAYLOAD_TYPE, payload, sig, public)
    except CityhubError as exc:
        return Prepared("verify", key_id, exc)
    try:
        event = event_of(payload)
        validate_event(event)
        event_hash = checked_hash(event)
    except CityhubError as exc:
        return Prepared("payload", key_id, exc)
    try:
        lots = event_lots(event)
    except CityhubError as exc:
        return Prepared("lots", key_id, exc, event, event_hash)
    return Prepared(
        "done",
        key_id,
        None,
        event,
        event_hash,
        lots,
        lot_roles(event, lots),
        event_time_of(event),
        step_of(event),
        location_of(event),
        base64.b64encode(envelope_hash(dict(envelope))).decode("ascii"),
    )


def prepare_many(envelopes: Sequence[Any], public_keys: Mapping[str, bytes]) -> list[Prepared]:
    """``prepare`` for each envelope (one task of a worker process)."""
    return [prepare(envelope, public_keys) for envelope in envelopes]
