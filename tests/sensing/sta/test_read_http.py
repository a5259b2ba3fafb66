"""The read side over HTTP: the root, resource paths 1–8, visibility, credentials, errors.

Data comes from ``seed_rows`` (straight into the tables), so these tests need no write API.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.sensing.sta.root import CONFORMANCE
from tests.conftest import PASSWORD, People
from tests.sensing.sta.conformance.fixtures import (
    ROOT,
    api_tokens,
    basic,
    bearer,
    role_headers,
    sta_client,
    values,
)
from tests.sensing.sta.conformance.seed import Network, seed_rows

BASE = "http://testserver/sta/v1.1"
POINT_1 = {"type": "Point", "coordinates": [-117.05, 51.05]}


@pytest.fixture
def network(db: Database, people: People) -> Network:
    return seed_rows(db)


@pytest.fixture
def tokens(db: Database, people: People) -> dict[str, str]:
    return api_tokens(db)


@pytest.fixture
def who(tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    return role_headers(tokens)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with sta_client(settings, db) as test_client:
        yield test_client


def test_the_root_lists_the_entity_sets_and_conformance(client: TestClient) -> None:
    for url in (ROOT, f"{ROOT}/"):
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        assert [item["name"] for item in body["value"]] == [
            "Things", "Locations", "HistoricalLocations", "Datastreams", "Sensors",
            "ObservedProperties", "Observations", "FeaturesOfInterest",
        ]  # fmt: skip
        assert body["value"][3]["url"] == f"{BASE}/Datastreams"
        assert body["serverSettings"]["conformance"] == list(CONFORMANCE)


def test_links_use_the_public_url_when_set(
    settings: Settings, db: Database, network: Network
) -> None:
    public = settings.model_copy(update={"public_url": "https://data.example.cn/"})
    with sta_client(public, db) as client:
        thing = client.get(f"{ROOT}/Things({network.things[0]})").json()
        root = client.get(ROOT).json()
    assert thing["@iot.selfLink"] == f"https://data.example.cn/sta/v1.1/Things({network.things[0]})"
    assert root["value"][0]["url"] == "https://data.example.cn/sta/v1.1/Things"


def test_an_entity_by_id(client: TestClient, network: Network) -> None:
    ds = network.datastreams[0]
    body = client.get(f"{ROOT}/Datastreams({ds})").json()
    assert body["@iot.id"] == ds
    assert body["@iot.selfLink"] == f"{BASE}/Datastreams({ds})"
    assert body["Thing@iot.navigationLink"] == f"{BASE}/Datastreams({ds})/Thing"
    assert body["unitOfMeasurement"]["symbol"] == "lm"
    assert body["phenomenonTime"] == "2015-03-01T00:00:00Z/2015-03-03T00:00:00Z"
    assert body["resultTime"] is None
    quoted = client.get(f"{ROOT}/Datastreams('{ds}')").json()
    assert quoted == body


def test_observation_properties(client: TestClient, network: Network) -> None:
    body = client.get(f"{ROOT}/Observations({network.observations[0]})").json()
    assert body["result"] == 1
    assert body["phenomenonTime"] == "2015-03-01T00:00:00Z"
    assert body["resultTime"] == "2015-03-01T01:00:00Z"
    assert body["parameters"] == {"n": 1}
    assert body["validTime"] is None and body["resultQuality"] is None
    sensor = client.get(f"{ROOT}/Sensors({network.sensors[0]})").json()
    assert sensor["metadata"] == "sensor 1 metadata"


@pytest.mark.parametrize(
    ("path", "status", "expected"),
    [
        ("Observations({o1})/resultTime", 200, {"resultTime": "2015-03-01T01:00:00Z"}),
        ("Observations({o2})/resultTime", 204, None),  # a null property
        ("Observations({o1})/result", 200, {"result": 1}),
        ("Things({t1})/properties", 200, {"properties": {"reference": "first"}}),
        ("Things({t1})/properties/reference", 200, {"reference": "first"}),
        ("Things({t1})/properties/missing", 404, None),
        ("Datastreams({d1})/unitOfMeasurement/name", 200, {"name": "Lumen"}),
        ("Datastreams({d1})/Observations({o1})/result", 200, {"result": 1}),
        ("Locations({l1})/location", 200, {"location": POINT_1}),
    ],
)  # fmt: skip
def test_properties(
    client: TestClient, network: Network, path: str, status: int, expected: object
) -> None:
    response = client.get(f"{ROOT}/{fill(path, network)}")
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json() == expected
    if status == 204:
        assert response.content == b""


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("Observations({o1})/resultTime/$value", "2015-03-01T01:00:00Z"),
        ("Observations({o1})/result/$value", "1"),
        ("Things({t1})/name/$value", "thing 1"),
        ("Things({t1})/properties/reference/$value", "first"),
        ("Things({t1})/properties/$value", '{"reference": "first"}'),
    ],
)
def test_raw_values_are_plain_text(
    client: TestClient, network: Network, path: str, text: str
) -> None:
    response = client.get(f"{ROOT}/{fill(path, network)}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == text


def test_a_null_raw_value_is_no_content(client: TestClient, network: Network) -> None:
    response = client.get(f"{ROOT}/Observations({network.observations[1]})/resultTime/$value")
    assert response.status_code == 204


def test_navigation_to_many_and_to_one(client: TestClient, network: Network) -> None:
    d1 = network.datastreams[0]
    observations = values(client, f"Datastreams({d1})/Observations")
    assert [o["result"] for o in observations] == [1, 2, 3]
    thing = client.get(f"{ROOT}/Datastreams({d1})/Thing").json()
    assert thing["@iot.id"] == network.things[0]
    locations = values(client, f"Things({network.things[0]})/Locations")
    assert [loc["@iot.id"] for loc in locations] == [network.locations[0]]
    feature = client.get(
        f"{ROOT}/Datastreams({d1})/Observations({network.observations[0]})/FeatureOfInterest"
    ).json()
    assert feature["@iot.id"] == network.features[0]
    deep = values(
        client, f"Locations({network.locations[0]})/Things({network.things[0]})/Datastreams"
    )
    assert [d["@iot.id"] for d in deep] == [d1]


def test_an_entity_outside_its_parent_is_not_found(client: TestClient, network: Network) -> None:
    d1, o7 = network.datastreams[0], network.observations[6]
    response = client.get(f"{ROOT}/Datastreams({d1})/Observations({o7})")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_association_links(client: TestClient, network: Network) -> None:
    d1 = network.datastreams[0]
    response = client.get(f"{ROOT}/Datastreams({d1})/Observations/$ref")
    assert response.json() == {
        "value": [{"@iot.selfLink": f"{BASE}/Observations({o})"} for o in network.observations[:3]]
    }
    thing = client.get(f"{ROOT}/Datastreams({d1})/Thing/$ref").json()
    assert thing == {"@iot.selfLink": f"{BASE}/Things({network.things[0]})"}
    counted = client.get(f"{ROOT}/Datastreams({d1})/Observations/$ref?$count=true&$top=1").json()
    assert counted["@iot.count"] == 3 and len(counted["value"]) == 1
    assert "$ref" in counted["@iot.nextLink"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("Nothing", 404),
        ("Things(999999)", 404),
        ("Things('x')", 404),
        ("Things(x)", 400),
        ("Things(1)/Nothing", 404),
        ("Things/name", 404),
        ("Things(99999)/Datastreams", 404),
        ("Datastreams(99999)/Thing", 404),
        ("Things?$foo=1", 501),
        ("Things?$count=maybe", 400),
        ("Things?$top=1&$TOP=2", 400),
        ("Things?$top=-1", 400),
        ("Things?$select=nme", 400),
        ("Things?$expand=Nothing", 400),
        ("Things?$resultFormat=dataArray", 400),
        ("Observations?$resultFormat=GeoJSON", 400),
        ("Observations?$resultFormat=dataArray&$expand=Datastream", 400),
    ],
)
def test_errors_come_in_the_envelope(
    client: TestClient, network: Network, path: str, status: int
) -> None:
    response = client.get(f"{ROOT}/{path}")
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    if status == 501:
        assert error["code"] == "not_implemented" and error["details"]["option"] == "$foo"


def test_other_parameters_are_ignored(client: TestClient, network: Network) -> None:
    assert len(values(client, "Things?foo=bar&$top=5", {})) == 1  # public: thing 1 only


VISIBLE = {
    # role: Datastreams (by number), Things, Locations, Observations, FeaturesOfInterest
    "public": ({1}, {1}, {1}, 3, {1}),
    "analyst": ({1, 2, 3}, {1, 2}, {1, 2}, 9, {1, 2}),
    "other": ({1, 3, 4}, {1, 2}, {1, 2}, 9, {1, 2}),
    "steward": ({1, 2, 3}, {1, 2}, {1, 2}, 9, {1, 2}),
    "admin": ({1, 2, 3, 4}, {1, 2}, {1, 2}, 12, {1, 2}),
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_what_each_role_sees(
    client: TestClient, network: Network, who: dict[str, dict[str, str]], role: str
) -> None:
    headers = who[role]
    streams, things, locations, observations, features = VISIBLE[role]

    def numbers(path: str, ids: list[int]) -> set[int]:
        return {ids.index(item["@iot.id"]) + 1 for item in values(client, path, headers)}

    assert numbers("Datastreams", network.datastreams) == streams
    assert numbers("Things", network.things) == things
    assert numbers("Locations", network.locations) == locations
    assert numbers("FeaturesOfInterest", network.features) == features
    assert len(values(client, "Observations", headers)) == observations
    assert len(values(client, "HistoricalLocations", headers)) == len(things)
    assert len(values(client, "Sensors", headers)) == 4  # vocabulary: visible to all
    assert len(values(client, "ObservedProperties", headers)) == 3
    expanded = client.get(f"{ROOT}/Things?$expand=Datastreams", headers=headers).json()
    shown = {d["@iot.id"] for t in expanded["value"] for d in t["Datastreams"]}
    assert shown == {network.datastreams[n - 1] for n in streams}
    hidden = sorted(set(range(1, 5)) - streams)
    for n in hidden:
        ds = network.datastreams[n - 1]
        assert client.get(f"{ROOT}/Datastreams({ds})", headers=headers).status_code == 404
        assert (
            client.get(f"{ROOT}/Datastreams({ds})/Observations", headers=headers).status_code == 404
        )
        sensor = network.sensors[n - 1]
        linked = values(client, f"Sensors({sensor})/Datastreams", headers)
        assert linked == []


def test_public_cannot_reach_a_hidden_thing_through_a_visible_location(
    client: TestClient, network: Network
) -> None:
    l1 = network.locations[0]
    assert len(values(client, f"Locations({l1})/Things")) == 1
    response = client.get(f"{ROOT}/Things({network.things[1]})/Locations")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda t: bearer(t["analyst"]), 200),
        (lambda t: basic("slj.analyst", t["analyst"]), 200),
        (lambda t: basic("SLJ.Analyst ", t["analyst"]), 200),  # user names are normalised
        (lambda t: basic("slj.steward", t["analyst"]), 401),  # someone else's token
        (lambda t: basic("slj.analyst", PASSWORD), 401),  # a password is not a token
        (lambda t: basic("slj.analyst", ""), 401),
        (lambda t: {"Authorization": "Basic !!!"}, 401),
        (lambda t: {"Authorization": "Basic " + "bm9jb2xvbg=="}, 401),  # "nocolon"
        (lambda t: bearer("chk_not_a_token"), 401),
        (lambda t: {"Authorization": "Digest x"}, 401),
    ],
)
def test_credentials(
    client: TestClient, network: Network, tokens: dict[str, str], make: object, status: int
) -> None:
    headers = make(tokens)  # type: ignore[operator]
    response = client.get(f"{ROOT}/Datastreams({network.datastreams[1]})", headers=headers)
    assert response.status_code == status, response.text
    if status == 401:
        assert response.headers["WWW-Authenticate"] == 'Basic realm="cityhub SensorThings"'
        assert response.json()["error"]["code"] in {"not_authenticated"}


def test_writes_without_credentials_are_challenged(client: TestClient, network: Network) -> None:
    for method, path in [
        ("POST", "Things"),
        ("PATCH", f"Things({network.things[0]})"),
        ("PUT", f"Things({network.things[0]})"),
        ("DELETE", f"Things({network.things[0]})"),
        ("POST", "CreateObservations"),
    ]:
        response = client.request(method, f"{ROOT}/{path}", json={"name": "x"})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert client.get(f"{ROOT}/Things({network.things[0]})").json()["name"] == "thing 1"


def fill(path: str, network: Network) -> str:
    return path.format(
        o1=network.observations[0],
        o2=network.observations[1],
        t1=network.things[0],
        d1=network.datastreams[0],
        l1=network.locations[0],
    )
