"""The sharing API: ``/api/sharing`` (requests, decisions, figures) and ``/api/notifications``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from cityhub import sharing
from cityhub.web.deps import ApiActor, DatabaseDep, Id, SettingsDep
from cityhub.web.schemas import ERROR_RESPONSES
from cityhub.web.sharing_schemas import (
    DepartmentMetricsPublic,
    NotificationPublic,
    SharingApprove,
    SharingRefuse,
    SharingRequestCreate,
    SharingRequestPublic,
    notification_public,
    request_public,
)

router = APIRouter(prefix="/api", tags=["sharing"], responses=ERROR_RESPONSES)


@router.post("/sharing/requests", status_code=201)
def create_request(
    body: SharingRequestCreate, db: DatabaseDep, settings: SettingsDep, actor: ApiActor
) -> SharingRequestPublic:
    """Ask, for the caller's department, to read a 有条件共享 dataset (analysts, stewards)."""
    found = sharing.request_access(
        db,
        actor,
        body.dataset,
        body.purpose,
        body.days,
        body.columns,
        response_days=settings.sharing_response_working_days,
    )
    return request_public(found)


@router.get("/sharing/requests")
def read_requests(
    db: DatabaseDep, actor: ApiActor, box: Literal["inbox", "outbox", "all"] = "inbox"
) -> list[SharingRequestPublic]:
    """Requests for the department's datasets (inbox), made by it (outbox), or all (admins)."""
    return [request_public(r) for r in sharing.list_requests(db, actor, box)]


@router.get("/sharing/requests/{request_id}")
def read_request(request_id: Id, db: DatabaseDep, actor: ApiActor) -> SharingRequestPublic:
    """One request (its two departments, admins)."""
    return request_public(sharing.get_request(db, actor, request_id))


@router.post("/sharing/requests/{request_id}/approve")
def approve_request(
    request_id: Id, body: SharingApprove, db: DatabaseDep, actor: ApiActor
) -> SharingRequestPublic:
    """Grant it, maybe for fewer columns or days (the owner's stewards, admins)."""
    return request_public(sharing.approve(db, actor, request_id, body.columns, body.days))


@router.post("/sharing/requests/{request_id}/refuse")
def refuse_request(
    request_id: Id, body: SharingRefuse, db: DatabaseDep, actor: ApiActor
) -> SharingRequestPublic:
    """Refuse it with a reason (the owner's stewards, admins)."""
    return request_public(sharing.refuse(db, actor, request_id, body.reason))


@router.post("/sharing/requests/{request_id}/withdraw")
def withdraw_request(request_id: Id, db: DatabaseDep, actor: ApiActor) -> SharingRequestPublic:
    """Take a pending request back (the requesting department)."""
    return request_public(sharing.withdraw(db, actor, request_id))


@router.get("/sharing/metrics")
def read_metrics(db: DatabaseDep, actor: ApiActor) -> list[DepartmentMetricsPublic]:
    """Requests received and answered per department (admins: all; others: their own)."""
    return [DepartmentMetricsPublic.model_validate(m) for m in sharing.metrics(db, actor)]


@router.get("/sharing/overdue")
def read_overdue(db: DatabaseDep, actor: ApiActor) -> list[SharingRequestPublic]:
    """Pending requests past their response deadline (admins)."""
    return [request_public(r) for r in sharing.overdue(db, actor)]


@router.get("/notifications")
def read_notifications(
    db: DatabaseDep, actor: ApiActor, unread: bool = False, limit: int = 50
) -> list[NotificationPublic]:
    """The caller's notifications, newest first."""
    found = sharing.list_notifications(db, actor, unread=unread, limit=limit)
    return [notification_public(n) for n in found]


@router.post("/notifications/{notification_id}/read")
def read_notification(notification_id: Id, db: DatabaseDep, actor: ApiActor) -> NotificationPublic:
    """Mark a notification read."""
    return notification_public(sharing.mark_read(db, actor, notification_id))
