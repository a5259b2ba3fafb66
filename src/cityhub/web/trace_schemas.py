"""JSON shapes of the traceability API: actors, key statements, events, batches, recall, anchors.

Envelopes travel as DSSE v1 objects; the domain services check them (signature, key, schema),
so the models here only fix their outer shape and document it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cityhub.trace.actors import ACTOR_KINDS, REF_KINDS

ActorKind = Literal[ACTOR_KINDS]  # type: ignore[valid-type]
RefKind = Literal[REF_KINDS]  # type: ignore[valid-type]


class ActorCreate(BaseModel):
    """A traceability actor to register (TRACE_MANAGE)."""

    code: str = Field(
        max_length=64,
        description="统一社会信用代码 (ref_kind credit_code) or 主体码 (ref_kind subject_code).",
    )
    name_zh: str = Field(max_length=200, description="Name in Chinese.")
    kind: ActorKind = Field(description="What the actor does: farm, processor, retailer …")
    ref_kind: RefKind = Field(default="credit_code", description="Which code ``code`` is.")
    natural_person: bool = Field(
        default=False, description="A natural person (a farmer): shown masked to the public."
    )
    name_en: str | None = Field(default=None, max_length=200, description="Name in English.")
    county: str | None = Field(default=None, max_length=64, description="County (县/区).")
    lon: float | None = Field(default=None, description="Longitude (WGS 84), with lat.")
    lat: float | None = Field(default=None, description="Latitude (WGS 84), with lon.")
    gln: str | None = Field(default=None, description="GS1 GLN, 13 digits.")
    department: str | None = Field(
        default=None, description="Department code, for actors a department runs."
    )


class ActorPublic(BaseModel):
    """An actor as the caller may see it: natural persons masked unless TRACE_MANAGE."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    ref: str = Field(description="Public ref in the log: credit code, or sha256:<hex> of a 主体码.")
    ref_kind: str
    code: str = Field(description="The code as registered (masked for natural persons).")
    natural_person: bool
    name_zh: str
    name_en: str | None
    kind: str
    county: str | None
    lon: float | None
    lat: float | None
    gln: str | None
    department: str | None
    masked: bool = Field(description="True when names, code and coordinates are masked.")


class AccountLink(BaseModel):
    """A user account to link to an actor (it may then record events for it)."""

    username: str = Field(max_length=80, description="The account's user name.")


class Signature(BaseModel):
    """One DSSE signature."""

    model_config = ConfigDict(extra="forbid")

    keyid: str = Field(description="Signed-note key ID of the signing key, 8 hex digits.")
    sig: str = Field(description="Base64 Ed25519 signature over the DSSE PAE.")


class Envelope(BaseModel):
    """A DSSE v1 envelope, signed client-side with the actor's Ed25519 key."""

    model_config = ConfigDict(extra="forbid")

    payload: str = Field(description="Base64 of the payload bytes (RFC 8785 JCS JSON).")
    payloadType: str = Field(  # the DSSE field name
        description="application/vnd.gs1.epcis.event+json or "
        "application/vnd.cityhub.trace.key+json."
    )
    signatures: list[Signature] = Field(description="Exactly one signature.")


class KeyStatementIn(BaseModel):
    """A signed key statement: register, rotate (signed by the old key) or revoke."""

    envelope: Envelope = Field(
        description='Payload: JCS of {"action", "actor", "vkey", "time"} (see docs/trace.md).'
    )


class KeyRevoke(BaseModel):
    """A revocation: a statement signed by the key itself, or (TRACE_MANAGE) only a reason."""

    envelope: Envelope | None = Field(
        default=None,
        description='Payload: JCS of {"action": "revoke", "actor", "key", "time", "reason"}.',
    )
    reason: str | None = Field(
        default=None, min_length=1, max_length=500, description="Why (admin revocation)."
    )


class KeyPublic(BaseModel):
    """An actor's key as registered; ``bundle`` is the proof of the change just made."""

    key_id: str = Field(description="Signed-note key ID, 8 hex digits.")
    actor: str = Field(description="The actor's public ref.")
    vkey: str = Field(description="C2SP vkey: <name>+<hex8>+<base64(0x01||pub)>.")
    registered_index: int = Field(description="Log index of the register/rotate leaf.")
    revoked_index: int | None = Field(description="Log index from which the key is retired.")
    rotated_from: str | None = Field(description="The key this one replaced.")
    bundle: str | None = Field(default=None, description="C2SP tlog-proof of the new leaf.")


class EventsIn(BaseModel):
    """Signed EPCIS 2.0 events, appended all or nothing."""

    envelopes: list[Envelope] = Field(
        min_length=1, max_length=5000, description="One DSSE envelope per event, in order."
    )


class FindingPublic(BaseModel):
    """A rule that an event breaks without being refused (a warning shown to consumers)."""

    model_config = ConfigDict(extra="allow")

    rule: str = Field(description="Stable rule name, e.g. harvest_within_safety_interval.")


class RecordedEvent(BaseModel):
    """One appended event."""

    log_index: int = Field(description="Index of the event's leaf in the log.")
    event_hash: str = Field(description="CBV 2.0 event hash ID (ni:///sha-256;…?ver=CBV2.0).")
    findings: list[dict[str, Any]] = Field(description="Warnings of our rules (not refusals).")
    bundle: str = Field(description="C2SP tlog-proof of the leaf, verifiable offline.")


class EventsRecorded(BaseModel):
    """The events as appended, in the order sent."""

    events: list[RecordedEvent]


class RecallNode(BaseModel):
    """A lot, container or actor reached by a recall."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(description="Lot / container URI, or actor:<ref>.")
    type: Literal["lot", "container", "actor"]
    role: str | None = Field(default=None, description="The lot's role in the reaching event.")
    product_zh: str | None = None
    product_en: str | None = None
    ref: str | None = Field(default=None, description="Actors: public ref.")
    kind: str | None = Field(default=None, description="Actors: farm, retailer …")
    name_zh: str | None = None
    name_en: str | None = None


class RecallEdge(BaseModel):
    """``from`` reached ``to`` through one event."""

    model_config = ConfigDict(populate_by_name=True)

    source: str = Field(alias="from", serialization_alias="from")
    target: str = Field(alias="to", serialization_alias="to")
    event: str = Field(description="Event hash ID.")
    biz_step: str | None


class RecallGraphPublic(BaseModel):
    """What a recall reached: nodes and the edges between them."""

    start: str = Field(description="The lot the recall started from.")
    direction: Literal["forward", "back"]
    nodes: list[RecallNode]
    edges: list[RecallEdge]


class AnchorPublic(BaseModel):
    """An anchor of audit rows in the log."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    first_id: int = Field(description="First audit row id covered.")
    last_id: int = Field(description="Last audit row id covered.")
    hash: str = Field(description="Base64 chain hash over the rows (from the previous anchor).")
    log_index: int
    created_at: datetime


class AnchorRun(BaseModel):
    """The anchor just appended, or nothing when there were no new settled audit rows."""

    anchored: bool
    first_id: int | None = None
    last_id: int | None = None
    rows: int = 0
    hash: str | None = None
    log_index: int | None = None


class AnchorProblemPublic(BaseModel):
    """One finding of the verification."""

    model_config = ConfigDict(from_attributes=True)

    anchor_id: int
    log_index: int
    audit_id: int | None = Field(description="The audit row at fault, when it can be named.")
    message: str


class AnchorVerdict(BaseModel):
    """Whether the audit trail is what was anchored."""

    ok: bool
    anchors: int = Field(description="Anchors checked.")
    problems: list[AnchorProblemPublic]


class BatchSummary(BaseModel):
    """A batch (lot or container) known to the platform."""

    lot: str = Field(description="Canonical GS1 Digital Link URI of the lot or container.")
    gtin: str | None = Field(description="GTIN-14 of a lot; null for containers.")
    lot_code: str | None = Field(description="The lot number (AI 10).")
    product_zh: str | None
    product_en: str | None
    created_index: int = Field(description="Log index of the event that created the batch.")
    last_index: int = Field(description="Log index of its latest event.")
    actor: str = Field(description="Public ref of the actor that created it.")


class BatchActor(BaseModel):
    """Who recorded an event, as the caller may see them (natural persons masked)."""

    ref: str
    name_zh: str
    name_en: str | None
    kind: str
    county: str | None
    lon: float | None
    lat: float | None


class BatchEvent(BaseModel):
    """One event of a batch's history."""

    index: int = Field(description="Log index of the event's leaf.")
    event_hash: str
    event_type: str
    biz_step: str | None
    step: str | None = Field(description="The bizStep's bare word, e.g. harvesting.")
    event_time: datetime
    record_time: datetime
    roles: list[str] = Field(description="The lot's roles in the event (input, output …).")
    via: str | None = Field(description="The container (SSCC) the event concerns, if not the lot.")
    signer: str = Field(description="Key ID of the signing key.")
    actor: BatchActor
    event: dict[str, Any] | None = Field(description="The EPCIS event; null if undecodable.")
    findings: list[dict[str, Any]] = Field(description="Warnings of our rules.")


class BatchHistoryPublic(BaseModel):
    """A batch and its events in log order (with its containers' events from packing on)."""

    lot: str
    gtin: str | None
    lot_code: str | None
    product_zh: str | None
    product_en: str | None
    created_index: int
    last_index: int
    events: list[BatchEvent]


class EvidenceEvent(BaseModel):
    """An event with what proves it: its leaf and the leaf's inclusion proof bundle."""

    envelope: dict[str, Any] = Field(description="The DSSE envelope as stored.")
    leaf: str = Field(description="The leaf text.")
    bundle: str = Field(description="C2SP tlog-proof against the document's checkpoint.")
    signer: str = Field(description="Key ID of the signing key.")


class EvidenceActor(BaseModel):
    """The actor of a key."""

    ref: str
    name: str


class EvidenceKey(BaseModel):
    """A signing key with its registration statement, leaf and proof bundle."""

    vkey: str
    actor: EvidenceActor
    envelope: dict[str, Any] = Field(description="The signed key statement.")
    leaf: str
    bundle: str
    revoked_at_index: int | None


class EvidenceDocument(BaseModel):
    """Everything needed to verify a batch offline (format cityhub.trace/evidence/v1)."""

    format: str
    batch: str
    policy: str = Field(description="C2SP tlog-policy: log key, witnesses, quorum.")
    events: list[EvidenceEvent] = Field(description="In log order.")
    keys: dict[str, EvidenceKey] = Field(description="By key ID.")
