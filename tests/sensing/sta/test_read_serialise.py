"""Entities as SensorThings JSON: values by kind, the result by type, ``$select``, links."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.errors import InvalidInput
from cityhub.sensing.models import ResultType
from cityhub.sensing.observations import result_columns
from cityhub.sensing.sta.entities import ENTITY_TYPES
from cityhub.sensing.sta.root import CONFORMANCE, root_document
from cityhub.sensing.sta.serialise import (
    Links,
    check_select,
    entity_json,
    property_value,
    raw_value,
    result_value,
)

LINKS = Links("http://example.org/sta/v1.1")
OBSERVATION = ENTITY_TYPES["Observations"]
DATASTREAM = ENTITY_TYPES["Datastreams"]
RESULT = OBSERVATION.properties["result"].columns
T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
T1 = datetime(2024, 6, 1, 9, 30, 0, 250_000, tzinfo=UTC)


def result_row(value: Any) -> dict[str, Any]:
    return dict(zip(RESULT, result_columns(value), strict=True))


@pytest.mark.parametrize(
    "value",
    [0, 12, -3, 12.5, 2**53, True, False, "ok", {"a": [1, 2]}, [1, "x"], None, 2**60],
)
def test_results_come_back_as_stored(value: Any) -> None:
    shown = result_value(result_row(value), RESULT)
    assert shown == value and type(shown) is type(value)


def test_a_whole_float_is_shown_as_an_integer() -> None:
    assert result_value(result_row(20.0), RESULT) == 20
    assert isinstance(result_value(result_row(20.0), RESULT), int)


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53))
def test_numbers_keep_their_value(value: float) -> None:
    assert result_value(result_row(value), RESULT) == value


OPEN = {"phenomenon_time_start": T0, "phenomenon_time_end": None}
SPAN = {"phenomenon_time_start": T0, "phenomenon_time_end": T1}


@pytest.mark.parametrize(
    ("entity", "name", "row", "expected"),
    [
        ("Observations", "phenomenonTime", OPEN, "2024-06-01T08:00:00Z"),
        ("Observations", "phenomenonTime", SPAN, "2024-06-01T08:00:00Z/2024-06-01T09:30:00.250Z"),
        ("Observations", "resultTime", {"result_time": None}, None),
        ("Observations", "resultTime", {"result_time": T1}, "2024-06-01T09:30:00.250Z"),
        ("Observations", "validTime", {"valid_time_start": None, "valid_time_end": None}, None),
        ("Datastreams", "phenomenonTime", OPEN, "2024-06-01T08:00:00Z/2024-06-01T08:00:00Z"),
        ("Sensors", "metadata", {"metadata_": "http://x/y.pdf"}, "http://x/y.pdf"),
        ("Things", "properties", {"properties": {"k": 1}}, {"k": 1}),
        ("HistoricalLocations", "time", {"time": T0}, "2024-06-01T08:00:00Z"),
    ],
)
def test_values_by_kind(entity: str, name: str, row: dict[str, Any], expected: Any) -> None:
    assert property_value(ENTITY_TYPES[entity].properties[name], row) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [("2024-06-01T08:00:00Z", "2024-06-01T08:00:00Z"), (12, "12"), ({"a": "水"}, '{"a": "水"}')],
)
def test_raw_values(value: Any, text: str) -> None:
    assert raw_value(value) == text


def thing_row() -> dict[str, Any]:
    return {"id": 7, "name": "水位站", "description": "d", "properties": None}


def test_an_entity_has_its_links_and_every_property() -> None:
    body = entity_json(ENTITY_TYPES["Things"], thing_row(), LINKS)
    assert body == {
        "@iot.id": 7,
        "@iot.selfLink": "http://example.org/sta/v1.1/Things(7)",
        "name": "水位站",
        "description": "d",
        "properties": None,
        "Locations@iot.navigationLink": "http://example.org/sta/v1.1/Things(7)/Locations",
        "HistoricalLocations@iot.navigationLink": (
            "http://example.org/sta/v1.1/Things(7)/HistoricalLocations"
        ),
        "Datastreams@iot.navigationLink": "http://example.org/sta/v1.1/Things(7)/Datastreams",
    }


@pytest.mark.parametrize(
    ("select", "keys"),
    [
        (("name",), {"name"}),
        (("id", "name"), {"@iot.id", "name"}),
        (("@iot.id",), {"@iot.id"}),
        (("Datastreams",), {"Datastreams@iot.navigationLink"}),
        (("description", "Locations"), {"description", "Locations@iot.navigationLink"}),
    ],
)
def test_select_keeps_only_what_is_named(select: tuple[str, ...], keys: set[str]) -> None:
    things = ENTITY_TYPES["Things"]
    body = entity_json(things, thing_row(), LINKS, check_select(things, select))
    assert set(body) == keys


def test_select_of_an_unknown_property_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_select(ENTITY_TYPES["Things"], ("nme",))
    assert caught.value.details == {"option": "$select", "property": "nme"}


def test_empty_select_means_everything() -> None:
    assert check_select(DATASTREAM, ()) is None


def test_root_lists_the_eight_sets_and_the_classes() -> None:
    document = root_document(LINKS)
    assert [item["name"] for item in document["value"]] == list(ENTITY_TYPES)
    assert len(document["value"]) == 8
    assert document["value"][0]["url"] == "http://example.org/sta/v1.1/Things"
    assert document["serverSettings"] == {"conformance": list(CONFORMANCE)}


def test_root_adds_extra_classes_with_their_settings() -> None:
    mqtt = "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt"
    document = root_document(LINKS, {mqtt: {"endpoints": ["mqtt://host:1883"]}})
    assert document["serverSettings"]["conformance"][-1] == mqtt
    assert document["serverSettings"][mqtt] == {"endpoints": ["mqtt://host:1883"]}


def test_result_types_are_the_stored_kinds() -> None:
    assert result_columns(1.5)[0] == ResultType.NUMBER
