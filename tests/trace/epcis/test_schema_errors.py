"""Schema violations name the JSON path and a reason, in Chinese and English."""

from __future__ import annotations

from typing import Any

import pytest

from cityhub.trace.epcis import EpcisError, validate_document, validate_event
from cityhub.trace.epcis.schema_errors import json_path
from tests.trace.epcis.events import HARVEST, PACKING, PESTICIDE, PROCESSING, event
from tests.trace.epcis.reference import document

QUANTITY = [{"epcClass": HARVEST["quantityList"][0]["epcClass"], "quantity": "500"}]
TRANSFORM_WITH_ACTION = event(PROCESSING, action="ADD")
REPORT = {"type": "Temperature", "value": "3"}


@pytest.mark.parametrize(
    ("bad", "path", "schema_rule"),
    [
        (event(HARVEST, eventTime=...), "$.eventTime", "required"),
        (event(HARVEST, eventTimeZoneOffset=...), "$.eventTimeZoneOffset", "required"),
        (event(HARVEST, action="MOVE"), "$.action", "enum"),
        (event(HARVEST, eventTimeZoneOffset="+8:00"), "$.eventTimeZoneOffset", "pattern"),
        (event(HARVEST, eventTimeZoneOffset="+15:00"), "$.eventTimeZoneOffset", "pattern"),
        (event(HARVEST, eventTime="2025-06-10T06:30:00"), "$.eventTime", "format"),
        (event(HARVEST, eventTime="2025-06-10 06:30"), "$.eventTime", "format"),
        (event(HARVEST, quantityList=QUANTITY), "$.quantityList[0].quantity", "type"),
        (event(HARVEST, quantityList=[{"quantity": 1}]), "$.quantityList[0].epcClass", "required"),
        (
            event(PACKING, childQuantityList=[{**PACKING["childQuantityList"][0], "uom": "kg"}]),
            "$.childQuantityList[0].uom",
            "pattern",
        ),
        (TRANSFORM_WITH_ACTION, "$.action", "propertyNames"),
        (event(HARVEST, junk=1), "$.junk", "propertyNames"),
        (event(HARVEST, **{"junk.field": 1}), '$["junk.field"]', "propertyNames"),
        (event(HARVEST, quantityList=..., epcList=...), "$", "anyOf"),
        (event(HARVEST, action="OBSERVE"), "$", "anyOf"),  # ilmd needs ADD
        (event(HARVEST, bizStep="planting"), "$.bizStep", "anyOf"),
        (event(HARVEST, readPoint={"id": "not a uri"}), "$.readPoint.id", "format"),
        (event(HARVEST, readPoint={}), "$.readPoint.id", "required"),
        (event(HARVEST, ilmd={"harvestDate": "2025-06-10"}), "$.ilmd.harvestDate", "propertyNames"),
        (
            event(PESTICIDE, epcList=[PESTICIDE["bizLocation"]["id"]] * 2),
            "$.epcList",
            "uniqueItems",
        ),
        (
            event(PROCESSING, sensorElementList=[{"sensorReport": [REPORT]}]),
            "$.sensorElementList[0].sensorReport[0].value",
            "type",
        ),
        (
            event(PROCESSING, sensorElementList=[{"sensorReport": []}]),
            "$.sensorElementList[0].sensorReport",
            "minItems",
        ),
        (
            event(PACKING, persistentDisposition={"set": ["recalled"]}),
            "$.persistentDisposition",
            "propertyNames",
        ),
    ],
)
def test_schema_errors_name_the_path(bad: dict[str, Any], path: str, schema_rule: str) -> None:
    with pytest.raises(EpcisError) as caught:
        validate_event(bad)
    details = caught.value.details
    assert (details["path"], details["schema_rule"], details["rule"]) == (
        path,
        schema_rule,
        "schema",
    )
    assert details["reason_zh"] and details["reason_en"]
    assert caught.value.code == "epcis_invalid"


@pytest.mark.parametrize(
    ("bad", "path", "rule"),
    [
        (event(HARVEST, type="FooEvent"), "$.type", "unknown_event_type"),
        (event(HARVEST, type="cityhub:HarvestEvent"), "$.type", "unknown_event_type"),
        (event(HARVEST, type=...), "$.type", "unknown_event_type"),
        (["not", "an", "object"], "$", "schema"),
    ],
)
def test_not_an_event(bad: Any, path: str, rule: str) -> None:
    with pytest.raises(EpcisError) as caught:
        validate_event(bad)
    assert (caught.value.details["path"], caught.value.details["rule"]) == (path, rule)


def test_reasons_are_specific() -> None:
    with pytest.raises(EpcisError) as caught:
        validate_event(event(HARVEST, eventTime=...))
    assert caught.value.details["reason_zh"] == "缺少必填字段 eventTime"
    with pytest.raises(EpcisError) as caught:
        validate_event(event(HARVEST, quantityList=..., epcList=...))
    assert (
        "epcList | quantityList | sensorElementList + readPoint"
        in caught.value.details["reason_en"]
    )


def test_document_paths_include_the_event_index() -> None:
    doc = document(PESTICIDE, event(HARVEST, quantityList=QUANTITY))
    with pytest.raises(EpcisError) as caught:
        validate_document(doc)
    assert caught.value.details["path"] == "$.epcisBody.eventList[1].quantityList[0].quantity"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"creationDate": ...}, "$.creationDate"),
        ({"schemaVersion": "two"}, "$.schemaVersion"),
        ({"junk": 1}, "$.junk"),
        ({"type": "EPCISQueryDocument"}, "$.type"),
    ],
)
def test_document_shell_errors(change: dict[str, Any], path: str) -> None:
    doc = event(document(HARVEST), **change)
    with pytest.raises(EpcisError) as caught:
        validate_document(doc)
    assert caught.value.details["path"] == path


@pytest.mark.parametrize(
    ("base", "steps", "expected"),
    [
        ("$", ["a", 0, "b"], "$.a[0].b"),
        ("$.x", ["cityhub:agriInput", "dose"], '$.x["cityhub:agriInput"].dose'),
        ("$", ["中文"], '$["中文"]'),
    ],
)
def test_json_path(base: str, steps: list[str | int], expected: str) -> None:
    assert json_path(base, steps) == expected
