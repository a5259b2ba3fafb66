"""Reading requests: one, an inbox or outbox, all, the overdue ones, a department's standing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from cityhub import audit, catalog
from cityhub.auth import Actor, Permission
from cityhub.catalog import Dataset, OpenType, ShareType
from cityhub.db import Database, utcnow
from cityhub.errors import InvalidInput, NotAuthenticated
from cityhub.sharing.models import RequestStatus, SharingRequest
from cityhub.sharing.rules import visible_request
from cityhub.sharing.views import RequestView, view

BOXES = ("inbox", "outbox", "all")


def get_request(
    db: Database, actor: Actor, request_id: int, *, now: datetime | None = None
) -> RequestView:
    """One request, for its two departments and admins (NotFound for anyone else)."""
    return view(visible_request(db, actor, request_id), now or utcnow())


def list_requests(
    db: Database, actor: Actor, box: str = "inbox", *, now: datetime | None = None
) -> list[RequestView]:
    """Requests newest first: ``inbox`` for the actor's department's datasets, ``outbox`` made
    by the actor's department, ``all`` (admins).
    """
    if box not in BOXES:
        raise InvalidInput(
            f"box must be one of {', '.join(BOXES)}", details={"field": "box", "value": box}
        )
    if not actor.is_authenticated:
        raise NotAuthenticated("log in to see sharing requests", details={})
    query = select(SharingRequest).order_by(SharingRequest.id.desc())
    if box == "all":
        audit.require(db, actor, Permission.SHARING_OVERSEE, "sharing.list", object_id="all")
    elif actor.department_code is None:
        return []
    elif box == "inbox":
        query = query.where(
            SharingRequest.dataset.has(Dataset.department.has(code=actor.department_code))
        )
    else:
        query = query.where(SharingRequest.department.has(code=actor.department_code))
    moment = now or utcnow()
    with db.reading() as session:
        return [view(r, moment) for r in session.scalars(query)]


def overdue(db: Database, actor: Actor, *, now: datetime | None = None) -> list[RequestView]:
    """Pending requests past their response deadline, most overdue first (admins)."""
    audit.require(db, actor, Permission.SHARING_OVERSEE, "sharing.overdue")
    moment = now or utcnow()
    query = (
        select(SharingRequest)
        .where(SharingRequest.status == RequestStatus.PENDING.value, SharingRequest.due_at < moment)
        .order_by(SharingRequest.due_at, SharingRequest.id)
    )
    with db.reading() as session:
        return [view(r, moment) for r in session.scalars(query)]


@dataclass(frozen=True)
class Standing:
    """Where the actor's department stands with a 有条件共享 dataset it does not own."""

    granted: bool
    grant_columns: tuple[str, ...] | None  # None: every column (when granted)
    grant_expires_at: datetime | None
    pending: RequestView | None  # the department's open request, if any
    may_request: bool


def standing(
    db: Database, actor: Actor, dataset: str, *, now: datetime | None = None
) -> Standing | None:
    """The actor's department's grant and open request for the dataset; None when there is
    nothing to request (not 有条件共享, open data, the actor's own data, or no right to ask).
    """
    if not actor.can(Permission.SHARING_REQUEST) or actor.department_code is None:
        return None
    entry = catalog.get_dataset(db, actor, dataset)
    conditional = entry.share_type == ShareType.CONDITIONAL.value
    if not conditional or entry.open_type == OpenType.OPEN.value:
        return None
    if entry.department.code == actor.department_code:
        return None
    moment = now or utcnow()
    with db.reading() as session:
        held = catalog.grant_of(session, entry.id, actor.department_code, moment)
        open_one = session.scalar(
            select(SharingRequest).where(
                SharingRequest.dataset_id == entry.id,
                SharingRequest.department.has(code=actor.department_code),
                SharingRequest.status == RequestStatus.PENDING.value,
            )
        )
        pending = view(open_one, moment) if open_one is not None else None
    limited = held is not None and held.columns is not None
    return Standing(
        granted=held is not None,
        grant_columns=tuple(held.columns) if held and held.columns is not None else None,
        grant_expires_at=held.expires_at if held else None,
        pending=pending,
        may_request=pending is None and (held is None or limited),
    )
