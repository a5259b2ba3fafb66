"""What every SensorThings write shares: the transaction, access checks, audit, and the rule
that a Thing's new Locations make a HistoricalLocation.

Access is checked with ``access.can_write`` inside the write transaction. A refusal cannot be
audited there: on SQLite a second transaction would wait for the write lock this one may
already hold. So a refusal raises ``Refused``; ``run`` rolls the work back, then audits and
raises through ``access.require_write`` (or ``audit.require``) outside of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.db.base import utcnow
from cityhub.sensing import access
from cityhub.sensing.bus import Bus
from cityhub.sensing.models import (
    Datastream,
    HistoricalLocation,
    HistoricalLocationLocation,
    Observation,
    Thing,
    ThingLocation,
)
from cityhub.sensing.observations import StoredObservation
from cityhub.sensing.sta.entities import ENTITY_TYPES

T = TypeVar("T")
_NO_DEPARTMENT = -1  # "no Thing concerned": vocabulary entities need sensing.write only


class Refused(Exception):
    """Raised inside a write transaction when the actor may not write; see ``run``."""

    def __init__(self, department_id: int | None, action: str, object_type: str) -> None:
        super().__init__(action)
        self.department_id = department_id
        self.action = action
        self.object_type = object_type


@dataclass
class WriteContext:
    """One write request: its session, its actor and what it has done so far."""

    db: Database
    session: Session
    actor: Actor
    now: datetime = field(default_factory=utcnow)
    stored: list[StoredObservation] = field(default_factory=list)
    _allowed: dict[int, bool] = field(default_factory=dict)

    def allow_vocabulary(self, action: str, object_type: str) -> None:
        """Sensors, ObservedProperties, Locations and FeaturesOfInterest: sensing.write."""
        if not self.actor.can(Permission.SENSING_WRITE):
            raise Refused(_NO_DEPARTMENT, action, object_type)

    def allow_department(self, department_id: int | None, action: str, object_type: str) -> None:
        """Data of a Thing of ``department_id``: that department (or an admin)."""
        key = _NO_DEPARTMENT - 1 if department_id is None else department_id
        allowed = self._allowed.get(key)
        if allowed is None:
            allowed = access.can_write(self.session, self.actor, department_id)
            self._allowed[key] = allowed
        if not allowed:
            raise Refused(department_id, action, object_type)

    def allow_things(self, thing_ids: set[int], action: str, object_type: str) -> None:
        """Write access to each of the Things ``thing_ids``."""
        if not thing_ids:
            return
        departments = set(
            self.session.scalars(select(Thing.department_id).where(Thing.id.in_(thing_ids)))
        )
        for department_id in departments:
            self.allow_department(department_id, action, object_type)

    def allow_existing(self, set_name: str, entity_id: int, action: str) -> None:
        """Write access to an existing entity: its Thing's department; for Locations the
        departments of the Things linked to it, for other vocabulary sensing.write."""
        object_type = ENTITY_TYPES[set_name].name
        if set_name == "Things":
            self.allow_things({entity_id}, action, object_type)
        elif set_name in ("Datastreams", "Observations", "HistoricalLocations"):
            self.allow_things(self.things_of(set_name, {entity_id}), action, object_type)
        else:
            self.allow_vocabulary(action, object_type)
            if set_name == "Locations":
                linked = select(ThingLocation.thing_id).where(
                    ThingLocation.location_id == entity_id
                )
                self.allow_things(set(self.session.scalars(linked)), action, object_type)

    def things_of(self, set_name: str, ids: set[int]) -> set[int]:
        """The Things of some Datastreams, Observations or HistoricalLocations."""
        if set_name == "Datastreams":
            query = select(Datastream.thing_id).where(Datastream.id.in_(ids))
        elif set_name == "HistoricalLocations":
            query = select(HistoricalLocation.thing_id).where(HistoricalLocation.id.in_(ids))
        else:
            query = (
                select(Datastream.thing_id)
                .join(Observation, Observation.datastream_id == Datastream.id)
                .where(Observation.id.in_(ids))
            )
        return set(self.session.scalars(query.distinct()))

    def exists(self, set_name: str, entity_id: int) -> bool:
        """Whether the entity is there."""
        model = ENTITY_TYPES[set_name].model
        found = self.session.scalar(select(model.id).where(model.id == entity_id))  # type: ignore[attr-defined]
        return found is not None

    def audit(self, action: str, object_type: str, object_id: int, **details: object) -> None:
        """An audit row in this transaction."""
        audit.record(
            self.session,
            self.actor,
            action,
            object_type=object_type,
            object_id=str(object_id),
            details=dict(details) or None,
        )

    def set_locations(self, thing_id: int, location_ids: set[int]) -> None:
        """Make ``location_ids`` the Thing's current Locations and record that in a new
        HistoricalLocation (time: now), as OGC 18-088 §8.2.3 asks and FROST-Server does."""
        current = set(
            self.session.scalars(
                select(ThingLocation.location_id).where(ThingLocation.thing_id == thing_id)
            )
        )
        if current == location_ids:
            return
        self.replace_locations(thing_id, location_ids)
        history = HistoricalLocation(thing_id=thing_id, time=self.now)
        self.session.add(history)
        self.session.flush()
        self.session.execute(
            insert(HistoricalLocationLocation),
            [{"historical_location_id": history.id, "location_id": i} for i in location_ids],
        )
        self.audit("sta.create", "HistoricalLocation", history.id, automatic=True)

    def replace_locations(self, thing_id: int, location_ids: set[int]) -> None:
        """Relink the Thing to exactly ``location_ids`` (no HistoricalLocation)."""
        self.session.execute(delete(ThingLocation).where(ThingLocation.thing_id == thing_id))
        if location_ids:
            self.session.execute(
                insert(ThingLocation),
                [{"thing_id": thing_id, "location_id": i} for i in sorted(location_ids)],
            )


def run(
    db: Database,
    actor: Actor,
    action: str,
    object_type: str,
    work: Callable[[WriteContext], T],
    bus: Bus | None = None,
) -> T:
    """Do ``work`` in one transaction; on a refusal audit it and raise (nothing is written);
    after the commit hand stored Observations to ``bus``. Callers without sensing.write are
    turned away before their body is even looked at."""
    audit.require(db, actor, Permission.SENSING_WRITE, action, object_type=object_type)
    try:
        with db.transaction() as session:
            context = WriteContext(db, session, actor)
            result = work(context)
    except Refused as refused:
        _raise_refusal(db, actor, refused)
    if bus is not None and context.stored:
        bus.publish(context.stored)
    return result


def _raise_refusal(db: Database, actor: Actor, refused: Refused) -> None:
    if refused.department_id == _NO_DEPARTMENT:
        audit.require(
            db, actor, Permission.SENSING_WRITE, refused.action, object_type=refused.object_type
        )
    else:
        with db.reading() as session:
            access.require_write(
                db,
                session,
                actor,
                refused.department_id,
                refused.action,
                object_type=refused.object_type,
            )
    raise AssertionError("a refused write was allowed on a second look")  # pragma: no cover
