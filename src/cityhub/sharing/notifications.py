"""Notifications: telling the other side that a sharing request was made or answered.

A notification goes to one user (the requester hears the decision) or to a department (its
stewards hear of a new or withdrawn request; the department's notice is read once for all of
them, like a shared inbox). The text is a message id (``sharing.notice.<kind>``) and parameters,
so each reader sees it in their own language.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from cityhub.auth import Actor, Permission
from cityhub.auth.models import Department
from cityhub.db import Database, utcnow
from cityhub.errors import InvalidInput, NotAuthenticated, NotFound
from cityhub.sharing.models import Notification

MAX_LIST = 200


class NoticeKind(StrEnum):
    """What a notification says."""

    REQUESTED = "requested"  # to the owner department: a department asks for a dataset
    WITHDRAWN = "withdrawn"  # to the owner department: the request was taken back
    APPROVED = "approved"  # to the requester: granted (columns, until when)
    REFUSED = "refused"  # to the requester: refused, with the reason


def notify(
    session: Session,
    kind: NoticeKind,
    *,
    request_id: int,
    params: dict[str, Any],
    department_id: int | None = None,
    username: str | None = None,
) -> None:
    """Add a notification to the caller's transaction (exactly one recipient)."""
    assert (department_id is None) != (username is None), "one recipient: a department or a user"
    session.add(
        Notification(
            department_id=department_id,
            username=username,
            kind=kind.value,
            request_id=request_id,
            params=params,
        )
    )


def _mine(actor: Actor) -> ColumnElement[bool]:
    """Notifications addressed to the actor, or to their department when they decide requests."""
    own = Notification.username == actor.username
    if actor.department_code is None or not actor.can(Permission.SHARING_DECIDE):
        return own
    department = select(Department.id).where(Department.code == actor.department_code)
    return or_(own, Notification.department_id.in_(department.scalar_subquery()))


def _authenticated(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated("log in to read notifications", details={})


def list_notifications(
    db: Database, actor: Actor, *, unread: bool = False, limit: int = 50
) -> list[Notification]:
    """The actor's notifications, newest first (``unread``: only those not read yet)."""
    _authenticated(actor)
    if not 1 <= limit <= MAX_LIST:
        raise InvalidInput(
            f"limit must be between 1 and {MAX_LIST}", details={"field": "limit", "value": limit}
        )
    query = select(Notification).where(_mine(actor))
    if unread:
        query = query.where(Notification.read_at.is_(None))
    with db.reading() as session:
        return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(db: Database, actor: Actor) -> int:
    """How many of the actor's notifications are unread (0 for the public)."""
    if not actor.is_authenticated:
        return 0
    query = select(func.count()).where(_mine(actor), Notification.read_at.is_(None))
    with db.reading() as session:
        return int(session.scalar(query) or 0)


def mark_read(
    db: Database, actor: Actor, notification_id: int, *, now: datetime | None = None
) -> Notification:
    """Mark one of the actor's notifications read; reading it again keeps the first time."""
    _authenticated(actor)
    with db.transaction() as session:
        found = session.scalar(
            select(Notification).where(Notification.id == notification_id, _mine(actor))
        )
        if found is None:
            raise NotFound(
                f"no notification {notification_id}", details={"notification": notification_id}
            )
        if found.read_at is None:
            found.read_at = now or utcnow()
    return found
