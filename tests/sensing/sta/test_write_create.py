"""Create: deep insert (all or nothing), linking by @iot.id, and the server's own rules
(FeatureOfInterest from the Thing's Location, automatic HistoricalLocations)."""

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
    HistoricalLocationLocation,
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
    station_body,
)

__all__ = ["actors"]


def test_deep_insert_creates_and_links_everything(db: Database, actors: Actors) -> None:
    before = counts(db)
    thing_id = write.create(db, actors.steward, "Things", station_body(observations=3))
    after = counts(db)
    created = {name: after[name] - before[name] for name in after}
    assert created == {
        "Things": 1,
        "Locations": 1,
        "ThingLocations": 1,
        "HistoricalLocations": 1,
        "HistoricalLocationLocations": 1,
        "Sensors": 1,
        "ObservedProperties": 1,
        "Datastreams": 1,
        "Observations": 3,
        "FeaturesOfInterest": 1,
        "Latest": 1,
    }
    with db.reading() as session:
        thing = session.get(Thing, thing_id)
        assert thing is not None and thing.properties == {"river": "黄河"}
        location = session.scalars(select(Location)).one()
        assert (location.x, location.y) == (116.0, 36.4)
        stream = session.scalars(select(Datastream)).one()
        assert stream.thing_id == thing_id
        assert stream.phenomenon_time_start == datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
        assert stream.phenomenon_time_end == datetime(2024, 6, 1, 8, 2, tzinfo=UTC)
        latest = session.get(Latest, stream.id)
        assert latest is not None and latest.result_number == 12.0


@pytest.mark.parametrize(
    ("breakage", "path"),
    [
        # the last Observation is bad: everything before it was created already
        (
            lambda b: b["Datastreams"][0]["Observations"].append({"result": "high"}),
            "Datastreams[0].Observations[2].result",
        ),
        (lambda b: b["Datastreams"][0].update(Sensor={"@iot.id": 999}), "Datastreams[0].Sensor"),
        (lambda b: b["Datastreams"].append(datastream_body()), "Datastreams[1].Sensor"),
        (lambda b: b["Locations"].append({"name": "x"}), "Locations[1].description"),
        (
            lambda b: b["Datastreams"][0]["ObservedProperty"].update(colour="red"),
            "Datastreams[0].ObservedProperty.colour",
        ),
    ],
)
def test_a_deep_insert_failing_half_way_creates_nothing(
    db: Database, actors: Actors, breakage: Any, path: str
) -> None:
    body = station_body(observations=2)
    breakage(body)
    before = counts(db)
    with pytest.raises(InvalidInput) as raised:
        write.create(db, actors.steward, "Things", body)
    assert raised.value.details["path"] == path
    assert counts(db) == before


def test_link_by_id_ignores_the_other_fields(db: Database, actors: Actors) -> None:
    _, stream_id = new_station(db, actors.steward)
    body = {
        "result": 3.5,
        "phenomenonTime": "2024-06-01T09:00:00+08:00",
        # frost-sta-client sends the full nested state
        "Datastream": {"@iot.id": stream_id, "name": "renamed?", "unitOfMeasurement": 5},
    }
    observation_id = write.create(db, actors.steward, "Observations", body)
    with db.reading() as session:
        observation = session.get(Observation, observation_id)
        assert observation is not None and observation.datastream_id == stream_id
        assert observation.phenomenon_time_start == datetime(2024, 6, 1, 1, tzinfo=UTC)
        stream = session.get(Datastream, stream_id)
        assert stream is not None and stream.name == "water level"


@pytest.mark.parametrize(
    ("set_name", "body", "path"),
    [
        ("Observations", {"result": 1, "Datastream": {"@iot.id": 4242}}, "Datastream"),
        ("Observations", {"result": 1, "Datastream": {"@iot.id": "x"}}, "Datastream.@iot.id"),
        (
            "Datastreams",
            datastream_body(
                Thing={"@iot.id": 77}, Sensor=sensor_body(), ObservedProperty=property_body()
            ),
            "Thing",
        ),
        (
            "Things",
            {"name": "t", "description": "d", "Locations": [{"@iot.id": 9}]},
            "Locations[0]",
        ),
    ],
)
def test_a_link_to_a_missing_entity_is_invalid_input(
    db: Database, actors: Actors, set_name: str, body: dict[str, Any], path: str
) -> None:
    before = counts(db)
    with pytest.raises(InvalidInput) as raised:
        write.create(db, actors.steward, set_name, body)
    assert raised.value.details["path"] == path
    assert counts(db) == before


def test_observation_defaults_and_feature_of_interest_reuse(db: Database, actors: Actors) -> None:
    _, stream_id = new_station(db, actors.steward)
    first = write.create(
        db, actors.steward, "Observations", {"result": 1.0, "Datastream": {"@iot.id": stream_id}}
    )
    second = write.create(
        db,
        actors.steward,
        "Observations",
        {"result": 2.0},
        parent=("Datastreams", stream_id, "Observations"),
    )
    with db.reading() as session:
        one, two = (session.get(Observation, i) for i in (first, second))
        assert one is not None and two is not None
        assert one.result_time is None
        assert abs((datetime.now(UTC) - one.phenomenon_time_start).total_seconds()) < 60
        assert one.feature_id == two.feature_id  # made once, reused
        feature = session.get(FeatureOfInterest, one.feature_id)
        location = session.scalars(select(Location)).one()
        assert feature is not None and feature.location_id == location.id
        assert feature.feature == location.location and (feature.x, feature.y) == (116.0, 36.4)


def test_an_observation_with_its_own_feature(db: Database, actors: Actors) -> None:
    _, stream_id = new_station(db, actors.steward)
    feature = {
        "name": "reach",
        "description": "river reach",
        "encodingType": "application/vnd.geo+json",
        "feature": {"type": "LineString", "coordinates": [[116, 36], [117, 37]]},
    }
    observation_id = write.create(
        db,
        actors.steward,
        "Observations",
        {"result": 1.0, "Datastream": {"@iot.id": stream_id}, "FeatureOfInterest": feature},
    )
    with db.reading() as session:
        observation = session.get(Observation, observation_id)
        assert observation is not None
        made = session.get(FeatureOfInterest, observation.feature_id)
        assert made is not None and made.location_id is None and made.x is None


def test_no_location_and_no_feature_is_invalid(db: Database, actors: Actors) -> None:
    body = station_body(observations=1)
    del body["Locations"]
    with pytest.raises(InvalidInput) as raised:
        write.create(db, actors.steward, "Things", body)
    assert raised.value.details["path"] == "Datastreams[0].Observations[0].FeatureOfInterest"


def _history(db: Database, thing_id: int) -> list[set[int]]:
    with db.reading() as session:
        histories = session.scalars(
            select(HistoricalLocation)
            .where(HistoricalLocation.thing_id == thing_id)
            .order_by(HistoricalLocation.time, HistoricalLocation.id)
        ).all()
        return [
            set(
                session.scalars(
                    select(HistoricalLocationLocation.location_id).where(
                        HistoricalLocationLocation.historical_location_id == h.id
                    )
                )
            )
            for h in histories
        ]


def _current(db: Database, thing_id: int) -> set[int]:
    with db.reading() as session:
        return set(
            session.scalars(
                select(ThingLocation.location_id).where(ThingLocation.thing_id == thing_id)
            )
        )


def test_new_locations_make_historical_locations(db: Database, actors: Actors) -> None:
    thing_id, _ = new_station(db, actors.steward)
    (first,) = _current(db, thing_id)
    assert _history(db, thing_id) == [{first}]
    moved = write.create(
        db,
        actors.steward,
        "Locations",
        location_body("new site", 117.0),
        parent=("Things", thing_id, "Locations"),
    )
    assert _current(db, thing_id) == {moved}
    assert _history(db, thing_id) == [{first}, {moved}]
    again = write.create(
        db,
        actors.steward,
        "Locations",
        {**location_body("third", 118.0), "Things": [{"@iot.id": thing_id}]},
    )
    assert _current(db, thing_id) == {again}
    assert len(_history(db, thing_id)) == 3


def test_a_new_thing_linking_existing_locations(db: Database, actors: Actors) -> None:
    one = write.create(db, actors.steward, "Locations", location_body("a"))
    two = write.create(db, actors.steward, "Locations", location_body("b"))
    thing_id = write.create(
        db,
        actors.steward,
        "Things",
        {"name": "t", "description": "d", "Locations": [{"@iot.id": one}, {"@iot.id": two}]},
    )
    assert _current(db, thing_id) == {one, two}
    assert _history(db, thing_id) == [{one, two}]


def test_posting_a_newer_historical_location_moves_the_thing(db: Database, actors: Actors) -> None:
    thing_id, _ = new_station(db, actors.steward)
    (first,) = _current(db, thing_id)
    other = write.create(db, actors.steward, "Locations", location_body("b"))
    write.create(
        db,
        actors.steward,
        "HistoricalLocations",
        {
            "time": "2001-01-01T00:00:00Z",
            "Thing": {"@iot.id": thing_id},
            "Locations": [{"@iot.id": other}],
        },
    )
    assert _current(db, thing_id) == {first}  # older than the automatic one: history only
    write.create(
        db,
        actors.steward,
        "HistoricalLocations",
        {"time": "2999-01-01T00:00:00Z", "Locations": [{"@iot.id": other}]},
        parent=("Things", thing_id, "HistoricalLocations"),
    )
    assert _current(db, thing_id) == {other}
    assert len(_history(db, thing_id)) == 3


def test_a_historical_location_needs_locations(db: Database, actors: Actors) -> None:
    thing_id, _ = new_station(db, actors.steward)
    with pytest.raises(InvalidInput) as raised:
        write.create(
            db,
            actors.steward,
            "HistoricalLocations",
            {"time": "2024-01-01T00:00:00Z", "Thing": {"@iot.id": thing_id}},
        )
    assert raised.value.details["path"] == "Locations"


def test_create_under_a_navigation_collection(db: Database, actors: Actors) -> None:
    thing_id, _ = new_station(db, actors.steward)
    sensor = write.create(db, actors.steward, "Sensors", sensor_body())
    stream = write.create(
        db,
        actors.steward,
        "Datastreams",
        datastream_body(Sensor={"@iot.id": sensor}, ObservedProperty=property_body()),
        parent=("Things", thing_id, "Datastreams"),
    )
    with db.reading() as session:
        made = session.get(Datastream, stream)
        assert made is not None and (made.thing_id, made.sensor_id) == (thing_id, sensor)


@pytest.mark.parametrize(
    ("parent", "error"),
    [
        (("Things", 999, "Datastreams"), NotFound),
        (("Things", 1, "Sensors"), NotFound),
        (("Observations", 1, "Datastream"), InvalidInput),
        (("Things", 1, "Locations"), InvalidInput),  # a Datastream body under Locations
    ],
)
def test_bad_parents(db: Database, actors: Actors, parent: Any, error: type[Exception]) -> None:
    new_station(db, actors.steward, observations=1)
    body = datastream_body(Sensor=sensor_body(), ObservedProperty=property_body())
    with pytest.raises(error):
        write.create(db, actors.steward, "Datastreams", body, parent=parent)


def test_the_parent_relation_may_not_be_given_twice(db: Database, actors: Actors) -> None:
    _, stream_id = new_station(db, actors.steward)
    with pytest.raises(InvalidInput) as raised:
        write.create(
            db,
            actors.steward,
            "Observations",
            {"result": 1, "Datastream": {"@iot.id": stream_id}},
            parent=("Datastreams", stream_id, "Observations"),
        )
    assert raised.value.details["path"] == "Datastream"


def test_every_created_entity_is_audited(db: Database, actors: Actors) -> None:
    from cityhub.audit.models import AuditEvent

    thing_id = write.create(db, actors.steward, "Things", station_body(observations=1))
    with db.reading() as session:
        rows = session.execute(
            select(AuditEvent.object_type, AuditEvent.object_id).where(
                AuditEvent.action == "sta.create"
            )
        ).all()
    kinds = sorted(str(kind) for kind, _ in rows)
    assert kinds == sorted(
        [
            "Thing",
            "Location",
            "HistoricalLocation",
            "Sensor",
            "ObservedProperty",
            "Datastream",
            "Observation",
        ]
    )
    assert ("Thing", str(thing_id)) in rows
