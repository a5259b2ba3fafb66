"""The 有条件共享 workflow: a department requests a dataset, its owner approves or refuses.

::

    pending ──approve──▶ approved ──(grant's period over)──▶ expired
       │ ╲──refuse───▶ refused
       ╰────withdraw─▶ withdrawn

Only pending requests change; any other transition is a Conflict. Requests are made by analysts
and stewards of a department that cannot yet read what they ask for; they are decided by the
owner department's stewards or by admins, who may narrow the columns and shorten the period
(admins may also lengthen it, up to a year). An approval creates or replaces the department's
grant (``cityhub.catalog.set_grant``) in the same transaction. Every change is audited
(``sharing.request``/``approve``/``refuse``/``withdraw``) and notifies the other side.

Every function takes ``now`` (default: the clock) so that deadlines and expiry can be tested.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cityhub import audit, catalog
from cityhub.auth import Actor, Permission
from cityhub.auth.departments import department_by_code
from cityhub.catalog import ShareType
from cityhub.db import Database, utcnow
from cityhub.errors import Conflict, InvalidInput
from cityhub.sharing.models import RequestStatus, SharingRequest
from cityhub.sharing.notifications import NoticeKind, notify
from cityhub.sharing.rules import (
    MAX_DAYS,
    checked_columns,
    checked_days,
    checked_purpose,
    deny,
    department_of,
    load,
    require_not_readable,
    require_pending,
    require_shareable,
    visible_request,
)
from cityhub.sharing.views import RequestView, view
from cityhub.sharing.workdays import local_day, response_deadline


def _params(request: SharingRequest) -> dict[str, str]:
    """What every notification about the request names."""
    return {
        "dataset": request.dataset.name,
        "title": request.dataset.title,
        "department_zh": request.department.name_zh,
        "department_en": request.department.name_en,
        "owner_zh": request.dataset.department.name_zh,
        "owner_en": request.dataset.department.name_en,
    }


def request_access(
    db: Database,
    actor: Actor,
    dataset: str,
    purpose: str,
    days: int,
    columns: Sequence[str] | None = None,
    *,
    response_days: int = 10,
    now: datetime | None = None,
) -> RequestView:
    """Ask, for the actor's department, to read a 有条件共享 dataset for ``days`` days.

    ``columns`` None asks for every column. The owner must answer within ``response_days``
    working days (``CITYHUB_SHARING_RESPONSE_WORKING_DAYS``). Raises InvalidInput for data of
    another sharing type or a bad purpose/period/column, Conflict when the department already
    reads those columns or has a pending request for the dataset.
    """
    audit.require(db, actor, Permission.SHARING_REQUEST, "sharing.request", object_id=dataset)
    code = department_of(actor)
    entry = catalog.get_dataset(db, actor, dataset)
    require_shareable(entry)
    text, period, wanted = (
        checked_purpose(purpose),
        checked_days(days),
        checked_columns(entry, columns),
    )
    moment = now or utcnow()
    try:
        with db.transaction() as session:
            target = catalog.dataset_by_name(session, entry.name)
            require_not_readable(session, actor, target, wanted)
            open_one = session.scalar(
                select(SharingRequest.id).where(
                    SharingRequest.dataset_id == target.id,
                    SharingRequest.department.has(code=code),
                    SharingRequest.status == RequestStatus.PENDING.value,
                )
            )
            if open_one is not None:
                raise Conflict(
                    f"your department already has a pending request ({open_one}) for "
                    f"{target.name!r}",
                    details={"dataset": target.name, "request": open_one},
                )
            request = SharingRequest(
                dataset=target,
                department=department_by_code(session, code),
                requested_by=actor.username,
                purpose=text,
                columns=wanted,
                days=period,
                status=RequestStatus.PENDING.value,
                created_at=moment,
                due_at=response_deadline(moment, response_days),
            )
            session.add(request)
            session.flush()
            notify(
                session,
                NoticeKind.REQUESTED,
                request_id=request.id,
                department_id=target.department_id,
                params=_params(request) | {"days": str(period)},
            )
            audit.record(
                session,
                actor,
                "sharing.request",
                object_type="dataset",
                object_id=target.name,
                details={
                    "request": request.id,
                    "department": code,
                    "columns": wanted,
                    "days": period,
                    "due_at": request.due_at.isoformat(),
                },
            )
            found = view(request, moment)
    except IntegrityError as exc:  # a second pending request raced this one
        raise Conflict(
            f"your department already has a pending request for {entry.name!r}",
            details={"dataset": entry.name},
        ) from exc
    return found


def _decider(db: Database, actor: Actor, request_id: int, action: str) -> None:
    """Raise unless the actor may decide the request: its owner's stewards, or admins."""
    audit.require(
        db,
        actor,
        Permission.SHARING_DECIDE,
        action,
        object_type="sharing_request",
        object_id=str(request_id),
    )
    found = visible_request(db, actor, request_id)
    if actor.can(Permission.SHARING_OVERSEE):
        return
    if actor.department_code != found.dataset.department.code:
        deny(db, actor, action, request_id, "only the owner department's stewards decide")


def approve(
    db: Database,
    actor: Actor,
    request_id: int,
    columns: Sequence[str] | None = None,
    days: int | None = None,
    *,
    now: datetime | None = None,
) -> RequestView:
    """Grant the request, maybe for fewer columns (None: those asked for) or fewer days.

    Creates or replaces the requesting department's grant, ending ``days`` days from now.
    """
    _decider(db, actor, request_id, "sharing.approve")
    moment = now or utcnow()
    with db.transaction(immediate=True) as session:  # reads, then writes: see load
        request = load(session, request_id, lock=True)
        require_pending(request, moment, "approved")
        dataset = request.dataset
        if dataset.share_type != ShareType.CONDITIONAL.value:
            raise Conflict(
                f"{dataset.name!r} is no longer 有条件共享 ({dataset.share_type})",
                details={"dataset": dataset.name, "share_type": dataset.share_type},
            )
        granted = checked_columns(dataset, request.columns if columns is None else columns)
        most = MAX_DAYS if actor.can(Permission.SHARING_OVERSEE) else request.days
        period = checked_days(request.days if days is None else days, most)
        expires_at = moment + timedelta(days=period)
        catalog.set_grant(
            session,
            actor,
            dataset,
            request.department,
            columns=granted,
            expires_at=expires_at,
            request_id=request.id,
            note=f"sharing request {request.id}",
        )
        request.status = RequestStatus.APPROVED.value
        request.decided_by, request.decided_at = actor.username, moment
        request.approved_columns, request.grant_expires_at = granted, expires_at
        notify(
            session,
            NoticeKind.APPROVED,
            request_id=request.id,
            username=request.requested_by,
            params=_params(request)
            | {
                "columns": ", ".join(granted) if granted else "*",
                "until": local_day(expires_at).isoformat(),
            },
        )
        audit.record(
            session,
            actor,
            "sharing.approve",
            object_type="dataset",
            object_id=dataset.name,
            details={
                "request": request.id,
                "department": request.department.code,
                "columns": granted,
                "days": period,
                "expires_at": expires_at.isoformat(),
            },
        )
        found = view(request, moment)
    return found


def refuse(
    db: Database, actor: Actor, request_id: int, reason: str, *, now: datetime | None = None
) -> RequestView:
    """Refuse the request; the reason is required and told to the requester."""
    _decider(db, actor, request_id, "sharing.refuse")
    why = reason.strip()
    if not why:
        raise InvalidInput("a refusal needs its reason", details={"field": "reason"})
    moment = now or utcnow()
    with db.transaction(immediate=True) as session:  # reads, then writes: see load
        request = load(session, request_id, lock=True)
        require_pending(request, moment, "refused")
        request.status = RequestStatus.REFUSED.value
        request.decided_by, request.decided_at, request.reason = actor.username, moment, why
        notify(
            session,
            NoticeKind.REFUSED,
            request_id=request.id,
            username=request.requested_by,
            params=_params(request) | {"reason": why},
        )
        audit.record(
            session,
            actor,
            "sharing.refuse",
            object_type="dataset",
            object_id=request.dataset.name,
            details={"request": request.id, "department": request.department.code, "reason": why},
        )
        found = view(request, moment)
    return found


def withdraw(
    db: Database, actor: Actor, request_id: int, *, now: datetime | None = None
) -> RequestView:
    """Take back a pending request (analysts and stewards of the requesting department)."""
    action = "sharing.withdraw"
    audit.require(
        db,
        actor,
        Permission.SHARING_REQUEST,
        action,
        object_type="sharing_request",
        object_id=str(request_id),
    )
    asked = visible_request(db, actor, request_id)
    if actor.department_code != asked.department.code:
        deny(db, actor, action, request_id, "only the requesting department withdraws")
    moment = now or utcnow()
    with db.transaction(immediate=True) as session:  # reads, then writes: see load
        request = load(session, request_id, lock=True)
        require_pending(request, moment, "withdrawn")
        request.status = RequestStatus.WITHDRAWN.value
        request.decided_by, request.decided_at = actor.username, moment
        notify(
            session,
            NoticeKind.WITHDRAWN,
            request_id=request.id,
            department_id=request.dataset.department_id,
            params=_params(request),
        )
        audit.record(
            session,
            actor,
            action,
            object_type="dataset",
            object_id=request.dataset.name,
            details={"request": request.id, "department": request.department.code},
        )
        found = view(request, moment)
    return found
