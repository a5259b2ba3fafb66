"""Who may read and write SensorThings data.

A station (Thing) belongs to one department. Writing — entities and observations — needs
``sensing.write`` (stewards, station accounts, admins) and, except for admins, the Thing's own
department. Reading follows each Datastream's sharing, as datasets do (``catalog.vocab``):

- ``open_to_public``: anyone, the public included;
- 无条件共享 (``unconditional``): every logged-in user;
- 有条件共享 / 不予共享: the owner department (and admins).

A Thing is visible with one readable Datastream, or to its own department; its Locations and
HistoricalLocations with it. A Location or FeatureOfInterest not yet tied to any station is
visible to every logged-in user. Observations and FeaturesOfInterest follow their Datastreams.
Sensors and ObservedProperties are vocabulary (an instrument model, "water level"), visible to all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    exists,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission, Role
from cityhub.auth.models import Department
from cityhub.catalog.vocab import ShareType
from cityhub.db import Database
from cityhub.errors import NotAuthenticated, PermissionDenied
from cityhub.sensing.models import (
    Datastream,
    Observation,
    Thing,
    ThingLocation,
)


def _department_id_of(actor: Actor) -> Select[Any]:
    return select(Department.id).where(Department.code == actor.department_code)


def actor_department_id(session: Session, actor: Actor) -> int | None:
    """The id of ``actor``'s department (None for the public and the system)."""
    if actor.department_code is None:
        return None
    found: int | None = session.scalar(_department_id_of(actor))
    return found


def can_write(session: Session, actor: Actor, department_id: int | None) -> bool:
    """Whether ``actor`` may change data of a Thing of ``department_id`` (None: a Thing of no
    department, which only admins may change)."""
    if not actor.can(Permission.SENSING_WRITE):
        return False
    if actor.role is Role.ADMIN:
        return True
    return department_id is not None and department_id == actor_department_id(session, actor)


def require_write(
    db: Database,
    session: Session,
    actor: Actor,
    department_id: int | None,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
) -> None:
    """Raise (after auditing the refusal in a transaction of its own) unless ``actor`` may write
    data of a Thing of ``department_id``."""
    if can_write(session, actor, department_id):
        return
    audit.deny(
        db,
        actor,
        action,
        object_type=object_type,
        object_id=object_id,
        details={"permission": Permission.SENSING_WRITE.value, "department_id": department_id},
    )
    if not actor.is_authenticated:
        raise NotAuthenticated("log in (or send a station token) to write SensorThings data")
    raise PermissionDenied(
        "only the station's own department may change its data",
        details={"permission": Permission.SENSING_WRITE.value},
    )


def readable_datastream(actor: Actor) -> ColumnElement[bool]:
    """Condition on ``Datastream`` joined with its ``Thing``: the Datastreams ``actor`` reads."""
    if actor.role is Role.ADMIN:
        return true()
    public = Datastream.open_to_public.is_(True)
    if not actor.is_authenticated:
        return public
    own = Thing.department_id.in_(_department_id_of(actor).scalar_subquery())
    return or_(public, Datastream.share_type == ShareType.UNCONDITIONAL.value, own)


def readable_datastream_ids(actor: Actor) -> Select[Any]:
    """The ids of the Datastreams ``actor`` may read (a subquery)."""
    return (
        select(Datastream.id)
        .join(Thing, Thing.id == Datastream.thing_id)
        .where(readable_datastream(actor))
    )


def visible_thing_ids(actor: Actor) -> Select[Any] | CompoundSelect[Any]:
    """The ids of the Things ``actor`` may see: one readable Datastream, or its own."""
    with_streams = select(Datastream.thing_id).where(
        Datastream.id.in_(readable_datastream_ids(actor))
    )
    if not actor.is_authenticated:
        return with_streams
    own = select(Thing.id).where(Thing.department_id.in_(_department_id_of(actor)))
    return with_streams.union(own)


def visibility(set_name: str, source: Any, actor: Actor) -> ColumnElement[bool]:
    """The condition on ``source`` (the model of ``set_name`` or an alias of it) that keeps only
    what ``actor`` may see; for admins always true."""
    condition: ColumnElement[bool] = _visibility(set_name, source, actor)
    return condition


def _visibility(set_name: str, source: Any, actor: Actor) -> Any:
    if actor.role is Role.ADMIN:
        return true()
    if set_name in ("Sensors", "ObservedProperties"):
        return true()
    if set_name == "Datastreams":
        return source.id.in_(readable_datastream_ids(actor))
    if set_name == "Observations":
        return source.datastream_id.in_(readable_datastream_ids(actor))
    if set_name == "Things":
        return source.id.in_(visible_thing_ids(actor))
    if set_name == "HistoricalLocations":
        return source.thing_id.in_(visible_thing_ids(actor))
    linked = select(ThingLocation.location_id).where(
        ThingLocation.thing_id.in_(visible_thing_ids(actor))
    )
    # A Location or FeatureOfInterest tied to no station yet holds no station's data: every
    # logged-in user sees it (so its creator can link it next).
    if set_name == "Locations":
        if not actor.is_authenticated:
            return source.id.in_(linked)
        unlinked = ~exists().where(ThingLocation.location_id == source.id)
        return or_(source.id.in_(linked), unlinked)
    if set_name == "FeaturesOfInterest":
        observed = select(Observation.feature_id).where(
            Observation.datastream_id.in_(readable_datastream_ids(actor))
        )
        seen = or_(source.id.in_(observed), source.location_id.in_(linked))
        if not actor.is_authenticated:
            return seen
        unused = and_(
            source.location_id.is_(None),
            ~exists().where(Observation.feature_id == source.id),
        )
        return or_(seen, unused)
    return false()
