"""``/api/trace/anchors``: the audit trail's anchors in the log, anchoring now, verifying.

``cityhub.trace.anchor`` works for the platform itself (the anchoring thread, the CLI) and takes
no caller, so the permission check and the audit row of a web call are made here, in
``_allowed``: listing is public like the log the anchors are leaves of; running and verifying
are for admins (AUDIT_READ), since they read the whole audit trail.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.trace.anchor import anchor_audit, verify_audit_anchors
from cityhub.trace.models import TraceAuditAnchor
from cityhub.web.deps import DatabaseDep
from cityhub.web.routes.trace_deps import Caller, LogDep
from cityhub.web.schemas import ERROR_RESPONSES
from cityhub.web.trace_schemas import (
    AnchorProblemPublic,
    AnchorPublic,
    AnchorRun,
    AnchorVerdict,
)

router = APIRouter(prefix="/api/trace/anchors", tags=["trace"], responses=ERROR_RESPONSES)


def _allowed(db: Database, actor: Actor, permission: Permission, action: str) -> None:
    audit.require(db, actor, permission, action, object_type="trace_audit_anchor")


def list_anchors(db: Database, actor: Actor, limit: int = 100) -> list[AnchorPublic]:
    """The latest anchors, newest first (TRACE_READ)."""
    _allowed(db, actor, Permission.TRACE_READ, "trace.audit.list")
    with db.reading() as session:
        rows = session.scalars(
            select(TraceAuditAnchor).order_by(TraceAuditAnchor.last_id.desc()).limit(limit)
        )
        return [AnchorPublic.model_validate(row) for row in rows]


@router.get("", summary="List audit anchors")
def read_anchors(
    db: DatabaseDep,
    actor: Caller,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many.")] = 100,
) -> list[AnchorPublic]:
    """The anchors of the audit trail in the log, newest first."""
    return list_anchors(db, actor, limit)


@router.post("", summary="Anchor the audit trail now")
def create_anchor(db: DatabaseDep, log: LogDep, actor: Caller) -> AnchorRun:
    """Append an anchor over the audit rows since the last one (admins); rows younger than a
    few seconds wait for the next round."""
    _allowed(db, actor, Permission.AUDIT_READ, "trace.audit.anchor_now")
    done = anchor_audit(db, log)
    audit.record_alone(
        db,
        actor,
        "trace.audit.anchor_now",
        object_type="trace_audit_anchor",
        object_id=str(done.log_index) if done else None,
        outcome=audit.Outcome.SUCCESS,
    )
    if done is None:
        return AnchorRun(anchored=False)
    return AnchorRun(
        anchored=True,
        first_id=done.first_id,
        last_id=done.last_id,
        rows=done.rows,
        hash=done.hash,
        log_index=done.log_index,
    )


@router.get("/verify", summary="Verify the audit trail")
def verify_anchors(db: DatabaseDep, log: LogDep, actor: Caller) -> AnchorVerdict:
    """Recompute every anchor from the audit rows and check its leaf in the log (admins)."""
    _allowed(db, actor, Permission.AUDIT_READ, "trace.audit.verify")
    problems = verify_audit_anchors(db, log)
    with db.reading() as session:
        count = session.scalar(select(func.count()).select_from(TraceAuditAnchor)) or 0
    audit.record_alone(
        db,
        actor,
        "trace.audit.verify",
        object_type="trace_audit_anchor",
        outcome=audit.Outcome.SUCCESS if not problems else audit.Outcome.FAILURE,
        details={"anchors": count, "problems": len(problems)},
    )
    return AnchorVerdict(
        ok=not problems,
        anchors=count,
        problems=[AnchorProblemPublic.model_validate(p) for p in problems],
    )
