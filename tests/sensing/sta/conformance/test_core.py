"""Conformance class "Read (Core)": datamodel, entity control information, resource paths.

Ported from ets-sta10 ``sensingCore/Capability1Tests`` (Annex A.1, A.2): the service root, each
entity set, nonexistent entities, each property with its ``$value``, each navigation property
with its ``$ref``, and the nested paths of usage 8. The expected properties and relations are
written out from OGC 18-088 §8 here, not taken from the code under test.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.sensing.sta.conformance.conftest import Shared
from tests.sensing.sta.conformance.fixtures import ROOT, values

BASE = "http://testserver/sta/v1.1"
PROPERTIES = {
    "Things": {"name", "description", "properties"},
    "Locations": {"name", "description", "encodingType", "location", "properties"},
    "HistoricalLocations": {"time"},
    "Datastreams": {
        "name", "description", "unitOfMeasurement", "observationType", "observedArea",
        "phenomenonTime", "resultTime", "properties",
    },
    "Sensors": {"name", "description", "encodingType", "metadata", "properties"},
    "ObservedProperties": {"name", "definition", "description", "properties"},
    "Observations": {
        "phenomenonTime", "result", "resultTime", "resultQuality", "validTime", "parameters",
    },
    "FeaturesOfInterest": {"name", "description", "encodingType", "feature", "properties"},
}  # fmt: skip
RELATIONS = {
    "Things": {"Locations": "Locations", "HistoricalLocations": "HistoricalLocations",
               "Datastreams": "Datastreams"},
    "Locations": {"Things": "Things", "HistoricalLocations": "HistoricalLocations"},
    "HistoricalLocations": {"Thing": "Things", "Locations": "Locations"},
    "Datastreams": {"Thing": "Things", "Sensor": "Sensors",
                    "ObservedProperty": "ObservedProperties", "Observations": "Observations"},
    "Sensors": {"Datastreams": "Datastreams"},
    "ObservedProperties": {"Datastreams": "Datastreams"},
    "Observations": {"Datastream": "Datastreams", "FeatureOfInterest": "FeaturesOfInterest"},
    "FeaturesOfInterest": {"Observations": "Observations"},
}  # fmt: skip
SETS = sorted(PROPERTIES)


def expected_keys(set_name: str) -> set[str]:
    navigation = {f"{name}@iot.navigationLink" for name in RELATIONS[set_name]}
    return {"@iot.id", "@iot.selfLink"} | PROPERTIES[set_name] | navigation


def first_of(client: TestClient, set_name: str, admin: dict[str, str]) -> dict[str, Any]:
    found = values(client, f"{set_name}?$top=1", admin)
    assert found, f"the fixture has no {set_name}"
    return found[0]  # type: ignore[no-any-return]


def test_service_root(shared: Shared) -> None:
    client = shared.client
    admin = shared.admin
    body = client.get(ROOT).json()
    names = {item["name"]: item["url"] for item in body["value"]}
    assert set(names) == set(SETS)
    for name, url in names.items():
        assert url == f"{BASE}/{name}"
        assert client.get(url, headers=admin).status_code == 200


@pytest.mark.parametrize("set_name", SETS)
def test_every_entity_has_its_control_information(shared: Shared, set_name: str) -> None:
    client = shared.client
    admin = shared.admin
    entities = values(client, set_name, admin)
    assert entities
    for entity in entities:
        assert set(entity) == expected_keys(set_name)
        assert entity["@iot.selfLink"] == f"{BASE}/{set_name}({entity['@iot.id']})"
        for relation in RELATIONS[set_name]:
            link = entity[f"{relation}@iot.navigationLink"]
            assert link == f"{entity['@iot.selfLink']}/{relation}"
        again = client.get(entity["@iot.selfLink"], headers=admin)
        assert again.status_code == 200 and again.json() == entity


@pytest.mark.parametrize("set_name", SETS)
def test_a_nonexistent_entity_is_not_found(shared: Shared, set_name: str) -> None:
    client = shared.client
    admin = shared.admin
    response = client.get(f"{ROOT}/{set_name}(987654321)", headers=admin)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


PROPERTY_CASES = [(s, p) for s in SETS for p in sorted(PROPERTIES[s])]


@pytest.mark.parametrize(("set_name", "prop"), PROPERTY_CASES)
def test_each_property_and_its_value(shared: Shared, set_name: str, prop: str) -> None:
    client = shared.client
    admin = shared.admin
    entity = first_of(client, set_name, admin)
    url = f"{entity['@iot.selfLink']}/{prop}"
    response = client.get(url, headers=admin)
    raw = client.get(f"{url}/$value", headers=admin)
    if entity[prop] is None:
        assert response.status_code == 204 and raw.status_code == 204
        return
    assert response.status_code == 200
    assert response.json() == {prop: entity[prop]}
    assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/plain")
    if isinstance(entity[prop], str):
        assert raw.text == entity[prop]
    else:
        assert raw.json() == entity[prop]


RELATION_CASES = [(s, r) for s in SETS for r in sorted(RELATIONS[s])]


@pytest.mark.parametrize(("set_name", "relation"), RELATION_CASES)
def test_each_navigation_property_and_its_references(
    shared: Shared, set_name: str, relation: str
) -> None:
    client = shared.client
    admin = shared.admin
    entity = first_of(client, set_name, admin)
    target = RELATIONS[set_name][relation]
    url = entity[f"{relation}@iot.navigationLink"]
    response = client.get(url, headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    refs = client.get(f"{url}/$ref", headers=admin).json()
    if relation == target:  # a collection
        assert body["value"], f"{set_name}/{relation} is empty in the fixture"
        for item in body["value"]:
            assert set(item) == expected_keys(target)
        assert refs == {"value": [{"@iot.selfLink": i["@iot.selfLink"]} for i in body["value"]]}
    else:  # one entity
        assert set(body) == expected_keys(target)
        assert refs == {"@iot.selfLink": body["@iot.selfLink"]}


def test_nested_resource_paths(shared: Shared) -> None:
    client = shared.client
    fixture = shared.fixture
    admin = shared.admin
    d1, o1 = fixture.datastreams[0], fixture.observations[0]
    observation = client.get(f"{ROOT}/Datastreams({d1})/Observations({o1})", headers=admin)
    assert observation.json()["@iot.id"] == o1
    result_time = client.get(f"{ROOT}/Datastreams({d1})/Observations({o1})/phenomenonTime")
    assert result_time.status_code in (200, 404)  # the public sees only open Datastreams
    feature = client.get(
        f"{ROOT}/Datastreams({d1})/Observations({o1})/FeatureOfInterest", headers=admin
    ).json()
    assert feature["@iot.id"] in fixture.features
    sensor_streams = values(
        client, f"Things({fixture.things[0]})/Datastreams({d1})/Sensor/Datastreams", admin
    )
    assert [d["@iot.id"] for d in sensor_streams] == [d1]
    phenomenon = client.get(
        f"{ROOT}/Datastreams({d1})/Observations({o1})/phenomenonTime/$value", headers=admin
    )
    assert phenomenon.text == "2015-03-01T00:00:00Z"
    wrong_parent = client.get(
        f"{ROOT}/Datastreams({d1})/Observations({fixture.observations[-1]})", headers=admin
    )
    assert wrong_parent.status_code == 404


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("Thing", 404),
        ("Things(1)/Sensor", 404),
        ("Observations(1)/Datastream(1)", 404),
        ("Things(1)/name/foo", 404),
        ("Things(one)", 400),
        ("Things(1)?$unknownOption=1", 501),
    ],
)
def test_paths_that_are_not_resources(shared: Shared, path: str, status: int) -> None:
    client = shared.client
    admin = shared.admin
    response = client.get(f"{ROOT}/{path}", headers=admin)
    assert response.status_code == status
    assert response.json()["error"]["message"]
