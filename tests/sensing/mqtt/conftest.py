"""Fixtures of the MQTT tests: two departments' stations with Datastreams, a station account
with an API token, and paho clients; the skip rule for the external Mosquitto broker."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select, update

from cityhub import auth
from cityhub.db import Database
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    Location,
    Observation,
    ObservedProperty,
    Sensor,
    Thing,
    ThingLocation,
)
from cityhub.sensing.sta.values import OM_COUNT, OM_MEASUREMENT, OM_TRUTH
from tests.conftest import People

MOSQUITTO = ("127.0.0.1", 1883)
SERVICE_ROOT = "http://testserver/sta/v1.1"


@dataclass(frozen=True)
class Network:
    """What the fixtures made: ids of Datastreams, a FeatureOfInterest, station credentials."""

    level: int  # SLJ, OM_Measurement, shared unconditionally (无条件共享)
    count: int  # SLJ, OM_CountObservation
    flag: int  # SLJ, OM_TruthObservation
    private: int  # SLJ, 不予共享: only SLJ (and admins) read it
    other: int  # NYNCJ's Datastream
    public: int  # SLJ, open to the public
    feature: int
    station: tuple[str, str]  # SLJ station account: (user name, API token)
    other_station: tuple[str, str]  # NYNCJ station account
    analyst: tuple[str, str]  # slj.analyst: reads, does not write
    outsider: tuple[str, str]  # nyncj.steward: writes NYNCJ's data only


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _thing(db: Database, department: str, name: str) -> int:
    with db.transaction() as session:
        department_id = auth.departments.department_by_code(session, department).id
        thing = Thing(name=name, description=name, department_id=department_id)
        location = Location(
            name=name,
            description=name,
            encoding_type="application/geo+json",
            location={"type": "Point", "coordinates": [115.98, 36.45]},
            x=115.98,
            y=36.45,
        )
        session.add_all([thing, location])
        session.flush()
        session.add(ThingLocation(thing_id=thing.id, location_id=location.id))
        return thing.id


def _datastream(
    db: Database,
    thing_id: int,
    observation_type: str,
    share: str = "unconditional",
    public: bool = False,
) -> int:
    with db.transaction() as session:
        sensor = Sensor(name="gauge", description="gauge", encoding_type="text/html", metadata_="x")
        observed = ObservedProperty(name="level", definition="urn:level", description="level")
        session.add_all([sensor, observed])
        session.flush()
        stream = Datastream(
            name="stream",
            description="stream",
            unit_of_measurement={"name": "metre", "symbol": "m", "definition": "urn:m"},
            observation_type=observation_type,
            thing_id=thing_id,
            sensor_id=sensor.id,
            observed_property_id=observed.id,
            share_type=share,
            open_to_public=public,
        )
        session.add(stream)
        session.flush()
        return stream.id


def _token(db: Database, username: str) -> tuple[str, str]:
    issued = auth.create_token(
        db, auth.Actor.system(), name="mqtt", lifetime=timedelta(days=1), username=username
    )
    return username, issued.secret


def _station(db: Database, username: str, department: str) -> tuple[str, str]:
    system = auth.Actor.system()
    user = auth.create_user(
        db,
        system,
        username=username,
        password="station-password-123",
        department_code=department,
        role=auth.Role.STEWARD,
    )
    # create_user offers no station role (yet): make the account a station directly.
    with db.transaction() as session:
        session.execute(
            update(auth.User).where(auth.User.id == user.id).values(role=auth.Role.STATION.value)
        )
    return _token(db, username)


@pytest.fixture
def network(db: Database, people: People) -> Network:
    """Stations of SLJ and NYNCJ with Datastreams, and a station account of each."""
    slj = _thing(db, "SLJ", "聊城水文站")
    nyncj = _thing(db, "NYNCJ", "墒情站")
    with db.transaction() as session:
        feature = FeatureOfInterest(
            name="徒骇河",
            description="reach",
            encoding_type="application/geo+json",
            feature={"type": "Point", "coordinates": [116.0, 36.4]},
        )
        session.add(feature)
        session.flush()
        feature_id = feature.id
    return Network(
        level=_datastream(db, slj, OM_MEASUREMENT),
        count=_datastream(db, slj, OM_COUNT),
        flag=_datastream(db, slj, OM_TRUTH),
        private=_datastream(db, slj, OM_MEASUREMENT, share="none"),
        other=_datastream(db, nyncj, OM_MEASUREMENT),
        public=_datastream(db, slj, OM_MEASUREMENT, public=True),
        feature=feature_id,
        station=_station(db, "slj.station", "SLJ"),
        other_station=_station(db, "nyncj.station", "NYNCJ"),
        analyst=_token(db, people.analyst),
        outsider=_token(db, people.other_steward),
    )


def observation_count(db: Database, datastream_id: int | None = None) -> int:
    """Observations stored (of one Datastream)."""
    query = select(func.count()).select_from(Observation)
    if datastream_id is not None:
        query = query.where(Observation.datastream_id == datastream_id)
    with db.reading() as session:
        return int(session.scalar(query) or 0)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@dataclass
class Client:
    """A paho client that records what it receives."""

    paho: mqtt.Client
    connected: threading.Event = field(default_factory=threading.Event)
    refused: threading.Event = field(default_factory=threading.Event)
    granted: list[int] = field(default_factory=list)
    messages: list[tuple[str, Any]] = field(default_factory=list)
    subscribed: threading.Event = field(default_factory=threading.Event)

    def subscribe(self, topic: str, qos: int = 1) -> int:
        """Subscribe and wait for the SUBACK; returns the granted QoS (128: refused)."""
        self.subscribed.clear()
        self.paho.subscribe(topic, qos)
        assert self.subscribed.wait(5), "no SUBACK"
        return self.granted[-1]

    def publish(self, topic: str, payload: Any, qos: int = 1) -> None:
        """Publish (bytes as they are, anything else as JSON) and wait until the broker has it
        (PUBACK for QoS 1)."""
        if not isinstance(payload, bytes):
            payload = json.dumps(payload)
        info = self.paho.publish(topic, payload, qos)
        info.wait_for_publish(5)

    def received(self, topic: str | None = None) -> list[Any]:
        """Payloads received (on ``topic``), decoded as JSON."""
        return [body for t, body in list(self.messages) if topic is None or t == topic]


ClientFactory = Callable[..., Client]


@pytest.fixture
def mqtt_client() -> Iterator[ClientFactory]:
    """Make connected paho clients (closed after the test)."""
    made: list[Client] = []

    def connect(
        port: int,
        credentials: tuple[str, str] | None = None,
        client_id: str = "",
        host: str = "127.0.0.1",
        expect_refusal: bool = False,
        inflight: int = 20,
    ) -> Client:
        paho = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        paho.max_inflight_messages_set(inflight)
        client = Client(paho)

        def on_connect(c: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
            (client.refused if reason.is_failure else client.connected).set()

        def on_subscribe(c: Any, userdata: Any, mid: Any, reasons: Any, props: Any) -> None:
            client.granted.extend(r.value for r in reasons)
            client.subscribed.set()

        def on_message(c: Any, userdata: Any, message: mqtt.MQTTMessage) -> None:
            client.messages.append((message.topic, json.loads(message.payload)))

        paho.on_connect = on_connect
        paho.on_subscribe = on_subscribe
        paho.on_message = on_message
        if credentials is not None:
            paho.username_pw_set(*credentials)
        paho.connect(host, port)
        paho.loop_start()
        made.append(client)
        deadline = time.monotonic() + 5
        while not (client.connected.is_set() or client.refused.is_set()):
            assert time.monotonic() < deadline, "no CONNACK"
            time.sleep(0.01)
        assert client.refused.is_set() == expect_refusal
        return client

    yield connect
    for client in made:
        client.paho.disconnect()
        client.paho.loop_stop()


def mosquitto_or_skip() -> None:
    """Skip when no Mosquitto answers on 127.0.0.1:1883 — except in CI (``CI=true``), where
    .ci/run provides one and its absence is a failure."""
    try:
        with socket.create_connection(MOSQUITTO, timeout=1):
            return
    except OSError as error:
        reason = f"no MQTT broker answers on {MOSQUITTO[0]}:{MOSQUITTO[1]} ({error})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the MQTT tests against Mosquitto")
    pytest.skip(reason)  # -ra (pyproject) prints the reason in the summary
