"""The rules a request and a decision must meet, each raising the error that names what is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from cityhub import audit, catalog
from cityhub.auth import Actor, Permission
from cityhub.catalog import Dataset, OpenType, ShareType
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from cityhub.sharing.models import RequestStatus, SharingRequest
from cityhub.sharing.views import status_of

MIN_PURPOSE = 10  # characters: a purpose must say what the data is for
MAX_DAYS = 365


def checked_purpose(text: str) -> str:
    """The purpose, trimmed; it must say what the data is for."""
    purpose = text.strip()
    if len(purpose) < MIN_PURPOSE:
        raise InvalidInput(
            f"say what the data is for in at least {MIN_PURPOSE} characters",
            details={"field": "purpose", "minimum": MIN_PURPOSE},
        )
    return purpose


def checked_days(days: int, most: int = MAX_DAYS) -> int:
    """The period in days, between 1 and ``most``."""
    if not 1 <= days <= most:
        raise InvalidInput(
            f"the period must be between 1 and {most} days",
            details={"field": "days", "value": days, "maximum": most},
        )
    return days


def checked_columns(dataset: Dataset, columns: Sequence[str] | None) -> list[str] | None:
    """The chosen columns in the dataset's order, checked; None stays None (all columns)."""
    if columns is None:
        return None
    known = [c.name for c in dataset.columns]
    unknown = sorted(set(columns) - set(known))
    if unknown or not columns:
        raise InvalidInput(
            f"columns must be a non-empty list of {dataset.name!r}'s columns"
            + (f"; unknown: {', '.join(unknown)}" if unknown else ""),
            details={"field": "columns", "unknown": unknown},
        )
    return [name for name in known if name in set(columns)]


def department_of(actor: Actor) -> str:
    """The actor's department code; requests are made by departments."""
    if actor.department_code is None:
        raise PermissionDenied(
            "requests are made by a department; this account has none", details={}
        )
    return actor.department_code


def require_shareable(dataset: Dataset) -> None:
    """Only 有条件共享 data is requested: the other two types have nothing to decide."""
    if dataset.share_type == ShareType.UNCONDITIONAL.value:
        raise InvalidInput(
            f"{dataset.name!r} is 无条件共享: every department reads it without a request",
            details={"dataset": dataset.name, "share_type": dataset.share_type},
        )
    if dataset.share_type == ShareType.NONE.value:
        raise InvalidInput(
            f"{dataset.name!r} is 不予共享: only its owner department reads it, so it cannot be "
            "requested",
            details={"dataset": dataset.name, "share_type": dataset.share_type},
        )


def require_not_readable(
    session: Session, actor: Actor, dataset: Dataset, wanted: list[str] | None
) -> None:
    """Conflict when the department already reads every column it asks for."""
    held = catalog.grant_of(session, dataset.id, actor.department_code)
    mine = frozenset({department_of(actor)}) if held else frozenset()
    if not catalog.can_read(actor, dataset, mine):
        return
    limit = catalog.readable_columns(actor, dataset, held.columns if held else None)
    if limit is None or set(wanted or (c.name for c in dataset.columns)) <= limit:
        why = (
            "owns it"
            if actor.department_code == dataset.department.code
            else "reads it as 无条件开放 data"
            if dataset.open_type == OpenType.OPEN.value
            else "holds a grant for these columns"
        )
        raise Conflict(
            f"your department already reads {dataset.name!r}: it {why}",
            details={"dataset": dataset.name, "department": actor.department_code},
        )


def load(session: Session, request_id: int, *, lock: bool = False) -> SharingRequest:
    """The request with this id; NotFound names it.

    ``lock`` holds its row until the transaction ends (PostgreSQL), so that of two decisions
    made at once in different processes the second waits and then finds it decided.
    """
    # ``of``: PostgreSQL refuses FOR UPDATE over the eager outer joins of the request's relations.
    locking = {"of": SharingRequest} if lock else None
    found = session.get(SharingRequest, request_id, with_for_update=locking)
    if found is None:
        raise NotFound(f"no sharing request {request_id}", details={"request": request_id})
    return found


def may_see(actor: Actor, request: SharingRequest) -> bool:
    """Admins and the two departments of a request see it."""
    if actor.can(Permission.SHARING_OVERSEE):
        return True
    sides = {request.department.code, request.dataset.department.code}
    return actor.department_code is not None and actor.department_code in sides


def visible_request(db: Database, actor: Actor, request_id: int) -> SharingRequest:
    """The request, if the actor may see it (NotFound otherwise, as if it did not exist)."""
    if not actor.is_authenticated:
        raise NotAuthenticated("log in to see sharing requests", details={})
    with db.reading() as session:
        found = load(session, request_id)
    if not may_see(actor, found):
        raise NotFound(f"no sharing request {request_id}", details={"request": request_id})
    return found


def deny(db: Database, actor: Actor, action: str, request_id: int, why: str) -> None:
    """Audit the refusal of ``action`` and raise PermissionDenied."""
    audit.deny(db, actor, action, object_type="sharing_request", object_id=str(request_id))
    raise PermissionDenied(why, details={"request": request_id})


def require_pending(request: SharingRequest, now: datetime, doing: str) -> None:
    """Conflict unless the request is pending: decided requests never change again."""
    status = status_of(request, now)
    if status is not RequestStatus.PENDING:
        raise Conflict(
            f"sharing request {request.id} is {status.value}; only a pending request can be "
            f"{doing}",
            details={"request": request.id, "status": status.value},
        )
