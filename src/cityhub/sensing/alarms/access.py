"""Who may handle alarms: ``alarms.handle`` (stewards, admins), for their own department's
stations; admins for every station, and for rules over every department's stations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission, Role
from cityhub.db import Database
from cityhub.errors import NotAuthenticated, NotFound, PermissionDenied
from cityhub.sensing.access import actor_department_id
from cityhub.sensing.models import Datastream, Thing


def can_handle(session: Session, actor: Actor, department_id: int | None) -> bool:
    """Whether ``actor`` may handle alarms (rules, acknowledge, clear, silence) of the stations
    of ``department_id`` (None: every department, or a station of none — admins only)."""
    if not actor.can(Permission.ALARMS_HANDLE):
        return False
    if actor.role is Role.ADMIN:
        return True
    return department_id is not None and department_id == actor_department_id(session, actor)


def require_handle(
    db: Database,
    session: Session,
    actor: Actor,
    department_id: int | None,
    action: str,
    *,
    object_type: str,
    object_id: str | None = None,
) -> None:
    """Raise (after auditing the refusal in a transaction of its own) unless ``actor`` may
    handle alarms of ``department_id``'s stations."""
    if can_handle(session, actor, department_id):
        return
    audit.deny(
        db,
        actor,
        action,
        object_type=object_type,
        object_id=object_id,
        details={"permission": Permission.ALARMS_HANDLE.value, "department_id": department_id},
    )
    if not actor.is_authenticated:
        raise NotAuthenticated("log in to handle alarms")
    raise PermissionDenied(
        "only the station's own department may handle its alarms",
        details={"permission": Permission.ALARMS_HANDLE.value},
    )


def thing_department(session: Session, thing_id: int) -> int | None:
    """The department of Thing ``thing_id``; NotFound when there is no such Thing."""
    row = session.execute(select(Thing.department_id).where(Thing.id == thing_id)).first()
    if row is None:
        raise NotFound(f"no Thing with id {thing_id}", details={"thing_id": thing_id})
    department: int | None = row[0]
    return department


def stream_department(session: Session, datastream_id: int) -> tuple[int, int | None]:
    """(Thing id, department id) of Datastream ``datastream_id``; NotFound when missing."""
    row = session.execute(
        select(Thing.id, Thing.department_id)
        .join(Datastream, Datastream.thing_id == Thing.id)
        .where(Datastream.id == datastream_id)
    ).first()
    if row is None:
        raise NotFound(
            f"no Datastream with id {datastream_id}", details={"datastream_id": datastream_id}
        )
    return row[0], row[1]
