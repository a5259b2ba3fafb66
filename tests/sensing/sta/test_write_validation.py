"""Validation of entity bodies, one table of good and bad bodies per entity type.

Each bad body names the path of the offending value; nothing is created for it.
"""

from __future__ import annotations

from typing import Any

import pytest

from cityhub.db import Database
from cityhub.errors import InvalidInput
from cityhub.sensing.sta import values, write
from tests.sensing.sta.test_write_support import (
    Actors,
    actors,
    counts,
    datastream_body,
    location_body,
    new_station,
    point,
    property_body,
    sensor_body,
)

__all__ = ["actors"]


def _with(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**body, **changes}


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


THING = {"name": "station", "description": "a station"}
POLYGON = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}

GOOD: list[tuple[str, dict[str, Any]]] = [
    ("Things", THING),
    ("Things", _with(THING, properties={"code": "41500100"}, **{"@iot.id": 77})),
    ("Things", _with(THING, **{"Locations@iot.navigationLink": "Things(1)/Locations"})),
    ("Locations", location_body()),
    ("Locations", _with(location_body(), encodingType="application/vnd.geo+json")),
    (
        "Locations",
        _with(location_body(), location={"type": "Feature", "geometry": point(), "properties": {}}),
    ),
    ("Locations", _with(location_body(), location=POLYGON)),
    ("Sensors", sensor_body()),
    ("Sensors", _with(sensor_body(), metadata={"any": ["json"]})),
    ("ObservedProperties", property_body()),
    (
        "FeaturesOfInterest",
        {
            "name": "f",
            "description": "d",
            "encodingType": "application/geo+json",
            "feature": point(),
        },
    ),
]

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("Things", _without(THING, "name"), "name"),
    ("Things", _with(THING, name=None), "name"),
    ("Things", _with(THING, name=5), "name"),
    ("Things", _with(THING, name="x" * 256), "name"),
    ("Things", _with(THING, name="a\x00b"), "name"),
    ("Things", _with(THING, colour="red"), "colour"),
    ("Things", _with(THING, properties=[1, 2]), "properties"),
    ("Things", _with(THING, properties={"x": float("nan")}), "properties"),
    ("Things", _with(THING, Locations={"@iot.id": 1}), "Locations"),
    ("Things", _with(THING, Locations=[5]), "Locations[0]"),
    ("Things", _with(THING, Locations=[{"@iot.id": True}]), "Locations[0].@iot.id"),
    ("Things", _with(THING, Datastreams=[datastream_body()]), "Datastreams[0].Sensor"),
    ("Locations", _without(location_body(), "location"), "location"),
    ("Locations", _with(location_body(), encodingType="text/plain"), "encodingType"),
    ("Locations", _with(location_body(), location="116,36"), "location"),
    ("Locations", _with(location_body(), location={"type": "Circle"}), "location.type"),
    (
        "Locations",
        _with(location_body(), location={"type": "Point", "coordinates": [1]}),
        "location.coordinates",
    ),
    (
        "Locations",
        _with(location_body(), location={"type": "Point", "coordinates": ["1", 2]}),
        "location.coordinates",
    ),
    (
        "Locations",
        _with(
            location_body(),
            location={"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [2, 2]]]},
        ),
        "location.coordinates",
    ),
    (
        "Locations",
        _with(location_body(), location={"type": "Feature", "geometry": None}),
        "location.geometry",
    ),
    (
        "Locations",
        _with(location_body(), Things=[{"name": "half a thing"}]),
        "Things[0].description",
    ),
    ("Sensors", _without(sensor_body(), "metadata"), "metadata"),
    ("Sensors", _without(sensor_body(), "encodingType"), "encodingType"),
    ("ObservedProperties", _with(property_body(), definition=""), "definition"),
    ("ObservedProperties", _with(property_body(), definition=["x"]), "definition"),
    (
        "FeaturesOfInterest",
        {"name": "f", "description": "d", "encodingType": "x", "feature": point()},
        "encodingType",
    ),
    (
        "FeaturesOfInterest",
        {"name": "f", "description": "d", "encodingType": "application/geo+json"},
        "feature",
    ),
]


@pytest.mark.parametrize(("set_name", "body"), GOOD)
def test_good_bodies_are_created(
    db: Database, actors: Actors, set_name: str, body: dict[str, Any]
) -> None:
    before = counts(db)
    new_id = write.create(db, actors.steward, set_name, body)
    assert new_id > 0
    assert counts(db)[set_name] == before[set_name] + 1


@pytest.mark.parametrize(("set_name", "body", "path"), BAD)
def test_bad_bodies_name_the_path(
    db: Database, actors: Actors, set_name: str, body: dict[str, Any], path: str
) -> None:
    before = counts(db)
    with pytest.raises(InvalidInput) as raised:
        write.create(db, actors.steward, set_name, body)
    assert raised.value.details["path"] == path
    assert counts(db) == before


@pytest.mark.parametrize("body", [None, [], "thing", 5])
def test_a_body_must_be_an_object(db: Database, actors: Actors, body: Any) -> None:
    with pytest.raises(InvalidInput) as raised:
        write.create(db, actors.steward, "Things", body)
    assert raised.value.details["path"] == ""


def _stream(**changes: Any) -> dict[str, Any]:
    return datastream_body(**changes)


DROP = object()  # leave the relation out
DATASTREAM_BAD: list[tuple[dict[str, Any], str]] = [
    (_with(_stream(), unitOfMeasurement="metre"), "unitOfMeasurement"),
    (
        _with(_stream(), unitOfMeasurement={"name": "m", "colour": "red"}),
        "unitOfMeasurement.colour",
    ),
    (_with(_stream(), unitOfMeasurement={"name": 5}), "unitOfMeasurement.name"),
    (_with(_stream(), observationType="http://example.org/OM_Weird"), "observationType"),
    (_without(_stream(), "observationType"), "observationType"),
    (
        _with(_stream(), observedArea={"type": "Polygon", "coordinates": [[0, 0]]}),
        "observedArea.coordinates",
    ),
    (_with(_stream(), phenomenonTime="yesterday"), "phenomenonTime"),
    (
        _with(_stream(), phenomenonTime="2024-06-02T00:00:00Z/2024-06-01T00:00:00Z"),
        "phenomenonTime",
    ),
    (_with(_stream(), resultTime=20240601), "resultTime"),
    (_stream(ObservedProperty=DROP), "ObservedProperty"),
    (_with(_stream(ObservedProperty={"@iot.id": 1}), Sensor=None), "Sensor"),
]


@pytest.mark.parametrize(("body", "path"), DATASTREAM_BAD)
def test_bad_datastreams(db: Database, actors: Actors, body: dict[str, Any], path: str) -> None:
    thing_id, _ = new_station(db, actors.steward)
    body = {"ObservedProperty": {"@iot.id": 1}, "Sensor": {"@iot.id": 1}, **body}
    body = {key: value for key, value in body.items() if value is not DROP}
    before = counts(db)
    with pytest.raises(InvalidInput) as raised:
        write.create(
            db, actors.steward, "Datastreams", body, parent=("Things", thing_id, "Datastreams")
        )
    assert raised.value.details["path"] == path
    assert counts(db) == before


RESULTS: list[tuple[str, Any, bool]] = [
    (values.OM_MEASUREMENT, 1.5, True),
    (values.OM_MEASUREMENT, 2, True),
    (values.OM_MEASUREMENT, "1.5", False),
    (values.OM_MEASUREMENT, True, False),
    (values.OM_MEASUREMENT, None, False),
    (values.OM_MEASUREMENT, 10**400, False),
    (values.OM_COUNT, 3, True),
    (values.OM_COUNT, 3.5, False),
    (values.OM_COUNT, "3", False),
    (values.OM_TRUTH, False, True),
    (values.OM_TRUTH, 0, False),
    (values.OM_CATEGORY, "http://example.org/dry", True),
    (values.OM_CATEGORY, 1, False),
    (values.OM_OBSERVATION, {"level": 1.2, "flags": ["ok"]}, True),
    (values.OM_OBSERVATION, None, True),
    (values.OM_OBSERVATION, "text", True),
]


@pytest.mark.parametrize(("observation_type", "result", "good"), RESULTS)
def test_results_must_fit_the_observation_type(
    db: Database, actors: Actors, observation_type: str, result: Any, good: bool
) -> None:
    thing_id, _ = new_station(db, actors.steward)
    stream_id = write.create(
        db,
        actors.steward,
        "Datastreams",
        datastream_body(observation_type, Sensor={"@iot.id": 1}, ObservedProperty={"@iot.id": 1}),
        parent=("Things", thing_id, "Datastreams"),
    )
    body = {"result": result, "phenomenonTime": "2024-06-01T08:00:00Z"}
    parent = ("Datastreams", stream_id, "Observations")
    if good:
        assert write.create(db, actors.steward, "Observations", body, parent=parent) > 0
    else:
        with pytest.raises(InvalidInput) as raised:
            write.create(db, actors.steward, "Observations", body, parent=parent)
        assert raised.value.details["path"] == "result"


OBSERVATION_BAD: list[tuple[dict[str, Any], str]] = [
    ({"phenomenonTime": "2024-06-01T08:00:00Z"}, "result"),
    ({"result": 1, "phenomenonTime": "2024-13-01T08:00:00Z"}, "phenomenonTime"),
    ({"result": 1, "phenomenonTime": 5}, "phenomenonTime"),
    ({"result": 1, "resultTime": "2024-06-01T08:00:00Z/2024-06-01T09:00:00Z"}, "resultTime"),
    ({"result": 1, "validTime": "soon"}, "validTime"),
    ({"result": 1, "parameters": "serial=5"}, "parameters"),
    ({"result": 1, "FeatureOfInterest": {"@iot.id": 999}}, "FeatureOfInterest"),
    ({"result": 1, "FeatureOfInterest": {"name": "f"}}, "FeatureOfInterest.description"),
    ({"result": 1, "MultiDatastream": {"@iot.id": 1}}, "MultiDatastream"),
]


@pytest.mark.parametrize(("body", "path"), OBSERVATION_BAD)
def test_bad_observations(db: Database, actors: Actors, body: dict[str, Any], path: str) -> None:
    _, stream_id = new_station(db, actors.steward)
    before = counts(db)
    with pytest.raises(InvalidInput) as raised:
        write.create(
            db,
            actors.steward,
            "Observations",
            body,
            parent=("Datastreams", stream_id, "Observations"),
        )
    assert raised.value.details["path"] == path
    assert counts(db) == before


def test_an_observation_needs_a_datastream(db: Database, actors: Actors) -> None:
    with pytest.raises(InvalidInput) as raised:
        write.create(db, actors.steward, "Observations", {"result": 1})
    assert raised.value.details["path"] == "Datastream"


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"time": "2024-06-01T08:00:00Z", "Locations": [{"@iot.id": 1}]}, "Thing"),
        ({"Thing": {"@iot.id": 1}, "Locations": [{"@iot.id": 1}]}, "time"),
        ({"time": "now", "Thing": {"@iot.id": 1}, "Locations": [{"@iot.id": 1}]}, "time"),
    ],
)
def test_bad_historical_locations(
    db: Database, actors: Actors, body: dict[str, Any], path: str
) -> None:
    new_station(db, actors.steward)
    with pytest.raises(InvalidInput) as raised:
        write.create(db, actors.steward, "HistoricalLocations", body)
    assert raised.value.details["path"] == path
