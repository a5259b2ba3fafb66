"""Anchoring the audit trail in the trace log, and proving later that it was not rewritten.

Each anchor covers the audit rows after the previous anchor, in id order, with a hash chain
``h = SHA-256(h_prev || JCS(row))`` that starts from the previous anchor's value (32 zero bytes
for the first), so the latest leaf commits to the whole trail. The leaf
(``kind audit-anchor``, ``audit <first> <last>``, ``hash <b64>``) goes into the log; the
``trace_audit_anchors`` row is written in the leaf's own sequencing transaction.

Verification recomputes every chain from the rows as they are now and compares it with the leaf
read back from the log, whose inclusion under a signed checkpoint is checked too. The per-row
digests kept with each anchor are diagnostics only: they let the report name the rewritten row.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import rfc8785
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput
from cityhub.trace.bundles import verify_bundle
from cityhub.trace.leaves import AuditAnchorLeaf, b64_sha256, format_leaf, parse_leaf
from cityhub.trace.log import Pending, TraceLog
from cityhub.trace.models import TraceAuditAnchor
from cityhub.trace.note import Policy, parse_policy

ZERO = bytes(32)
MAX_ROWS = 50_000  # per anchor; a backlog is anchored over several calls


@dataclass(frozen=True)
class AnchorResult:
    """An anchor just appended: audit rows ``first_id``..``last_id`` at ``log_index``."""

    first_id: int
    last_id: int
    rows: int
    hash: str
    log_index: int


@dataclass(frozen=True)
class AnchorProblem:
    """One finding of ``verify_audit_anchors``; ``audit_id`` names the row when known."""

    anchor_id: int
    log_index: int
    audit_id: int | None
    message: str


def row_bytes(row: AuditEvent) -> bytes:
    """The canonical bytes of an audit row: RFC 8785 JSON of every column."""
    occurred = row.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    document: dict[str, Any] = {
        "id": row.id,
        "occurred_at": occurred,
        "actor": row.actor,
        "actor_department": row.actor_department,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "client_address": row.client_address,
        "outcome": row.outcome,
        "details": row.details,
    }
    return rfc8785.dumps(document)


def chain(start: bytes, rows: Sequence[AuditEvent]) -> tuple[bytes, list[str]]:
    """The chain value over ``rows`` from ``start``, and each row's ``id:digest-prefix``."""
    value = start
    digests = []
    for row in rows:
        data = row_bytes(row)
        value = hashlib.sha256(value + data).digest()
        digests.append(f"{row.id}:{hashlib.sha256(data).hexdigest()[:16]}")
    return value, digests


def _last_anchor(session: Session) -> TraceAuditAnchor | None:
    return session.scalar(
        select(TraceAuditAnchor).order_by(TraceAuditAnchor.last_id.desc()).limit(1)
    )


def anchor_audit(
    db: Database, log: TraceLog, *, settle_seconds: float = 5.0, max_rows: int = MAX_ROWS
) -> AnchorResult | None:
    """Append an anchor over the audit rows since the last one; None when there are none.

    Rows younger than ``settle_seconds`` wait for the next round: on PostgreSQL a row's id is
    taken before its transaction commits, and a row committed late below an anchored id would
    otherwise never be anchored.
    """
    cutoff = datetime.now(UTC) - timedelta(seconds=settle_seconds)
    with db.reading() as session:
        previous = _last_anchor(session)
        after = previous.last_id if previous else 0
        start = base64.b64decode(previous.hash) if previous else ZERO
        rows = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.id > after, AuditEvent.occurred_at <= cutoff)
                .order_by(AuditEvent.id)
                .limit(max_rows)
            )
        )
    if not rows:
        return None
    value, digests = chain(start, rows)
    leaf = AuditAnchorLeaf(rows[0].id, rows[-1].id, b64_sha256(value))

    def write(session: Session, index: int) -> None:
        # Another anchorer may have got there first; this one then must not fork the chain.
        current = session.scalar(select(func.max(TraceAuditAnchor.last_id)))
        if (current or 0) != after:
            raise Conflict("audit rows were anchored meanwhile", details={"last_id": current})
        session.add(
            TraceAuditAnchor(
                first_id=leaf.first,
                last_id=leaf.last,
                hash=leaf.hash,
                row_digests=digests,
                log_index=index,
            )
        )
        audit.record(
            session,
            Actor.system(),
            "trace.audit.anchor",
            object_type="trace_audit_anchor",
            object_id=str(index),
            details={"first_id": leaf.first, "last_id": leaf.last, "rows": len(rows)},
        )

    [index] = log.append_blocking([Pending(format_leaf(leaf), write)])
    return AnchorResult(leaf.first, leaf.last, len(rows), leaf.hash, index)


def verify_audit_anchors(db: Database, log: TraceLog) -> list[AnchorProblem]:
    """Recompute every anchor from the audit rows and check its leaf in the log; [] means the
    audit trail is what was anchored."""
    policy = parse_policy(log.policy_text())
    size = log.published_size()
    problems: list[AnchorProblem] = []
    start = ZERO
    with db.reading() as session:
        anchors = list(session.scalars(select(TraceAuditAnchor).order_by(TraceAuditAnchor.last_id)))
        for anchor in anchors:
            leaf = _anchor_leaf(log, anchor, size, policy, problems)
            rows = list(
                session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.id.between(anchor.first_id, anchor.last_id))
                    .order_by(AuditEvent.id)
                )
            )
            value, digests = chain(start, rows)
            expected = leaf.hash if leaf else anchor.hash
            if b64_sha256(value) != expected:
                problems.extend(_diagnose(anchor, digests))
            # Continue from what the log says, so one rewrite is reported once, not for every
            # later anchor.
            start = base64.b64decode(expected)
    return problems


def _anchor_leaf(
    log: TraceLog,
    anchor: TraceAuditAnchor,
    size: int,
    policy: Policy,
    problems: list[AnchorProblem],
) -> AuditAnchorLeaf | None:
    def problem(message: str) -> None:
        problems.append(AnchorProblem(anchor.id, anchor.log_index, None, message))

    try:
        data = log.leaf(anchor.log_index)
        leaf = parse_leaf(data)
        verify_bundle(data, log.proof_bundle(anchor.log_index, size), policy)
    except InvalidInput as exc:
        problem(f"anchor at log index {anchor.log_index}: leaf not verified: {exc.message}")
        return None
    except Exception as exc:  # NotFound and the like: the leaf is not in the published log
        problem(f"anchor at log index {anchor.log_index}: leaf not found: {exc}")
        return None
    if not isinstance(leaf, AuditAnchorLeaf):
        problem(f"log index {anchor.log_index} is not an audit anchor")
        return None
    if (leaf.first, leaf.last) != (anchor.first_id, anchor.last_id):
        problem(
            f"anchor at log index {anchor.log_index} covers audit rows {leaf.first}..{leaf.last} "
            f"in the log but {anchor.first_id}..{anchor.last_id} in the database"
        )
    return leaf


def _diagnose(anchor: TraceAuditAnchor, now: list[str]) -> list[AnchorProblem]:
    where = (
        f"audit rows {anchor.first_id}..{anchor.last_id} (anchor at log index {anchor.log_index})"
    )
    then = dict(item.split(":") for item in anchor.row_digests)
    current = dict(item.split(":") for item in now)
    found = []
    # Without stored digests (removed too) every row would look inserted: name only the range.
    rows = sorted({*then, *current}, key=int) if then else []
    for row_id in rows:
        if row_id not in current:
            message = f"audit row {row_id} was deleted"
        elif row_id not in then:
            message = f"audit row {row_id} was inserted after anchoring"
        elif then[row_id] != current[row_id]:
            message = f"audit row {row_id} was rewritten"
        else:
            continue
        found.append(AnchorProblem(anchor.id, anchor.log_index, int(row_id), f"{where}: {message}"))
    if not found:  # the digests were doctored as well: the range is all we can name
        found.append(
            AnchorProblem(anchor.id, anchor.log_index, None, f"{where}: chain hash does not match")
        )
    return found
