"""Figures per department: how many requests it received and how it answered them, how fast.

Response time counts working days from the day a request arrived to the day it was decided
(``workdays.working_days_between`` on China Standard Time days), over approved and refused
requests; withdrawn ones were never answered. Admins see every department that sent or received
a request; everyone else sees their own department.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select

from cityhub.auth import Actor, Permission
from cityhub.auth.models import Department
from cityhub.catalog import Dataset
from cityhub.db import Database, utcnow
from cityhub.errors import NotAuthenticated
from cityhub.sharing.models import RequestStatus, SharingRequest
from cityhub.sharing.workdays import local_day, working_days_between

DECIDED = (RequestStatus.APPROVED.value, RequestStatus.REFUSED.value)


@dataclass(frozen=True)
class DepartmentMetrics:
    """One department's sharing figures."""

    department: str
    name_zh: str
    name_en: str
    received: int  # requests for the department's datasets
    approved: int  # approved, including those whose grant has ended since
    refused: int
    withdrawn: int
    pending: int
    overdue: int  # pending and past the response deadline now
    late: int  # answered after the deadline
    average_response_days: float | None  # working days, over approved and refused
    sent: int  # requests the department made


@dataclass
class _Tally:
    department: Department
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    response_days: list[int] = field(default_factory=list)

    def result(self) -> DepartmentMetrics:
        c, days = self.counts, self.response_days
        return DepartmentMetrics(
            department=self.department.code,
            name_zh=self.department.name_zh,
            name_en=self.department.name_en,
            received=c["received"],
            approved=c[RequestStatus.APPROVED.value],
            refused=c[RequestStatus.REFUSED.value],
            withdrawn=c[RequestStatus.WITHDRAWN.value],
            pending=c[RequestStatus.PENDING.value],
            overdue=c["overdue"],
            late=c["late"],
            average_response_days=round(sum(days) / len(days), 2) if days else None,
            sent=c["sent"],
        )


def _count(tally: _Tally, request: SharingRequest, now: datetime) -> None:
    counts = tally.counts
    counts["received"] += 1
    counts[request.status] += 1
    if request.status == RequestStatus.PENDING.value and request.due_at < now:
        counts["overdue"] += 1
    if request.status in DECIDED and request.decided_at is not None:
        counts["late"] += request.decided_at > request.due_at
        tally.response_days.append(
            working_days_between(local_day(request.created_at), local_day(request.decided_at))
        )


def metrics(db: Database, actor: Actor, *, now: datetime | None = None) -> list[DepartmentMetrics]:
    """Sharing figures per department, most requests received first."""
    if not actor.is_authenticated:
        raise NotAuthenticated("log in to see sharing figures", details={})
    everyone = actor.can(Permission.SHARING_OVERSEE)
    if not everyone and actor.department_code is None:
        return []
    query = select(SharingRequest)
    if not everyone:
        mine = actor.department_code
        query = query.where(
            or_(
                SharingRequest.department.has(code=mine),
                SharingRequest.dataset.has(Dataset.department.has(code=mine)),
            )
        )
    moment = now or utcnow()
    tallies: dict[str, _Tally] = {}
    with db.reading() as session:
        if not everyone:
            own = session.scalar(select(Department).where(Department.code == actor.department_code))
            if own is not None:
                tallies[own.code] = _Tally(own)
        for request in session.scalars(query):
            owner, asking = request.dataset.department, request.department
            _count(tallies.setdefault(owner.code, _Tally(owner)), request, moment)
            tallies.setdefault(asking.code, _Tally(asking)).counts["sent"] += 1
    shown = [t.result() for code, t in tallies.items() if everyone or code == actor.department_code]
    return sorted(shown, key=lambda m: (-m.received, -m.sent, m.department))
