"""Conformance class "Create-Update-Delete", changing and deleting (Annex A.5; ets-sta10
Capability2Tests, FROST c02 and JsonPatchTests): PATCH merges, PUT replaces, JSON Patch applies
RFC 6902, and DELETE removes what depends on the entity.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.sensing.sta.conformance.conftest import Fixture, ids
from tests.sensing.sta.conformance.fixtures import ROOT


def test_patch_changes_only_what_is_sent(
    client: TestClient, fixture: Fixture, steward: dict[str, str], admin: dict[str, str]
) -> None:
    url = f"{ROOT}/Datastreams({fixture.datastreams[0]})"
    before = client.get(url, headers=admin).json()
    response = client.patch(url, json={"description": "patched"}, headers=steward)
    assert response.status_code == 200
    after = client.get(url, headers=admin).json()
    assert after == before | {"description": "patched"}
    assert response.json() == after
    rebound = client.patch(url, json={"Sensor": {"@iot.id": fixture.sensors[3]}}, headers=steward)
    assert rebound.status_code == 200
    sensor = client.get(f"{url}/Sensor", headers=admin).json()
    assert sensor["@iot.id"] == fixture.sensors[3]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"colour": "red"}, 400),
        ({"name": None}, 400),
        ({"unitOfMeasurement": "mm"}, 400),
        ({"Sensor": {"name": "inline", "description": "x"}}, 400),
        ({"Sensor": {"@iot.id": 99999}}, 400),
        ([{"op": "replace", "path": "/name", "value": "x"}], 400),  # a list, not merge-patch
    ],
)
def test_invalid_patches_change_nothing(
    client: TestClient,
    fixture: Fixture,
    steward: dict[str, str],
    admin: dict[str, str],
    body: Any,
    status: int,
) -> None:
    url = f"{ROOT}/Datastreams({fixture.datastreams[0]})"
    before = client.get(url, headers=admin).json()
    response = client.patch(url, json=body, headers=steward)
    assert response.status_code == status, response.text
    assert client.get(url, headers=admin).json() == before


def test_updating_a_missing_entity_is_not_found(
    client: TestClient, fixture: Fixture, steward: dict[str, str]
) -> None:
    for method in ("PATCH", "PUT"):
        response = client.request(
            method, f"{ROOT}/Things(99999)", json={"name": "x"}, headers=steward
        )
        assert response.status_code == 404
    assert client.delete(f"{ROOT}/Things(99999)", headers=steward).status_code == 404


def test_put_replaces_every_property(
    client: TestClient, fixture: Fixture, steward: dict[str, str], admin: dict[str, str]
) -> None:
    url = f"{ROOT}/Things({fixture.things[0]})"
    response = client.put(url, json={"name": "renamed", "description": "new"}, headers=steward)
    assert response.status_code == 200, response.text
    thing = client.get(url, headers=admin).json()
    assert (thing["name"], thing["description"], thing["properties"]) == ("renamed", "new", None)
    incomplete = client.put(url, json={"name": "only"}, headers=steward)
    assert incomplete.status_code == 400
    assert client.get(url, headers=admin).json() == thing


def test_json_patch(
    client: TestClient, fixture: Fixture, steward: dict[str, str], admin: dict[str, str]
) -> None:
    url = f"{ROOT}/Things({fixture.things[0]})"
    headers = steward | {"Content-Type": "application/json-patch+json"}
    operations = [
        {"op": "test", "path": "/name", "value": "thing 1"},
        {"op": "add", "path": "/properties/owner", "value": "水利局"},
        {"op": "replace", "path": "/description", "value": "patched"},
        {"op": "remove", "path": "/properties/reference"},
    ]
    response = client.patch(url, json=operations, headers=headers)
    assert response.status_code == 200, response.text
    thing = client.get(url, headers=admin).json()
    assert thing["properties"] == {"owner": "水利局"}
    assert thing["description"] == "patched"
    failing = [
        {"op": "replace", "path": "/description", "value": "never"},
        {"op": "test", "path": "/name", "value": "not the name"},
    ]
    refused = client.patch(url, json=failing, headers=headers)
    assert refused.status_code == 400
    assert client.get(url, headers=admin).json() == thing


CASCADES = [
    # deleting … also deletes (by fixture attribute and index)
    ("things", 0, {"datastreams": [0, 1], "observations": list(range(6))}),
    ("datastreams", 1, {"observations": [3, 4, 5]}),
    ("sensors", 2, {"datastreams": [2], "observations": [6, 7, 8]}),
    ("observed_properties", 1, {"datastreams": [1, 3], "observations": [3, 4, 5, 9, 10, 11]}),
    ("observations", 0, {}),
]
SET_OF = {
    "things": "Things", "datastreams": "Datastreams", "sensors": "Sensors",
    "observed_properties": "ObservedProperties", "observations": "Observations",
    "locations": "Locations", "features": "FeaturesOfInterest",
    "historical_locations": "HistoricalLocations",
}  # fmt: skip


@pytest.mark.parametrize(("kind", "index", "gone"), CASCADES)
def test_delete_cascades(
    client: TestClient,
    fixture: Fixture,
    steward: dict[str, str],
    admin: dict[str, str],
    kind: str,
    index: int,
    gone: dict[str, list[int]],
) -> None:
    target = getattr(fixture, kind)[index]
    response = client.delete(f"{ROOT}/{SET_OF[kind]}({target})", headers=steward)
    assert response.status_code in (200, 204), response.text
    assert client.get(f"{ROOT}/{SET_OF[kind]}({target})", headers=admin).status_code == 404
    expected_gone = {(kind, target)} | {
        (other, getattr(fixture, other)[i]) for other, indexes in gone.items() for i in indexes
    }
    for other in ("things", "datastreams", "sensors", "observed_properties", "observations"):
        for entity_id in getattr(fixture, other):
            status = client.get(f"{ROOT}/{SET_OF[other]}({entity_id})", headers=admin).status_code
            assert status == (404 if (other, entity_id) in expected_gone else 200), (
                other,
                entity_id,
            )


def test_deleting_a_thing_deletes_its_historical_locations_not_its_locations(
    client: TestClient, fixture: Fixture, steward: dict[str, str], admin: dict[str, str]
) -> None:
    t1 = fixture.things[0]
    history = ids(client, f"Things({t1})/HistoricalLocations", admin)
    assert client.delete(f"{ROOT}/Things({t1})", headers=steward).status_code in (200, 204)
    for moment in history:
        assert client.get(f"{ROOT}/HistoricalLocations({moment})", headers=admin).status_code == 404
    for location in fixture.locations:
        assert client.get(f"{ROOT}/Locations({location})", headers=admin).status_code == 200


def test_deleting_a_feature_deletes_its_observations(
    client: TestClient, fixture: Fixture, steward: dict[str, str], admin: dict[str, str]
) -> None:
    feature = client.get(
        f"{ROOT}/Observations({fixture.observations[0]})/FeatureOfInterest", headers=admin
    ).json()["@iot.id"]
    observed = ids(client, f"FeaturesOfInterest({feature})/Observations", admin)
    assert observed
    assert client.delete(f"{ROOT}/FeaturesOfInterest({feature})", headers=admin).status_code in (
        200, 204,
    )  # fmt: skip
    for observation in observed:
        assert client.get(f"{ROOT}/Observations({observation})", headers=admin).status_code == 404
