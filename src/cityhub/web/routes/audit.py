"""The audit trail for admins: ``GET /api/audit``."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from cityhub import audit
from cityhub.web.deps import ApiActor, DatabaseDep
from cityhub.web.schemas import ERROR_RESPONSES, AuditEventPublic, AuditEventsPublic

router = APIRouter(prefix="/api", tags=["audit"], responses=ERROR_RESPONSES)


@router.get("/audit")
def read_audit_events(
    db: DatabaseDep,
    actor: ApiActor,
    actor_name: str | None = None,
    department: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    outcome: audit.Outcome | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> AuditEventsPublic:
    """Audit events, newest first. ``action`` ending in '.' matches a prefix ('auth.')."""
    where = audit.AuditFilter(
        actor=actor_name,
        department=department,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        since=since,
        until=until,
        before_id=before_id,
        limit=limit,
    )
    page = audit.list_events(db, actor, where)
    return AuditEventsPublic(
        data=[AuditEventPublic.model_validate(e) for e in page.events],
        next_before_id=page.next_before_id,
    )
