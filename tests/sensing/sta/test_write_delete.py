"""Delete with the cascades of OGC 18-088 §10.4, in one transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cityhub.db import Database
from cityhub.errors import NotFound
from cityhub.sensing.models import FeatureOfInterest, Latest, Observation
from cityhub.sensing.sta import write
from tests.sensing.sta.test_write_support import (
    Actors,
    actors,
    counts,
    datastream_body,
    location_body,
    new_station,
)

__all__ = ["actors"]

# What disappears when the entity with id 1 of a fresh station (3 Observations) is deleted.
CASCADES: list[tuple[str, dict[str, int]]] = [
    (
        "Things",
        {
            "Things": 1,
            "ThingLocations": 1,
            "HistoricalLocations": 1,
            "HistoricalLocationLocations": 1,
            "Datastreams": 1,
            "Observations": 3,
            "Latest": 1,
        },
    ),
    (
        "Locations",
        {
            "Locations": 1,
            "ThingLocations": 1,
            "HistoricalLocations": 1,
            "HistoricalLocationLocations": 1,
        },
    ),
    ("HistoricalLocations", {"HistoricalLocations": 1, "HistoricalLocationLocations": 1}),
    ("Datastreams", {"Datastreams": 1, "Observations": 3, "Latest": 1}),
    ("Sensors", {"Sensors": 1, "Datastreams": 1, "Observations": 3, "Latest": 1}),
    (
        "ObservedProperties",
        {"ObservedProperties": 1, "Datastreams": 1, "Observations": 3, "Latest": 1},
    ),
    ("FeaturesOfInterest", {"FeaturesOfInterest": 1, "Observations": 3, "Latest": 1}),
    ("Observations", {"Observations": 1}),
]


@pytest.mark.parametrize(("set_name", "gone"), CASCADES)
def test_cascades(db: Database, actors: Actors, set_name: str, gone: dict[str, int]) -> None:
    new_station(db, actors.steward, observations=3)
    before = counts(db)
    write.delete(db, actors.steward, set_name, 1)
    after = counts(db)
    removed = {name: before[name] - after[name] for name in before if before[name] != after[name]}
    assert removed == gone


def test_deleting_the_latest_observation_recomputes_the_last_value(
    db: Database, actors: Actors
) -> None:
    _, stream_id = new_station(db, actors.steward, observations=3)
    with db.reading() as session:
        latest = session.get(Latest, stream_id)
        assert latest is not None and latest.result_number == 12.0
        newest = latest.observation_id
    write.delete(db, actors.steward, "Observations", newest)
    with db.reading() as session:
        latest = session.get(Latest, stream_id)
        assert latest is not None and latest.result_number == 11.0
        assert latest.result == 11.0


def test_a_deleted_location_leaves_its_features_of_interest(db: Database, actors: Actors) -> None:
    new_station(db, actors.steward, observations=1)
    write.delete(db, actors.steward, "Locations", 1)
    with db.reading() as session:
        feature = session.scalars(select(FeatureOfInterest)).one()
        assert feature.location_id is None
        assert session.scalars(select(Observation.feature_id)).one() == feature.id


def test_deleting_one_thing_leaves_the_other(db: Database, actors: Actors) -> None:
    new_station(db, actors.steward, observations=2)
    other, _ = new_station(db, actors.steward, observations=2)
    write.delete(db, actors.steward, "Things", 1)
    after = counts(db)
    assert (after["Things"], after["Datastreams"], after["Observations"]) == (1, 1, 2)
    write.delete(db, actors.steward, "Things", other)
    assert counts(db)["Observations"] == 0


def test_a_location_shared_by_two_things(db: Database, actors: Actors) -> None:
    shared = write.create(db, actors.steward, "Locations", location_body())
    for name in ("a", "b"):
        write.create(
            db,
            actors.steward,
            "Things",
            {"name": name, "description": "d", "Locations": [{"@iot.id": shared}]},
        )
    write.delete(db, actors.steward, "Locations", shared)
    after = counts(db)
    assert (after["Things"], after["HistoricalLocations"], after["ThingLocations"]) == (2, 0, 0)


@pytest.mark.parametrize("set_name", ["Things", "Observations", "FeaturesOfInterest"])
def test_deleting_a_missing_entity_is_not_found(
    db: Database, actors: Actors, set_name: str
) -> None:
    with pytest.raises(NotFound):
        write.delete(db, actors.steward, set_name, 12345)


def test_deletes_are_audited_with_their_cascade(db: Database, actors: Actors) -> None:
    from cityhub.audit.models import AuditEvent

    thing_id, _ = new_station(db, actors.steward, observations=2)
    write.create(
        db,
        actors.steward,
        "Datastreams",
        datastream_body(Sensor={"@iot.id": 1}, ObservedProperty={"@iot.id": 1}),
        parent=("Things", thing_id, "Datastreams"),
    )
    write.delete(db, actors.steward, "Things", thing_id)
    with db.reading() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "sta.delete")).one()
    assert (event.object_type, event.object_id) == ("Thing", str(thing_id))
    assert event.details["cascade"] == {
        "Datastreams": 2,
        "Observations": 2,
        "HistoricalLocations": 1,
    }
