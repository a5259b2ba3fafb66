"""Fixtures of the conformance suite: the API over the test client, credentials, and the
OGC test suite's "thing 1 / thing 2" network created through the API itself (deep insert)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub import auth
from cityhub.config import Settings
from cityhub.db import Database, upgrade
from tests.conftest import (
    ADMIN_PASSWORD,
    ON_POSTGRES,
    PASSWORD,
    People,
    postgres_schema_url,
)
from tests.sensing.sta.conformance.fixtures import (
    ROOT,
    api_tokens,
    basic,
    bearer,
    role_headers,
    sta_client,
    values,
)
from tests.sensing.sta.conformance.seed import THING_1, observation_body, thing_2


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """The API, in process."""
    with sta_client(settings, db) as test_client:
        yield test_client


@pytest.fixture
def tokens(db: Database, people: People) -> dict[str, str]:
    """API token secrets per role."""
    return api_tokens(db)


@pytest.fixture
def who(tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    """Authorization headers per role ("public": none)."""
    return role_headers(tokens)


@pytest.fixture
def steward(tokens: dict[str, str]) -> dict[str, str]:
    """水利局's steward over HTTP Basic, as SensorThings clients send it."""
    return basic("slj.steward", tokens["steward"])


@pytest.fixture
def admin(tokens: dict[str, str]) -> dict[str, str]:
    """The admin's Bearer headers (sees everything)."""
    return bearer(tokens["admin"])


@dataclass(frozen=True)
class Fixture:
    """Ids of the network made by ``fixture``, each list in creation order."""

    things: list[int]
    locations: list[int]
    datastreams: list[int]
    sensors: list[int]
    observed_properties: list[int]
    observations: list[int]
    historical_locations: list[int]
    features: list[int]


def created_id(response: Any) -> int:
    """The id in the ``Location`` header of a 201 response."""
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    return int(location[location.rindex("(") + 1 : location.rindex(")")])


def make_fixture(client: TestClient, headers: dict[str, str]) -> Fixture:
    """Capability3Tests.createEntities: two Things by deep insert, twelve Observations, then
    each Thing moved to the other's Location (HistoricalLocations follow)."""
    thing_1 = created_id(client.post(f"{ROOT}/Things", json=THING_1, headers=headers))
    streams_1 = ids(client, f"Things({thing_1})/Datastreams", headers)
    op_2 = client.get(f"{ROOT}/Datastreams({streams_1[1]})/ObservedProperty", headers=headers)
    body_2 = thing_2(op_2.json()["@iot.id"])
    thing_2_id = created_id(client.post(f"{ROOT}/Things", json=body_2, headers=headers))
    streams = streams_1 + ids(client, f"Things({thing_2_id})/Datastreams", headers)
    observations = []
    for n in range(1, 13):
        stream = streams[(n - 1) // 3]
        url = f"{ROOT}/Datastreams({stream})/Observations"
        observations.append(created_id(client.post(url, json=observation_body(n), headers=headers)))
    locations = [ids(client, f"Things({t})/Locations", headers)[0] for t in (thing_1, thing_2_id)]
    for thing, location in ((thing_1, locations[1]), (thing_2_id, locations[0])):
        patched = client.patch(
            f"{ROOT}/Things({thing})", json={"Locations": [{"@iot.id": location}]}, headers=headers
        )
        assert patched.status_code == 200, patched.text
    sensors = [
        client.get(f"{ROOT}/Datastreams({d})/Sensor", headers=headers).json()["@iot.id"]
        for d in streams
    ]
    return Fixture(
        things=[thing_1, thing_2_id],
        locations=locations,
        datastreams=streams,
        sensors=sensors,
        observed_properties=ids(client, "ObservedProperties?$orderby=id", headers),
        observations=observations,
        historical_locations=ids(client, "HistoricalLocations?$orderby=id", headers),
        features=ids(client, "FeaturesOfInterest?$orderby=id", headers),
    )


def ids(client: TestClient, path: str, headers: dict[str, str]) -> list[int]:
    """The ids of a collection, in the order served."""
    return [item["@iot.id"] for item in values(client, path, headers)]


@pytest.fixture
def fixture(client: TestClient, steward: dict[str, str]) -> Fixture:
    """The network, created by 水利局's steward (so it belongs to 水利局)."""
    return make_fixture(client, steward)


@dataclass(frozen=True)
class Shared:
    """One API with the fixture network for a whole module of read-only tests."""

    client: TestClient
    db: Database
    settings: Settings
    tokens: dict[str, str]
    who: dict[str, dict[str, str]]
    fixture: Fixture

    @property
    def admin(self) -> dict[str, str]:
        """The admin's headers."""
        return self.who["admin"]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    """A database, users, tokens and the fixture network made once per module: the read-only
    suites would otherwise spend most of their time migrating databases. Tests using it must
    not change data."""
    directory = tmp_path_factory.mktemp("sta")
    with ExitStack() as stack:
        if ON_POSTGRES:
            url = stack.enter_context(contextmanager(postgres_schema_url)())
        else:
            url = f"sqlite:///{directory / 'cityhub.db'}"
        settings = Settings(
            data_dir=directory,
            database_url=url,
            secret_key="test-secret-key",
            admin_password=ADMIN_PASSWORD,
            derived_scheduler_seconds=0,
            sl651_port=0,
            mqtt_port=0,  # no broker: a fixed port would collide with a running platform
        )
        db = Database(settings.database_url_effective)
        stack.callback(db.dispose)
        upgrade(db)
        auth.bootstrap(db, admin_password=ADMIN_PASSWORD)
        for username, department, role in (
            ("slj.steward", "SLJ", auth.Role.STEWARD),
            ("slj.analyst", "SLJ", auth.Role.ANALYST),
            ("nyncj.steward", "NYNCJ", auth.Role.STEWARD),
        ):
            auth.create_user(
                db,
                auth.Actor.system(),
                username=username,
                password=PASSWORD,
                department_code=department,
                role=role,
            )
        client = stack.enter_context(sta_client(settings, db))
        tokens = api_tokens(db)
        who = role_headers(tokens)
        network = make_fixture(client, basic("slj.steward", tokens["steward"]))
        yield Shared(client, db, settings, tokens, who, network)
