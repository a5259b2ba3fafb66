"""PATCH merges, PUT replaces, JSON Patch edits the entity's JSON; bindings by @iot.id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from cityhub.db import Database
from cityhub.errors import InvalidInput, NotFound
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    HistoricalLocation,
    Latest,
    Location,
    Observation,
    Thing,
    ThingLocation,
)
from cityhub.sensing.sta import write
from tests.sensing.sta.test_write_support import (
    Actors,
    actors,
    counts,
    datastream_body,
    location_body,
    new_station,
    property_body,
    sensor_body,
)

__all__ = ["actors"]


def _thing(db: Database, thing_id: int) -> Thing:
    with db.reading() as session:
        thing = session.get(Thing, thing_id)
        assert thing is not None
        return thing


def test_patch_changes_only_what_is_sent(db: Database, actors: Actors) -> None:
    thing_id, _ = new_station(db, actors.steward)
    write.update(db, actors.steward, "Things", thing_id, {"description": "new"}, replace=False)
    thing = _thing(db, thing_id)
    assert (thing.name, thing.description) == ("Luokou station", "new")
    assert thing.properties == {"river": "黄河"}


def test_put_replaces_every_property(db: Database, actors: Actors) -> None:
    thing_id, _ = new_station(db, actors.steward)
    write.update(
        db,
        actors.steward,
        "Things",
        thing_id,
        {"@iot.id": thing_id, "name": "n", "description": "d"},
        replace=True,
    )
    thing = _thing(db, thing_id)
    assert (thing.name, thing.description, thing.properties) == ("n", "d", None)


@pytest.mark.parametrize(
    ("body", "replace", "path"),
    [
        ({"name": "only a name"}, True, "description"),
        ({"name": None}, False, "name"),
        ({"name": 3}, False, "name"),
        ({"colour": "red"}, False, "colour"),
        ({"Locations": [location_body()]}, False, "Locations[0]"),
        ({"Datastreams": [{"@iot.id": 999}]}, False, "Datastreams[0]"),
        ({"Locations": {"@iot.id": 1}}, False, "Locations"),
    ],
)
def test_bad_updates(
    db: Database, actors: Actors, body: dict[str, Any], replace: bool, path: str
) -> None:
    thing_id, _ = new_station(db, actors.steward)
    before = counts(db)
    with pytest.raises(InvalidInput) as raised:
        write.update(db, actors.steward, "Things", thing_id, body, replace=replace)
    assert raised.value.details["path"] == path
    assert counts(db) == before
    assert _thing(db, thing_id).name == "Luokou station"


@pytest.mark.parametrize("replace", [False, True])
def test_updating_a_missing_entity_is_not_found(
    db: Database, actors: Actors, replace: bool
) -> None:
    with pytest.raises(NotFound):
        write.update(
            db, actors.steward, "Things", 404, {"name": "x", "description": "y"}, replace=replace
        )
    with pytest.raises(NotFound):
        write.json_patch(db, actors.steward, "Sensors", 404, [])


def test_rebinding_an_observation_to_another_datastream(db: Database, actors: Actors) -> None:
    thing_id, first = new_station(db, actors.steward, observations=2)
    second = write.create(
        db,
        actors.steward,
        "Datastreams",
        datastream_body(Sensor=sensor_body(), ObservedProperty=property_body()),
        parent=("Things", thing_id, "Datastreams"),
    )
    with db.reading() as session:
        moving = session.scalars(select(Observation.id).order_by(Observation.id.desc())).first()
    assert moving is not None
    write.update(
        db,
        actors.steward,
        "Observations",
        moving,
        {"Datastream": {"@iot.id": second, "name": "ignored"}},
        replace=False,
    )
    with db.reading() as session:
        observation = session.get(Observation, moving)
        assert observation is not None and observation.datastream_id == second
        latest = {row.datastream_id: row.observation_id for row in session.scalars(select(Latest))}
        assert latest[second] == moving
        assert latest[first] != moving  # recomputed from what stayed


def test_a_result_must_fit_a_new_datastream(db: Database, actors: Actors) -> None:
    thing_id, _ = new_station(db, actors.steward, observations=1)
    truth = write.create(
        db,
        actors.steward,
        "Datastreams",
        datastream_body(
            "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_TruthObservation",
            Sensor={"@iot.id": 1},
            ObservedProperty={"@iot.id": 1},
        ),
        parent=("Things", thing_id, "Datastreams"),
    )
    with pytest.raises(InvalidInput) as raised:
        write.update(
            db, actors.steward, "Observations", 1, {"Datastream": {"@iot.id": truth}}, replace=False
        )
    assert raised.value.details["path"] == "result"
    write.update(
        db,
        actors.steward,
        "Observations",
        1,
        {"Datastream": {"@iot.id": truth}, "result": True},
        replace=False,
    )


def test_binding_locations_to_a_thing_replaces_them_and_records_history(
    db: Database, actors: Actors
) -> None:
    thing_id, _ = new_station(db, actors.steward)
    other = write.create(db, actors.steward, "Locations", location_body("b", 117.0))
    write.update(
        db, actors.steward, "Things", thing_id, {"Locations": [{"@iot.id": other}]}, replace=False
    )
    with db.reading() as session:
        current = set(
            session.scalars(
                select(ThingLocation.location_id).where(ThingLocation.thing_id == thing_id)
            )
        )
        histories = session.scalars(select(HistoricalLocation.id)).all()
    assert current == {other}
    assert len(histories) == 2


def test_put_of_an_observation_keeps_its_time_when_none_is_sent(
    db: Database, actors: Actors
) -> None:
    new_station(db, actors.steward, observations=1)
    write.update(
        db,
        actors.steward,
        "Observations",
        1,
        {"result": 7.5, "resultTime": "2024-06-01T09:00:00Z"},
        replace=True,
    )
    with db.reading() as session:
        observation = session.get(Observation, 1)
        assert observation is not None
        assert observation.result_number == 7.5
        assert observation.result_time == datetime(2024, 6, 1, 9, tzinfo=UTC)
        assert observation.phenomenon_time_start == datetime(2024, 6, 1, 8, tzinfo=UTC)
        latest = session.get(Latest, observation.datastream_id)
        assert latest is not None and latest.result_number == 7.5


def test_moving_a_location_starts_a_new_feature_of_interest(db: Database, actors: Actors) -> None:
    new_station(db, actors.steward, observations=1)
    write.update(
        db,
        actors.steward,
        "Locations",
        1,
        {"location": {"type": "Point", "coordinates": [118, 37]}},
        replace=False,
    )
    write.create(
        db,
        actors.steward,
        "Observations",
        {"result": 1.0},
        parent=("Datastreams", 1, "Observations"),
    )
    with db.reading() as session:
        location = session.get(Location, 1)
        assert location is not None and (location.x, location.y) == (118.0, 37.0)
        features = session.scalars(select(FeatureOfInterest).order_by(FeatureOfInterest.id)).all()
        assert [f.location_id for f in features] == [None, 1]
        assert features[1].feature == {"type": "Point", "coordinates": [118, 37]}


def test_json_patch_edits_properties(db: Database, actors: Actors) -> None:
    thing_id, _ = new_station(db, actors.steward)
    write.json_patch(
        db,
        actors.steward,
        "Things",
        thing_id,
        [
            {"op": "test", "path": "/name", "value": "Luokou station"},
            {"op": "replace", "path": "/name", "value": "泺口"},
            {"op": "add", "path": "/properties/code", "value": "41500100"},
            {"op": "move", "from": "/properties/river", "path": "/properties/basin"},
        ],
    )
    thing = _thing(db, thing_id)
    assert thing.name == "泺口"
    assert thing.properties == {"code": "41500100", "basin": "黄河"}


def test_json_patch_on_times_and_results(db: Database, actors: Actors) -> None:
    new_station(db, actors.steward, observations=1)
    write.json_patch(
        db,
        actors.steward,
        "Observations",
        1,
        [
            {"op": "test", "path": "/phenomenonTime", "value": "2024-06-01T08:00:00Z"},
            {"op": "replace", "path": "/result", "value": 11.5},
            {"op": "add", "path": "/parameters", "value": {"serial": 7}},
        ],
    )
    with db.reading() as session:
        observation = session.get(Observation, 1)
        assert observation is not None
        assert (observation.result_number, observation.parameters) == (11.5, {"serial": 7})


@pytest.mark.parametrize(
    ("operations", "index"),
    [
        ([{"op": "test", "path": "/name", "value": "wrong"}], 0),
        (
            [
                {"op": "replace", "path": "/name", "value": "ok"},
                {"op": "remove", "path": "/description"},
            ],
            None,
        ),  # mandatory: refused as a PUT
        (
            [
                {"op": "replace", "path": "/name", "value": "ok"},
                {"op": "remove", "path": "/nothing"},
            ],
            1,
        ),
        ([{"op": "add", "path": "/colour", "value": "red"}], None),
        ({"op": "add"}, None),
    ],
)
def test_a_failed_json_patch_changes_nothing(
    db: Database, actors: Actors, operations: Any, index: int | None
) -> None:
    thing_id, _ = new_station(db, actors.steward)
    with pytest.raises(InvalidInput) as raised:
        write.json_patch(db, actors.steward, "Things", thing_id, operations)
    if index is not None:
        assert raised.value.details["operation"] == index
    assert _thing(db, thing_id).name == "Luokou station"


def test_updates_are_audited(db: Database, actors: Actors) -> None:
    from cityhub.audit.models import AuditEvent

    thing_id, stream_id = new_station(db, actors.steward)
    write.update(db, actors.station, "Datastreams", stream_id, {"name": "h"}, replace=False)
    with db.reading() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "sta.update")).one()
        assert (event.object_type, event.object_id) == ("Datastream", str(stream_id))
        assert event.actor == "slj.station"
        stream = session.get(Datastream, stream_id)
        assert stream is not None and stream.thing_id == thing_id
