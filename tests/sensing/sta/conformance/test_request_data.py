"""Conformance class "Filtering Extension" / request-data (Annex A.4; ets-sta10
Capability3Tests, FROST c03 Filter/DateTime/Geo): ``$select``, ``$expand``, ``$top``, ``$skip``,
``$orderby``, ``$count``, ``$filter`` and the order in which they apply, on the fixture network.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.sensing.sta.conformance.conftest import Shared
from tests.sensing.sta.conformance.fixtures import ROOT, all_pages, values
from tests.sensing.sta.conformance.test_core import PROPERTIES, RELATIONS

SETS = sorted(PROPERTIES)


def get(shared: Shared, path: str) -> Any:
    response = shared.client.get(f"{ROOT}/{path}", headers=shared.admin)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("set_name", SETS)
def test_select_returns_only_the_selected_properties(shared: Shared, set_name: str) -> None:
    names = sorted(PROPERTIES[set_name])
    for size in range(1, len(names) + 1):
        chosen = names[:size]
        for entity in values(shared.client, f"{set_name}?$select={','.join(chosen)}", shared.admin):
            assert set(entity) == set(chosen)
    relation = sorted(RELATIONS[set_name])[0]
    for entity in values(shared.client, f"{set_name}?$select=id,{relation}", shared.admin):
        assert set(entity) == {"@iot.id", f"{relation}@iot.navigationLink"}


@pytest.mark.parametrize(("set_name", "relation"), [(s, r) for s in SETS for r in RELATIONS[s]])
def test_expand_each_relation(shared: Shared, set_name: str, relation: str) -> None:
    target = RELATIONS[set_name][relation]
    for entity in values(shared.client, f"{set_name}?$expand={relation}", shared.admin):
        direct = shared.client.get(
            entity[f"{relation}@iot.navigationLink"], headers=shared.admin
        ).json()
        if relation == target:
            assert entity[relation] == direct["value"]
        else:
            assert entity[relation] == direct


@pytest.mark.parametrize(
    ("set_name", "path"),
    [
        ("Things", "Datastreams/Observations"),
        ("Things", "Datastreams/Sensor/Datastreams"),
        ("Observations", "Datastream/Thing/Locations"),
        ("Locations", "Things/HistoricalLocations/Locations"),
        ("FeaturesOfInterest", "Observations/Datastream/ObservedProperty"),
    ],
)
def test_multi_level_expand(shared: Shared, set_name: str, path: str) -> None:
    first, *rest = path.split("/")
    for entity in values(shared.client, f"{set_name}?$expand={path}", shared.admin):
        level = entity[first]
        items = level if isinstance(level, list) else [level]
        for item in items:
            nested = item
            for name in rest:
                assert name in nested, (path, nested.keys())
                value = nested[name]
                nested = value[0] if isinstance(value, list) and value else value
                if not nested:
                    break


def test_expand_with_nested_options(shared: Shared) -> None:
    body = get(
        shared,
        "Things?$orderby=id&$expand=Datastreams($orderby=id desc;$top=1;$count=true;"
        "$select=name;$expand=Observations($filter=result mod 2 eq 0;$orderby=result desc;"
        "$select=result;$count=true))",
    )
    first = body["value"][0]
    assert first["Datastreams@iot.count"] == 2
    assert first["Datastreams"][0]["name"] == "datastream 2"
    assert first["Datastreams"][0]["Observations"] == [{"result": 6}, {"result": 4}]
    assert first["Datastreams"][0]["Observations@iot.count"] == 2
    rest = shared.client.get(first["Datastreams@iot.nextLink"], headers=shared.admin).json()
    assert [d["name"] for d in rest["value"]] == ["datastream 1"]
    assert rest["value"][0]["Observations"] == [{"result": 2}]


COUNTS = {
    "Things": 2, "Locations": 2, "HistoricalLocations": 4, "Datastreams": 4, "Sensors": 4,
    "ObservedProperties": 3, "Observations": 12, "FeaturesOfInterest": 2,
}  # fmt: skip


@pytest.mark.parametrize("set_name", SETS)
def test_top_skip_and_count(shared: Shared, set_name: str) -> None:
    total = COUNTS[set_name]
    whole = get(shared, f"{set_name}?$count=true&$orderby=id")
    assert whole["@iot.count"] == total and len(whole["value"]) == total
    assert "@iot.nextLink" not in whole
    one = get(shared, f"{set_name}?$top=1&$orderby=id&$count=true")
    assert one["value"] == whole["value"][:1] and one["@iot.count"] == total
    assert "@iot.nextLink" in one
    skipped = get(shared, f"{set_name}?$skip=1&$orderby=id")
    assert skipped["value"] == whole["value"][1:]
    # $skip applies before $top, whatever their order in the URL
    both = get(shared, f"{set_name}?$top=1&$skip=1&$orderby=id")
    swapped = get(shared, f"{set_name}?$skip=1&$top=1&$orderby=id")
    assert both["value"] == swapped["value"] == whole["value"][1:2]
    assert get(shared, f"{set_name}?$top={total + 5}")["value"] == whole["value"]
    assert get(shared, f"{set_name}?$skip={total}")["value"] == []
    paged = all_pages(shared.client, f"{ROOT}/{set_name}?$top=1", shared.admin)
    assert paged == whole["value"]


@pytest.mark.parametrize("value", ["maybe", "TRUE", "1", ""])
def test_count_other_than_true_or_false_is_refused(shared: Shared, value: str) -> None:
    response = shared.client.get(f"{ROOT}/Things?$count={value}", headers=shared.admin)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["option"] == "$count"


def test_count_follows_the_filter(shared: Shared) -> None:
    body = get(shared, "Observations?$filter=result gt 4&$count=true&$top=2&$skip=1")
    assert body["@iot.count"] == 8 and len(body["value"]) == 2


ORDER_KEYS = {
    "Things": ["name", "description"],
    "Datastreams": ["name", "description", "observationType", "phenomenonTime"],
    "Sensors": ["name", "description", "encodingType"],
    "ObservedProperties": ["name", "definition", "description"],
    "Observations": ["phenomenonTime", "result", "resultTime"],
    "HistoricalLocations": ["time"],
    "Locations": ["name", "description", "encodingType"],
    "FeaturesOfInterest": ["name", "description", "encodingType"],
}


def ordered(items: list[Any], key: str, descending: bool) -> bool:
    keys = [item[key] for item in items]
    present = [k for k in keys if k is not None]
    nulls = len(keys) - len(present)
    if descending:  # nulls last
        return keys == sorted(present, reverse=True) + [None] * nulls
    return keys == [None] * nulls + sorted(present)  # nulls first


@pytest.mark.parametrize(
    ("set_name", "key"), [(s, k) for s, keys in ORDER_KEYS.items() for k in keys]
)
@pytest.mark.parametrize("direction", ["", " asc", " desc", " ASC", " DESC", " Desc"])
def test_orderby_each_property(shared: Shared, set_name: str, key: str, direction: str) -> None:
    items = values(shared.client, f"{set_name}?$orderby={key}{direction}", shared.admin)
    assert ordered(items, key, direction.strip().lower() == "desc"), [i[key] for i in items]


def test_orderby_several_keys_and_relation_paths(shared: Shared) -> None:
    items = values(shared.client, "Observations?$orderby=Datastream/id desc,result", shared.admin)
    streams = shared.fixture.datastreams
    expected = [
        (streams[3], 10), (streams[3], 11), (streams[3], 12), (streams[2], 7), (streams[2], 8),
        (streams[2], 9), (streams[1], 4), (streams[1], 5), (streams[1], 6), (streams[0], 1),
        (streams[0], 2), (streams[0], 3),
    ]  # fmt: skip
    assert [i["result"] for i in items] == [r for _, r in expected]
    units = values(shared.client, "Datastreams?$orderby=unitOfMeasurement/name,name desc",
                   shared.admin)  # fmt: skip
    assert [d["name"] for d in units] == [
        "datastream 4", "datastream 2", "datastream 3", "datastream 1",
    ]  # fmt: skip


def test_nulls_come_first_ascending_and_last_descending(shared: Shared) -> None:
    # the fixture's Observations have no resultTime: order falls back to the id
    ascending = values(shared.client, "Observations?$orderby=resultTime,result desc", shared.admin)
    assert [o["result"] for o in ascending] == list(range(12, 0, -1))


OBSERVATION_FILTERS: list[tuple[str, list[int]]] = [
    ("result eq 3", [3]),
    ("result ne 3", [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ("result gt 10", [11, 12]),
    ("result ge 10", [10, 11, 12]),
    ("result lt 2", [1]),
    ("result le 2", [1, 2]),
    ("result gt 2 and result lt 5", [3, 4]),
    ("result lt 2 or result gt 11", [1, 12]),
    ("not (result gt 2)", [1, 2]),
    ("result gt 2 and (result lt 4 or result eq 12)", [3, 12]),
    ("result add 1 eq 4", [3]),
    ("result sub 1 eq 4", [5]),
    ("result mul 2 eq 8", [4]),
    ("result div 2 eq 3", [6]),
    ("result mod 5 eq 0", [5, 10]),
    ("(result add 2) mul 2 eq 10", [3]),
    ("result add 2 mul 2 eq 11", [7]),  # mul binds tighter than add
    ("-result eq -3", [3]),
    ("floor(result div 4) eq 2", [8, 9, 10, 11]),
    ("ceiling(result div 4) eq 1", [1, 2, 3, 4]),
    ("round(result div 10) eq 1", [5, 6, 7, 8, 9, 10, 11, 12]),
    ("phenomenonTime gt 2015-03-10T00:00:00Z", [11, 12]),
    ("phenomenonTime eq 2015-03-05T00:00:00Z", [5]),
    ("phenomenonTime lt 2015-03-02T08:00:01+08:00", [1, 2]),
    ("day(phenomenonTime) eq 7", [7]),
    ("month(phenomenonTime) eq 3 and year(phenomenonTime) eq 2015 and result le 2", [1, 2]),
    ("hour(phenomenonTime) eq 0 and minute(phenomenonTime) eq 0 and result eq 1", [1]),
    ("date(phenomenonTime) eq 2015-03-04", [4]),
    ("phenomenonTime lt now() and result eq 1", [1]),
    ("resultTime eq null", list(range(1, 13))),
    ("resultTime ne null", []),
    ("Datastream/name eq 'datastream 3'", [7, 8, 9]),
    ("Datastream/Thing/name eq 'thing 2' and result lt 9", [7, 8]),
    ("Datastream/ObservedProperty/name eq 'Temperature'", [4, 5, 6, 10, 11, 12]),
    ("Datastream/unitOfMeasurement/symbol eq 'lm'", [1, 2, 3, 7, 8, 9]),
    ("FeatureOfInterest/Observations/result eq 12 and result lt 8", [7]),
]


@pytest.mark.parametrize(("expression", "results"), OBSERVATION_FILTERS)
def test_filter_observations(shared: Shared, expression: str, results: list[int]) -> None:
    response = shared.client.get(
        f"{ROOT}/Observations",
        params={"$filter": expression, "$orderby": "result"},  # "+" must be sent encoded
        headers=shared.admin,
    )
    assert response.status_code == 200, response.text
    assert [o["result"] for o in response.json()["value"]] == results


NAME_FILTERS: list[tuple[str, str, list[str]]] = [
    ("Datastreams", "startswith(name, 'datastream')", ["datastream 1", "datastream 2",
     "datastream 3", "datastream 4"]),
    ("Datastreams", "endswith(name, ' 3')", ["datastream 3"]),
    ("Datastreams", "substringof('eam 2', name)", ["datastream 2"]),
    ("Datastreams", "length(name) eq 12 and name lt 'datastream 2'", ["datastream 1"]),
    ("Datastreams", "indexof(name, '3') eq 11", ["datastream 3"]),
    ("Datastreams", "substring(name, 11) eq '4'", ["datastream 4"]),
    ("Datastreams", "substring(name, 0, 4) eq 'data' and name gt 'datastream 3'",
     ["datastream 4"]),
    ("Datastreams", "tolower(unitOfMeasurement/name) eq 'lumen'", ["datastream 1",
     "datastream 3"]),
    ("Datastreams", "toupper(name) eq 'DATASTREAM 2'", ["datastream 2"]),
    ("Datastreams", "concat(name, '!') eq 'datastream 1!'", ["datastream 1"]),
    ("Datastreams", "trim(concat(' ', name)) eq 'datastream 1'", ["datastream 1"]),
    ("Datastreams", "Observations/result gt 11", ["datastream 4"]),
    ("Datastreams", "Thing/properties/reference eq 'second'", ["datastream 3", "datastream 4"]),
    ("Things", "properties/reference eq 'first'", ["thing 1"]),
    ("Things", "Datastreams/Observations/result eq 5", ["thing 1"]),
    ("Things", "HistoricalLocations/Locations/name eq 'location 2'", ["thing 1", "thing 2"]),
    ("Things", "geo.distance(Locations/location, geography'POINT(-100 50)') lt 1", ["thing 1"]),
    ("Things", "st_within(Locations/location, geography'POLYGON((-120 50, -110 50, -110 52, "
     "-120 52, -120 50))')", ["thing 2"]),
    ("Locations", "geo.distance(location, geography'POINT(-117.05 51.05)') eq 0",
     ["location 1"]),
    ("Locations", "geo.distance(location, geography'POINT(-100.05 50.05)') gt 10",
     ["location 1"]),
    ("Locations", "st_within(location, geography'POLYGON((-101 49, -99 49, -99 51, -101 51, "
     "-101 49))')", ["location 2"]),
    ("Locations", "st_intersects(location, geography'POLYGON((-101 49, -99 49, -99 51, -101 51, "
     "-101 49))')", ["location 2"]),
    ("Sensors", "encodingType eq 'http://schema.org/description' and name eq 'sensor 1'",
     ["sensor 1"]),
    ("Sensors", "Datastreams/Thing/name eq 'thing 2'", ["sensor 3", "sensor 4"]),
    ("ObservedProperties", "Datastreams/name eq 'datastream 4'", ["Temperature"]),
    ("HistoricalLocations", "Thing/name eq 'thing 1' and time lt now()", ["", ""]),
]  # fmt: skip


@pytest.mark.parametrize(("set_name", "expression", "names"), NAME_FILTERS)
def test_filter_by_functions_and_relations(
    shared: Shared, set_name: str, expression: str, names: list[str]
) -> None:
    found = values(shared.client, f"{set_name}?$filter={expression}&$orderby=id", shared.admin)
    assert sorted(item.get("name", "") for item in found) == names


@pytest.mark.parametrize(
    "expression",
    [
        "result gt",
        "result gt 'unclosed",
        "result eq 1)",
        "(result eq 1",
        "nofunction(result) eq 1",
        "result eq eq 1",
        "result gt 1 and",
        "Datastream/noSuchProperty eq 1",
        "noSuchProperty eq 1",
        "result eq 'text' mul 2",
    ],
)
def test_filter_errors_are_bad_requests_with_a_position(shared: Shared, expression: str) -> None:
    response = shared.client.get(
        f"{ROOT}/Observations", params={"$filter": expression}, headers=shared.admin
    )
    assert response.status_code == 400, response.text
    details = response.json()["error"]["details"]
    assert details["option"] == "$filter"
    assert isinstance(details["position"], int) and 0 <= details["position"] <= len(expression)


def test_filter_with_paging_walks_every_match(shared: Shared) -> None:
    pages = all_pages(
        shared.client,
        f"{ROOT}/Observations?$filter=result mod 2 eq 1&$orderby=result desc&$top=2",
        shared.admin,
    )
    assert [o["result"] for o in pages] == [11, 9, 7, 5, 3, 1]


def test_options_apply_in_the_standard_order(shared: Shared) -> None:
    # $filter, then $count, then $orderby, $skip, $top; then $select and $expand
    body = get(
        shared,
        "Observations?$select=result&$expand=Datastream($select=name)&$top=2&$skip=1"
        "&$orderby=result desc&$count=true&$filter=result lt 10",
    )
    assert body["@iot.count"] == 9
    assert body["value"] == [
        {"result": 8, "Datastream": {"name": "datastream 3"}},
        {"result": 7, "Datastream": {"name": "datastream 3"}},
    ]
