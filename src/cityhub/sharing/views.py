"""How a sharing request reads: its view, with the status it has now (expired is computed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cityhub.sharing.models import RequestStatus, SharingRequest
from cityhub.sharing.workdays import local_day


@dataclass(frozen=True)
class ColumnChoice:
    """A column of the requested dataset, for choosing what to grant."""

    name: str
    label: str
    personal: str | None


@dataclass(frozen=True)
class RequestView:
    """A sharing request as its readers see it, with its status as of now."""

    id: int
    dataset: str
    dataset_title: str
    owner: str
    owner_name_zh: str
    owner_name_en: str
    department: str
    department_name_zh: str
    department_name_en: str
    requested_by: str
    purpose: str
    columns: list[str] | None
    days: int
    status: RequestStatus
    created_at: datetime
    due_at: datetime  # the moment the answer is due: 24:00 China time of ``due_day``
    due_day: date  # the last working day to answer on
    overdue: bool
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    approved_columns: list[str] | None
    grant_expires_at: datetime | None
    dataset_columns: tuple[ColumnChoice, ...]


def status_of(request: SharingRequest, now: datetime) -> RequestStatus:
    """The request's status at ``now``: an approval whose grant has ended reads as expired."""
    ended = request.grant_expires_at is not None and request.grant_expires_at <= now
    if request.status == RequestStatus.APPROVED and ended:
        return RequestStatus.EXPIRED
    return RequestStatus(request.status)


def view(request: SharingRequest, now: datetime) -> RequestView:
    """The reader's view of a loaded request."""
    dataset, owner, asking = request.dataset, request.dataset.department, request.department
    status = status_of(request, now)
    return RequestView(
        id=request.id,
        dataset=dataset.name,
        dataset_title=dataset.title,
        owner=owner.code,
        owner_name_zh=owner.name_zh,
        owner_name_en=owner.name_en,
        department=asking.code,
        department_name_zh=asking.name_zh,
        department_name_en=asking.name_en,
        requested_by=request.requested_by,
        purpose=request.purpose,
        columns=request.columns,
        days=request.days,
        status=status,
        created_at=request.created_at,
        due_at=request.due_at,
        due_day=local_day(request.due_at - timedelta(microseconds=1)),
        overdue=status is RequestStatus.PENDING and request.due_at < now,
        decided_by=request.decided_by,
        decided_at=request.decided_at,
        reason=request.reason,
        approved_columns=request.approved_columns,
        grant_expires_at=request.grant_expires_at,
        dataset_columns=tuple(ColumnChoice(c.name, c.label, c.personal) for c in dataset.columns),
    )
