"""The traceability domain tables: actors, their keys, events, the lots they touch, audit anchors.

The transparency log itself (``trace_leaves`` and the tiles) belongs to ``cityhub.trace.log``;
these tables hold what the leaves only commit to: the full signed envelopes, who the actors are,
and indexes for batch histories and recall. Each row written together with a leaf is written in
the leaf's sequencing transaction, so a row exists exactly when its leaf does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from cityhub.db.base import Base, UTCDateTime, utcnow

# BIGINT on PostgreSQL; INTEGER on SQLite, where only INTEGER PRIMARY KEY is the row id.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class TraceActor(Base):
    """A producer, processor, carrier, shop or lab that records events.

    ``ref`` is the public reference written into key statements and leaves: the 统一社会信用代码,
    or ``sha256:<hex>`` of a 主体码 (so that a natural person's code never reaches the log);
    ``code`` is the identifier as registered, shown only to TRACE_MANAGE holders when
    ``natural_person``.
    """

    __tablename__ = "trace_actors"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(80), unique=True)
    ref_kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    natural_person: Mapped[bool] = mapped_column(Boolean, default=False)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    county: Mapped[str | None] = mapped_column(String(64))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    gln: Mapped[str | None] = mapped_column(String(13))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TraceActorAccount(Base):
    """A user account (role recorder, usually) that may record events for an actor."""

    __tablename__ = "trace_actor_accounts"

    actor_id: Mapped[int] = mapped_column(
        ForeignKey("trace_actors.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TraceKey(Base):
    """An actor's Ed25519 signing key, as registered (or rotated to) by a ``kind key`` leaf.

    ``key_id`` is the 4-byte signed-note key ID in hex; it is what envelopes and leaves name, so
    two keys with one ID are refused at registration (the client generates another key).
    """

    __tablename__ = "trace_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(8), unique=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("trace_actors.id"), index=True)
    vkey: Mapped[str] = mapped_column(String(300), unique=True)
    registered_index: Mapped[int] = mapped_column(BigInteger, unique=True)
    revoked_index: Mapped[int | None] = mapped_column(BigInteger)
    rotated_from: Mapped[str | None] = mapped_column(String(8))
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    revocation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TraceEvent(Base):
    """One recorded EPCIS event: the signed envelope exactly as received, and its log index."""

    __tablename__ = "trace_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_hash: Mapped[str] = mapped_column(String(120), unique=True)
    log_index: Mapped[int] = mapped_column(BigInteger, unique=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("trace_actors.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(8))
    event_type: Mapped[str] = mapped_column(String(32))
    biz_step: Mapped[str | None] = mapped_column(String(200), index=True)
    biz_location: Mapped[str | None] = mapped_column(String(200), index=True)
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)
    record_time: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class TraceEventLot(Base):
    """A lot (LGTIN) or container (SSCC) an event refers to, in one role.

    ``prev_index`` is the log index of the lot's previous event leaf (None for its first), as
    the leaf's ``batch`` line says: the per-lot hash chain a verifier walks.
    """

    __tablename__ = "trace_event_lots"

    event_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("trace_events.id", ondelete="CASCADE"), primary_key=True
    )
    lot: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10), primary_key=True)
    prev_index: Mapped[int | None] = mapped_column(BigInteger)


class TraceBatch(Base):
    """A lot or container known to the platform: created by one event, extended by later ones."""

    __tablename__ = "trace_batches"

    lot: Mapped[str] = mapped_column(String(200), primary_key=True)
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    lot_code: Mapped[str | None] = mapped_column(String(20))
    product_zh: Mapped[str | None] = mapped_column(String(200))
    product_en: Mapped[str | None] = mapped_column(String(200))
    created_index: Mapped[int] = mapped_column(BigInteger)
    last_index: Mapped[int] = mapped_column(BigInteger)
    last_event_time: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int] = mapped_column(ForeignKey("trace_actors.id"), index=True)


class TraceAuditAnchor(Base):
    """A hash chain over audit rows ``first_id``..``last_id``, committed to by a log leaf.

    The chain starts from the previous anchor's ``hash`` (32 zero bytes for the first), so each
    leaf commits to the whole audit trail up to ``last_id``.
    """

    __tablename__ = "trace_audit_anchors"
    __table_args__ = (Index("ix_trace_audit_anchors_last_id", "last_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[int] = mapped_column(BigInteger)
    last_id: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(44))
    # 8-byte prefixes of each row's digest: diagnostics only (the leaf is the proof), they let a
    # verifier name the rewritten row instead of only the anchored range.
    row_digests: Mapped[list[str]] = mapped_column(JSON, default=list)
    log_index: Mapped[int] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
