"""Who may write: the station's department (stewards and station accounts), admins; not
analysts, not the public, not another department — and every refusal is audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor
from cityhub.auth.departments import department_by_code
from cityhub.db import Database
from cityhub.errors import NotAuthenticated, PermissionDenied
from cityhub.sensing.models import Thing
from cityhub.sensing.sta import write
from tests.sensing.sta.test_write_support import (
    Actors,
    actors,
    counts,
    location_body,
    new_station,
    sensor_body,
)

__all__ = ["actors"]


def _denials(db: Database) -> list[tuple[str, str | None]]:
    with db.reading() as session:
        return [
            (row.action, row.object_type)
            for row in session.execute(
                select(AuditEvent.action, AuditEvent.object_type).where(
                    AuditEvent.outcome == "denied"
                )
            )
        ]


def test_a_new_thing_belongs_to_its_creators_department(db: Database, actors: Actors) -> None:
    thing_id, _ = new_station(db, actors.steward)
    with db.reading() as session:
        thing = session.get(Thing, thing_id)
        assert thing is not None
        assert thing.department_id == department_by_code(session, "SLJ").id


@pytest.mark.parametrize("who", ["steward", "station", "system"])
def test_the_own_department_and_admins_may_write(db: Database, actors: Actors, who: str) -> None:
    thing_id, stream_id = new_station(db, actors.steward)
    actor: Actor = getattr(actors, who)
    observation = write.create(
        db,
        actor,
        "Observations",
        {"result": 1.0},
        parent=("Datastreams", stream_id, "Observations"),
    )
    write.update(db, actor, "Things", thing_id, {"name": "renamed"}, replace=False)
    write.delete(db, actor, "Observations", observation)


@pytest.mark.parametrize(
    ("who", "error"),
    [("analyst", PermissionDenied), ("other", PermissionDenied), ("public", NotAuthenticated)],
)
@pytest.mark.parametrize(
    ("operation", "object_type"),
    [
        ("observation", "Observation"),
        ("thing-update", "Thing"),
        ("thing-delete", "Thing"),
        ("datastream", "Datastream"),
        ("location-link", "Thing"),
    ],
)
def test_others_may_not_write_to_a_station(
    db: Database,
    actors: Actors,
    who: str,
    error: type[Exception],
    operation: str,
    object_type: str,
) -> None:
    thing_id, stream_id = new_station(db, actors.steward)
    actor = Actor.public() if who == "public" else getattr(actors, who)
    calls: dict[str, Any] = {
        "observation": lambda: write.create(
            db,
            actor,
            "Observations",
            {"result": 1.0},
            parent=("Datastreams", stream_id, "Observations"),
        ),
        "thing-update": lambda: write.update(
            db, actor, "Things", thing_id, {"name": "mine"}, replace=False
        ),
        "thing-delete": lambda: write.delete(db, actor, "Things", thing_id),
        "datastream": lambda: write.create(
            db,
            actor,
            "Datastreams",
            {
                "name": "d",
                "description": "d",
                "unitOfMeasurement": {},
                "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/"
                "OM_Observation",
                "Sensor": {"@iot.id": 1},
                "ObservedProperty": {"@iot.id": 1},
            },
            parent=("Things", thing_id, "Datastreams"),
        ),
        "location-link": lambda: write.create(
            db,
            actor,
            "Locations",
            location_body("elsewhere"),
            parent=("Things", thing_id, "Locations"),
        ),
    }
    before = counts(db)
    with pytest.raises(error):
        calls[operation]()
    assert counts(db) == before
    denials = _denials(db)
    assert len(denials) == 1
    if who == "other":  # the analyst and the public lack sensing.write altogether
        assert denials[0][1] == object_type


def test_another_departments_steward_may_add_vocabulary(db: Database, actors: Actors) -> None:
    assert write.create(db, actors.other, "Sensors", sensor_body()) > 0
    assert write.create(db, actors.other, "Locations", location_body()) > 0


def test_an_analyst_may_not_add_vocabulary(db: Database, actors: Actors) -> None:
    with pytest.raises(PermissionDenied):
        write.create(db, actors.analyst, "Sensors", sensor_body())
    assert _denials(db) == [("sta.create", "Sensor")]


def test_deleting_a_shared_sensor_needs_every_department_using_it(
    db: Database, actors: Actors
) -> None:
    new_station(db, actors.steward)  # Sensor 1 is used by an SLJ Datastream
    before = counts(db)
    with pytest.raises(PermissionDenied):
        write.delete(db, actors.other, "Sensors", 1)
    assert counts(db) == before


def test_a_location_of_another_departments_thing(db: Database, actors: Actors) -> None:
    new_station(db, actors.steward)
    with pytest.raises(PermissionDenied):
        write.update(db, actors.other, "Locations", 1, {"name": "mine now"}, replace=False)
    with pytest.raises(PermissionDenied):
        write.delete(db, actors.other, "Locations", 1)
