"""The real ``frost-sta-client`` (FraunhoferIOSB's Python client) against a real server.

uvicorn serves the app on a free local port; the client authenticates with HTTP Basic — a
user name and one of that user's API tokens — creates a station (Thing with Location),
Datastreams with Sensor and ObservedProperty, and Observations, reads them back with
filter/orderby/expand and ``find``, changes them with ``update`` (PUT) and ``patch`` (JSON
Patch), deletes, and sends a DataArray through ``CreateObservations``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import frost_sta_client as fsc  # type: ignore[import-untyped]  # ships no type information
import geojson  # type: ignore[import-untyped]
import pytest
import requests
import uvicorn

from cityhub.config import Settings
from cityhub.db import Database
from tests.conftest import People
from tests.sensing.sta.conformance.fixtures import api_tokens, sta_app

# The client calls furl's deprecated ``pathstr``; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:furl.pathstr is deprecated:DeprecationWarning")
OM_MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
START = datetime(2024, 7, 20, 8, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(settings: Settings, db: Database) -> Iterator[str]:
    """The app served over real HTTP by uvicorn in a thread; its SensorThings root URL."""
    port = _free_port()
    config = uvicorn.Config(sta_app(settings, db), host="127.0.0.1", port=port, log_level="warning")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not runner.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/sta/v1.1"
    runner.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def service(server: str, db: Database, people: People) -> Any:
    """The client as 水利局's steward: Basic auth with an API token as the password."""
    token = api_tokens(db)["steward"]
    return fsc.SensorThingsService(
        server, auth_handler=fsc.AuthHandler(username=people.steward, password=token)
    )


def status_of(error: requests.exceptions.HTTPError) -> int:
    assert error.response is not None
    return error.response.status_code


def station(service: Any) -> Any:
    """A water-level station of 徒骇河 with its Location, created by deep insert."""
    location = fsc.Location(
        name="徒骇河聊城站",
        description="left bank gauge",
        location=geojson.Point((115.98, 36.45)),
        encoding_type="application/geo+json",
    )
    thing = fsc.Thing(
        name="徒骇河聊城水文站",
        description="water level station",
        properties={"code": "41800100", "river": "徒骇河"},
    )
    thing.locations = [location]
    service.create(thing)
    return thing


def datastream(service: Any, thing: Any, name: str, symbol: str) -> Any:
    stream = fsc.Datastream(
        name=name,
        description=f"{name} of {thing.name}",
        observation_type=OM_MEASUREMENT,
        unit_of_measurement=fsc.UnitOfMeasurement(name=name, symbol=symbol, definition="ucum"),
    )
    stream.thing = thing
    stream.sensor = fsc.Sensor(
        name=f"{name} sensor",
        description="radar gauge",
        encoding_type="application/pdf",
        metadata="http://example.org/radar.pdf",
    )
    stream.observed_property = fsc.ObservedProperty(
        name=name, definition=f"http://example.org/{symbol}", description=name
    )
    service.create(stream)
    return stream


def test_the_client_creates_and_reads_back_a_station(service: Any) -> None:
    thing = station(service)
    assert isinstance(thing.id, int)
    level = datastream(service, thing, "water level", "m")
    rain = datastream(service, thing, "rainfall", "mm")
    for hour in range(6):
        moment = START + timedelta(hours=hour)
        service.create(
            fsc.Observation(result=30.0 + hour / 2, phenomenon_time=moment, datastream=level)
        )
        service.create(fsc.Observation(result=float(hour), phenomenon_time=moment, datastream=rain))

    found = service.things().find(thing.id)
    assert found.name == "徒骇河聊城水文站"
    assert found.properties == {"code": "41800100", "river": "徒骇河"}

    high = (
        service.observations()
        .query()
        .filter(f"result gt 31 and Datastream/id eq {level.id}")
        .orderby("phenomenonTime", "DESC")
        .expand("Datastream($select=name)")
        .top(2)
        .list()
    )
    results = [(o.result, o.datastream.name) for o in high]  # iterating follows nextLink
    assert results == [(32.5, "water level"), (32.0, "water level"), (31.5, "water level")]

    counted = level.get_observations().query().filter("result lt 31").count().list()
    assert sorted(o.result for o in counted) == [30.0, 30.5]
    assert counted.count == 2

    streams = thing_streams(service, thing)
    assert sorted(streams) == ["rainfall", "water level"]

    located = (
        service.things()
        .query()
        .filter("geo.distance(Locations/location, geography'POINT(115.98 36.45)') lt 0.01")
        .list()
    )
    assert [t.id for t in located] == [thing.id]


def thing_streams(service: Any, thing: Any) -> list[str]:
    fetched = (
        service.things()
        .query()
        .filter(f"id eq {thing.id}")
        .expand("Datastreams($orderby=name asc)")
        .list()
    )
    (only,) = list(fetched)
    return [d.name for d in only.datastreams]


def test_the_client_updates_patches_and_deletes(service: Any, server: str) -> None:
    thing = station(service)
    level = datastream(service, thing, "water level", "m")
    observation = fsc.Observation(result=1.0, phenomenon_time=START, datastream=level)
    service.create(observation)

    fetched = service.things().find(thing.id)
    fetched.description = "moved to the right bank"
    service.update(fetched)  # PUT with the full state
    assert service.things().find(thing.id).description == "moved to the right bank"

    service.things().patch(
        fetched, [{"op": "replace", "path": "/properties/code", "value": "41800200"}]
    )  # RFC 6902
    assert service.things().find(thing.id).properties["code"] == "41800200"

    service.delete(observation)
    with pytest.raises(requests.exceptions.HTTPError) as missing:
        service.observations().find(observation.id)
    assert status_of(missing.value) == 404

    service.delete(fetched)
    with pytest.raises(requests.exceptions.HTTPError):
        service.datastreams().find(level.id)  # went with its Thing


def test_the_client_sends_a_data_array(service: Any) -> None:
    thing = station(service)
    rain = datastream(service, thing, "rainfall", "mm")
    value = fsc.DataArrayValue()
    value.datastream = rain
    value.components = {
        fsc.DataArrayValue.Property.PHENOMENON_TIME,
        fsc.DataArrayValue.Property.RESULT,
    }
    for minute in range(0, 60, 5):  # an SL 651 hourly report: twelve five-minute values
        moment = START + timedelta(minutes=minute)
        value.add_observation(fsc.Observation(phenomenon_time=moment, result=minute / 10))
    document = fsc.DataArrayDocument()
    document.value.append(value)
    created = service.observations().create(document)
    assert len(created) == 12
    assert all(o.self_link.startswith(service.url.url) for o in created)
    stored = rain.get_observations().query().orderby("phenomenonTime", "ASC").list()
    assert [o.result for o in stored] == [minute / 10 for minute in range(0, 60, 5)]


def test_wrong_credentials_are_refused(server: str, people: People) -> None:
    intruder = fsc.SensorThingsService(
        server, auth_handler=fsc.AuthHandler(username=people.steward, password="guess")
    )
    with pytest.raises(requests.exceptions.HTTPError) as refused:
        intruder.create(fsc.Thing(name="x", description="y"))
    assert status_of(refused.value) == 401
    assert refused.value.response is not None
    assert refused.value.response.headers["WWW-Authenticate"].startswith("Basic")
