"""Conformance class "Create-Update-Delete", creating (Annex A.5; ets-sta10 Capability2Tests,
FROST c02): each entity type (201 with a ``Location`` header holding the selfLink), deep insert,
links by ``@iot.id`` (also with other fields alongside, as frost-sta-client sends them), the
all-or-nothing rule, bad bodies, the automatic HistoricalLocations and FeaturesOfInterest, and
who may write.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub.db import Database
from tests.sensing.sta.conformance.conftest import Fixture, created_id, ids
from tests.sensing.sta.conformance.fixtures import ROOT, values
from tests.sensing.sta.conformance.seed import OM_MEASUREMENT

BASE = "http://testserver/sta/v1.1"
SETS = (
    "Things", "Locations", "HistoricalLocations", "Datastreams", "Sensors",
    "ObservedProperties", "Observations", "FeaturesOfInterest",
)  # fmt: skip
POINT = {"type": "Point", "coordinates": [115.98, 36.45]}


def counts(client: TestClient, admin: dict[str, str]) -> dict[str, int]:
    """How many entities of each set there are (as the admin sees them)."""
    return {
        name: client.get(f"{ROOT}/{name}?$count=true&$top=0", headers=admin).json()["@iot.count"]
        for name in SETS
    }


def bodies(fixture: Fixture) -> dict[str, dict[str, Any]]:
    """A body per entity set, linking what it must to the fixture's entities."""
    return {
        "Things": {
            "name": "聊城 rain gauge",
            "description": "雨量站",
            "properties": {"code": "R1"},
        },
        "Locations": {
            "name": "东昌湖",
            "description": "lake shore",
            "encodingType": "application/geo+json",
            "location": POINT,
        },
        "Sensors": {
            "name": "tipping bucket",
            "description": "0.5 mm",
            "encodingType": "application/pdf",
            "metadata": "http://example.org/bucket.pdf",
        },
        "ObservedProperties": {
            "name": "rainfall",
            "definition": "http://vocab.nerc.ac.uk/rainfall",
            "description": "precipitation",
        },
        "FeaturesOfInterest": {
            "name": "徒骇河 reach",
            "description": "river reach",
            "encodingType": "application/geo+json",
            "feature": POINT,
        },
        "Datastreams": {
            "name": "rainfall 5 min",
            "description": "rain",
            "unitOfMeasurement": {"name": "millimetre", "symbol": "mm", "definition": "ucum:mm"},
            "observationType": OM_MEASUREMENT,
            "Thing": {"@iot.id": fixture.things[0]},
            "Sensor": {"@iot.id": fixture.sensors[0]},
            "ObservedProperty": {"@iot.id": fixture.observed_properties[0]},
        },
        "Observations": {
            "phenomenonTime": "2024-06-01T08:00:00+08:00",
            "resultTime": "2024-06-01T08:00:05+08:00",
            "result": 12.5,
            "Datastream": {"@iot.id": fixture.datastreams[0]},
        },
        "HistoricalLocations": {
            "time": "2024-06-01T00:00:00Z",
            "Thing": {"@iot.id": fixture.things[1]},
            "Locations": [{"@iot.id": fixture.locations[1]}],
        },
    }


EXPECTED_BACK = {  # times come back in UTC
    "Observations": {
        "phenomenonTime": "2024-06-01T00:00:00Z",
        "resultTime": "2024-06-01T00:00:05Z",
    },
    "HistoricalLocations": {"time": "2024-06-01T00:00:00Z"},
}


@pytest.mark.parametrize("set_name", SETS)
def test_create_each_entity_type(
    client: TestClient,
    fixture: Fixture,
    steward: dict[str, str],
    admin: dict[str, str],
    set_name: str,
) -> None:
    body = bodies(fixture)[set_name]
    response = client.post(f"{ROOT}/{set_name}", json=body, headers=steward)
    new_id = created_id(response)
    assert response.headers["location"] == f"{BASE}/{set_name}({new_id})"
    assert response.json()["@iot.id"] == new_id
    assert response.json()["@iot.selfLink"] == response.headers["location"]
    stored = client.get(response.headers["location"], headers=admin).json()
    expected = {k: v for k, v in body.items() if not k[0].isupper()} | EXPECTED_BACK.get(
        set_name, {}
    )
    for key, value in expected.items():
        assert stored[key] == value, key
    for relation, link in body.items():
        if relation[0].isupper() and isinstance(link, dict):
            related = client.get(f"{response.headers['location']}/{relation}", headers=admin)
            assert related.json()["@iot.id"] == link["@iot.id"]


def test_deep_insert_creates_and_links_everything(
    client: TestClient, fixture: Fixture, admin: dict[str, str]
) -> None:
    t1, t2 = fixture.things
    thing = client.get(
        f"{ROOT}/Things({t1})?$expand=Datastreams($expand=Sensor,ObservedProperty)",
        headers=admin,
    ).json()
    assert thing["name"] == "thing 1" and thing["properties"] == {"reference": "first"}
    assert [d["name"] for d in thing["Datastreams"]] == ["datastream 1", "datastream 2"]
    assert [d["Sensor"]["name"] for d in thing["Datastreams"]] == ["sensor 1", "sensor 2"]
    second = client.get(
        f"{ROOT}/Things({t2})/Datastreams?$expand=ObservedProperty&$orderby=id", headers=admin
    ).json()["value"]
    # datastream 4 links ObservedProperty 2 of the first Thing by id
    assert second[1]["ObservedProperty"]["@iot.id"] == fixture.observed_properties[1]
    assert len(fixture.observed_properties) == 3


def test_links_by_id_ignore_the_fields_sent_along(
    client: TestClient, fixture: Fixture, steward: dict[str, str], admin: dict[str, str]
) -> None:
    d1 = fixture.datastreams[0]
    body = {
        "result": 12.34,
        "phenomenonTime": "2024-06-01T08:00:00+00:00",
        "Datastream": {"@iot.id": d1, "name": "renamed by the client?"},
    }
    observation = created_id(client.post(f"{ROOT}/Observations", json=body, headers=steward))
    assert (
        client.get(f"{ROOT}/Observations({observation})/Datastream", headers=admin).json()[
            "@iot.id"
        ]
        == d1
    )
    assert client.get(f"{ROOT}/Datastreams({d1})/name/$value", headers=admin).text == (
        "datastream 1"
    )


def invalid_thing(fixture: Fixture) -> dict[str, Any]:
    """A Thing whose second Datastream lacks its Sensor: it must fail as a whole."""
    good = bodies(fixture)["Datastreams"] | {"name": "good"}
    good.pop("Thing")
    bad = dict(good, name="bad")
    bad.pop("Sensor")
    return {
        "name": "half",
        "description": "fails half-way",
        "Locations": [bodies(fixture)["Locations"]],
        "Datastreams": [good, bad],
    }


@pytest.mark.parametrize(
    "make",
    [
        invalid_thing,
        lambda f: {**invalid_thing(f), "Datastreams": [{**invalid_thing(f)["Datastreams"][0],
                   "unitOfMeasurement": "mm"}]},
        lambda f: {**invalid_thing(f), "Datastreams": [{**invalid_thing(f)["Datastreams"][0],
                   "Sensor": {"@iot.id": 99999}}]},
        lambda f: {**invalid_thing(f), "Locations": [{"name": "x", "description": "y",
                   "encodingType": "application/geo+json", "location": {"type": "Pt"}}]},
    ],
    ids=["missing-sensor", "bad-unit", "missing-linked-sensor", "bad-geojson"],
)  # fmt: skip
def test_an_invalid_deep_insert_creates_nothing(
    client: TestClient,
    fixture: Fixture,
    steward: dict[str, str],
    admin: dict[str, str],
    make: Any,
) -> None:
    before = counts(client, admin)
    response = client.post(f"{ROOT}/Things", json=make(fixture), headers=steward)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"]
    assert counts(client, admin) == before


@pytest.mark.parametrize(
    ("set_name", "body"),
    [
        ("Things", {"name": "x"}),  # description is mandatory
        ("Things", {"name": 5, "description": "x"}),
        ("Things", {"name": "x", "description": "y", "colour": "red"}),
        ("Things", {"name": "x", "description": "y", "properties": [1]}),
        ("Things", [{"name": "x", "description": "y"}]),
        ("Things", "thing"),
        ("Things", {"name": "x", "description": "y", "Datastreams": {"@iot.id": 1}}),
        ("Observations", {"result": 1}),  # no Datastream
        ("Observations", {"result": 1, "Datastream": {"@iot.id": 99999}}),
        ("Observations", {"result": 1, "Datastream": {"@iot.id": "one"}}),
        ("Observations", {"result": "high", "Datastream": {"@iot.id": "DS1"}}),
        ("Observations", {"result": 1, "phenomenonTime": "now", "Datastream": {"@iot.id": "DS1"}}),
        ("Locations", {"name": "x", "description": "y", "encodingType": "application/geo+json"}),
        ("Datastreams", {"name": "x", "description": "y"}),
    ],
)  # fmt: skip
def test_invalid_posts_are_refused(
    client: TestClient,
    fixture: Fixture,
    steward: dict[str, str],
    admin: dict[str, str],
    set_name: str,
    body: Any,
) -> None:
    if isinstance(body, dict) and body.get("Datastream") == {"@iot.id": "DS1"}:
        body = body | {"Datastream": {"@iot.id": fixture.datastreams[0]}}
    before = counts(client, admin)
    response = client.post(f"{ROOT}/{set_name}", json=body, headers=steward)
    assert response.status_code == 400, response.text
    assert set(response.json()["error"]) == {"code", "message", "details"}
    assert counts(client, admin) == before


@pytest.mark.parametrize(
    ("raw", "position"),
    [(b'{"name": "x",', 13), (b"{'name': 1}", 1), (b'{"name": "x"} trailing', 14), (b"", 0)],
)
def test_malformed_json_names_the_position(
    client: TestClient, steward: dict[str, str], raw: bytes, position: int
) -> None:
    headers = steward | {"Content-Type": "application/json"}
    response = client.post(f"{ROOT}/Things", content=raw, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["position"] == position


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "x", "description": "y", "properties": {"v": NaN}}',
        b'{"name": "x", "description": "y", "properties": {"v": -Infinity}}',
        b'{"name": "x", "description": "\xff"}',
        '{"name": "x", "description": "y"}'.encode("utf-16"),
    ],
)
def test_bodies_that_are_not_json_are_refused(
    client: TestClient, fixture: Fixture, steward: dict[str, str], admin: dict[str, str], raw: bytes
) -> None:
    before = counts(client, admin)
    headers = steward | {"Content-Type": "application/json"}
    response = client.post(f"{ROOT}/Things", content=raw, headers=headers)
    assert response.status_code == 400, response.text
    assert counts(client, admin) == before


def test_create_through_a_navigation_link(
    client: TestClient, fixture: Fixture, steward: dict[str, str], admin: dict[str, str]
) -> None:
    t1 = fixture.things[0]
    location = created_id(
        client.post(f"{ROOT}/Things({t1})/Locations", json=bodies(fixture)["Locations"],
                    headers=steward)
    )  # fmt: skip
    assert location in ids(client, f"Things({t1})/Locations", admin)
    newest = values(client, f"Things({t1})/HistoricalLocations?$orderby=time desc&$top=1"
                    "&$expand=Locations", admin)  # fmt: skip
    assert [loc["@iot.id"] for loc in newest[0]["Locations"]] == [location]
    missing = client.post(
        f"{ROOT}/Things(99999)/Locations", json=bodies(fixture)["Locations"], headers=steward
    )
    assert missing.status_code == 404


def test_historical_locations_follow_location_changes(
    client: TestClient, fixture: Fixture, admin: dict[str, str]
) -> None:
    for thing, now_at, was_at in (
        (fixture.things[0], fixture.locations[1], fixture.locations[0]),
        (fixture.things[1], fixture.locations[0], fixture.locations[1]),
    ):
        history = values(
            client, f"Things({thing})/HistoricalLocations?$orderby=time,id&$expand=Locations", admin
        )
        assert [[loc["@iot.id"] for loc in h["Locations"]] for h in history] == [[was_at], [now_at]]
        assert ids(client, f"Things({thing})/Locations", admin) == [now_at]


def test_features_of_interest_come_from_the_thing_location(
    client: TestClient, fixture: Fixture, steward: dict[str, str], admin: dict[str, str]
) -> None:
    d1 = fixture.datastreams[0]
    url = f"{ROOT}/Datastreams({d1})/Observations"
    first = created_id(client.post(url, json={"result": 1}, headers=steward))
    second = created_id(client.post(url, json={"result": 2}, headers=steward))
    features = [
        client.get(f"{ROOT}/Observations({o})/FeatureOfInterest", headers=admin).json()
        for o in (first, second)
    ]
    assert features[0]["@iot.id"] == features[1]["@iot.id"]  # made once, then reused
    location = client.get(f"{ROOT}/Things({fixture.things[0]})/Locations", headers=admin).json()
    assert features[0]["feature"] == location["value"][0]["location"]
    observation = client.get(f"{ROOT}/Observations({first})", headers=admin).json()
    assert observation["phenomenonTime"]  # set to the server's time when absent
    assert observation["resultTime"] is None


@pytest.mark.parametrize(
    ("role", "status"),
    [("public", 401), ("analyst", 403), ("other", 403), ("steward", 201), ("admin", 201)],
)
def test_who_may_write_a_department_s_observations(
    client: TestClient,
    fixture: Fixture,
    who: dict[str, dict[str, str]],
    role: str,
    status: int,
) -> None:
    url = f"{ROOT}/Datastreams({fixture.datastreams[0]})/Observations"
    response = client.post(url, json={"result": 7}, headers=who[role])
    assert response.status_code == status, response.text


def test_a_station_account_writes_with_basic_auth(
    client: TestClient, db: Database, fixture: Fixture, admin: dict[str, str]
) -> None:
    from datetime import timedelta

    from cityhub import auth
    from tests.conftest import PASSWORD
    from tests.sensing.sta.conformance.fixtures import basic

    system = auth.Actor.system()
    auth.create_user(
        db, system, username="slj.station.01", password=PASSWORD, department_code="SLJ",
        role=auth.Role.STATION,
    )  # fmt: skip
    secret = auth.create_token(
        db, system, name="gauge", lifetime=timedelta(days=1), username="slj.station.01"
    ).secret
    url = f"{ROOT}/Datastreams({fixture.datastreams[0]})/Observations"
    response = client.post(url, json={"result": 7}, headers=basic("slj.station.01", secret))
    assert response.status_code == 201, response.text
