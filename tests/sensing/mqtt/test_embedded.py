"""End to end through the embedded broker (amqtt) with real paho clients."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from cityhub.auth import actor_for_token
from cityhub.db import Database
from cityhub.errors import ConfigurationError
from cityhub.sensing.bus import Bus
from cityhub.sensing.ingest import ingest
from cityhub.sensing.mqtt import EmbeddedBroker
from cityhub.sensing.observations import NewObservation
from tests.sensing.mqtt.conftest import (
    SERVICE_ROOT,
    ClientFactory,
    Network,
    free_port,
    observation_count,
    wait_until,
)

WHEN = "2024-06-01T08:00:00Z"


@pytest.fixture
def broker(db: Database) -> Iterator[EmbeddedBroker]:
    running = EmbeddedBroker(db, Bus(), port=free_port(), service_root=SERVICE_ROOT)
    running.start()
    yield running
    running.stop()


def stream_topic(datastream_id: int) -> str:
    return f"v1.1/Datastreams({datastream_id})/Observations"


def test_a_station_publishes_and_a_subscriber_receives(
    broker: EmbeddedBroker, network: Network, mqtt_client: ClientFactory, db: Database
) -> None:
    watcher = mqtt_client(broker.port, network.analyst)
    topic = stream_topic(network.level)
    assert watcher.subscribe(topic) == 1
    station = mqtt_client(broker.port, network.station)
    station.publish(topic, {"result": 12.5, "phenomenonTime": WHEN})
    assert wait_until(lambda: len(watcher.received(topic)) == 1)
    assert observation_count(db, network.level) == 1
    body = watcher.received(topic)[0]
    assert body["result"] == 12.5
    assert body["phenomenonTime"] == WHEN
    assert body["resultTime"] is None
    assert body["@iot.selfLink"] == f"{SERVICE_ROOT}/Observations({body['@iot.id']})"
    assert body["Datastream@iot.navigationLink"].endswith("/Datastream")


def test_every_create_topic_stores(
    broker: EmbeddedBroker, network: Network, mqtt_client: ClientFactory, db: Database
) -> None:
    station = mqtt_client(broker.port, network.station)
    station.publish(stream_topic(network.level), {"result": 1})
    station.publish("v1.1/Observations", {"result": 2, "Datastream": {"@iot.id": network.count}})
    station.publish(
        f"v1.1/FeaturesOfInterest({network.feature})/Observations",
        {"result": False, "Datastream": {"@iot.id": network.flag}},
    )
    station.publish(stream_topic(network.level), [{"result": 3}, {"result": 4}])
    assert wait_until(lambda: observation_count(db) == 5)


def test_select_and_collection_subscriptions(
    broker: EmbeddedBroker, network: Network, mqtt_client: ClientFactory, db: Database
) -> None:
    station = mqtt_client(broker.port, network.station)
    body = {
        "result": 3.25,
        "phenomenonTime": WHEN,
        "FeatureOfInterest": {"@iot.id": network.feature},
    }
    # A FeatureOfInterest is visible once a readable Observation is about it.
    station.publish(stream_topic(network.level), body)
    assert wait_until(lambda: observation_count(db) == 1)
    watcher = mqtt_client(broker.port, network.analyst)
    selected = stream_topic(network.level) + "?$select=result,phenomenonTime"
    feature_topic = f"v1.1/FeaturesOfInterest({network.feature})/Observations"
    assert watcher.subscribe(selected) == 1
    assert watcher.subscribe("v1.1/Observations") == 1
    assert watcher.subscribe(feature_topic) == 1
    station.publish(stream_topic(network.level), body)
    assert wait_until(lambda: len(watcher.messages) == 3)
    assert watcher.received(selected) == [{"result": 3.25, "phenomenonTime": WHEN}]
    assert watcher.received("v1.1/Observations")[0]["result"] == 3.25
    assert watcher.received(feature_topic)[0]["result"] == 3.25


def test_subscribers_receive_only_what_they_may_read(
    broker: EmbeddedBroker, network: Network, mqtt_client: ClientFactory
) -> None:
    anonymous = mqtt_client(broker.port)
    outsider = mqtt_client(broker.port, network.outsider)
    assert anonymous.subscribe("v1.1/Observations") == 1
    assert outsider.subscribe("v1.1/#") == 1
    station = mqtt_client(broker.port, network.station)
    station.publish(stream_topic(network.private), {"result": 1})  # SLJ only
    station.publish(stream_topic(network.level), {"result": 2})  # every logged-in user
    station.publish(stream_topic(network.public), {"result": 3})  # everyone
    assert wait_until(lambda: len(anonymous.messages) >= 1 and len(outsider.messages) >= 6)
    time.sleep(0.3)  # nothing more arrives
    assert [body["result"] for body in anonymous.received()] == [3]
    results = {(topic.split("/")[1], body["result"]) for topic, body in outsider.messages}
    feature = next(t.split("/")[1] for t, _ in outsider.messages if "Features" in t)
    assert results == {
        ("Observations", 2),
        (f"Datastreams({network.level})", 2),
        (feature, 2),
        ("Observations", 3),
        (f"Datastreams({network.public})", 3),
        (feature, 3),
    }


@pytest.mark.parametrize(
    ("who", "topic"),
    [
        (None, "v1.1/Datastreams({level})/Observations"),  # not open to the public
        ("outsider", "v1.1/Datastreams({private})/Observations"),
        ("outsider", "v1.1/Datastreams({private})"),
        ("analyst", "v1.1/Datastreams(999)/Observations"),
        ("analyst", "v1.1/FeaturesOfInterest(99999999999)/Observations"),  # beyond INTEGER
        ("analyst", "v1.1/Stations"),
        ("analyst", "v1.1/Observations?$filter=result gt 1"),
        ("analyst", "foo/bar"),
        ("analyst", "$SYS/#"),
        ("analyst", "v1.1/errors/someone-else"),
        ("analyst", "v1.1/errors/#"),
    ],
)
def test_refused_subscriptions(
    broker: EmbeddedBroker,
    network: Network,
    mqtt_client: ClientFactory,
    who: str | None,
    topic: str,
) -> None:
    credentials = None if who is None else getattr(network, who)
    client = mqtt_client(broker.port, credentials, client_id="me")
    assert client.subscribe(topic.format(**network.__dict__)) == 128


def test_entity_and_property_topics(
    broker: EmbeddedBroker, network: Network, mqtt_client: ClientFactory
) -> None:
    watcher = mqtt_client(broker.port, network.analyst)
    entity = f"v1.1/Datastreams({network.level})"
    assert watcher.subscribe(entity) == 1
    assert watcher.subscribe(f"{entity}/observedArea") == 1
    area = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    body = {"@iot.id": network.level, "name": "stream", "observedArea": area}
    broker.updates.entity_changed("Datastreams", network.level, body, ["observedArea"])
    assert wait_until(lambda: len(watcher.messages) == 2)
    assert watcher.received(entity) == [body]
    assert watcher.received(f"{entity}/observedArea") == [{"observedArea": area}]


@pytest.mark.parametrize("who", [None, "analyst", "outsider", "other_station"])
def test_publishers_without_write_access_store_nothing(
    broker: EmbeddedBroker,
    network: Network,
    mqtt_client: ClientFactory,
    db: Database,
    who: str | None,
) -> None:
    credentials = None if who is None else getattr(network, who)
    intruder = mqtt_client(broker.port, credentials, client_id="intruder")
    assert intruder.subscribe("v1.1/errors/intruder") == 1
    intruder.publish(stream_topic(network.level), {"result": 1})
    assert wait_until(lambda: len(intruder.messages) == 1)
    note = intruder.received()[0]
    assert note["code"] in ("not_authenticated", "permission_denied")
    station = mqtt_client(broker.port, network.station)
    station.publish(stream_topic(network.level), {"result": 2})
    assert wait_until(lambda: observation_count(db) == 1)
    time.sleep(0.2)
    assert observation_count(db) == 1


@pytest.mark.parametrize(
    "credentials",
    [("slj.station", "chk_not-a-token"), ("slj.analyst", "{token}"), ("slj.station", "")],
)
def test_bad_credentials_are_refused(
    broker: EmbeddedBroker,
    network: Network,
    mqtt_client: ClientFactory,
    credentials: tuple[str, str],
) -> None:
    username, password = credentials
    password = password.format(token=network.station[1])  # the station's token, another name
    mqtt_client(broker.port, (username, password), expect_refusal=True)


MALFORMED: list[bytes | dict[str, Any] | list[Any]] = [
    b"",
    b"{",
    b"\xff\xfe\x00",
    b"null",
    b"[]",
    b'{"result": NaN}',
    {"result": "high"},
    {"result": 1, "colour": "red"},
    {"result": 1, "phenomenonTime": "yesterday"},
    {"result": 1, "Datastream": {"@iot.id": 999}},
    {"result": 1, "Datastream": {"name": "deep insert"}},
    {"result": 1, "FeatureOfInterest": {"@iot.id": 999}},
    [{"result": "high"}],
]
CREATE_TOPICS = [
    "v1.1/Observations",
    "v1.1/Datastreams({level})/Observations",
    "v1.1/Datastreams(999)/Observations",
    "v1.1/FeaturesOfInterest({feature})/Observations",
    "v1.1/Datastreams({level})",
    "v1.1/Things(1)/Observations",
    "foo/bar",
]


def test_malformed_payloads_on_every_topic_store_nothing_and_the_broker_goes_on(
    broker: EmbeddedBroker, network: Network, mqtt_client: ClientFactory, db: Database
) -> None:
    station = mqtt_client(broker.port, network.station, client_id="clumsy")
    assert station.subscribe("v1.1/errors/clumsy") == 1
    sent = 0
    for topic in CREATE_TOPICS:
        for payload in MALFORMED:
            station.publish(topic.format(**network.__dict__), payload)
            sent += 1
    assert wait_until(lambda: len(station.messages) == sent, timeout=20)
    assert all(note["code"] == "invalid_input" for note in station.received())
    assert observation_count(db) == 0
    station.publish(stream_topic(network.level), {"result": 5})
    assert wait_until(lambda: observation_count(db) == 1)


def test_nothing_is_relayed_raw(
    broker: EmbeddedBroker, network: Network, mqtt_client: ClientFactory
) -> None:
    """Subscribers get the platform's JSON of stored Observations, never a client's payload."""
    admin_like = mqtt_client(broker.port, network.analyst)
    assert admin_like.subscribe("#") == 1
    station = mqtt_client(broker.port, network.station)
    station.publish("v1.1/Datastreams(999)/Observations", {"result": 1})
    station.publish("foo/bar", {"result": 1})
    station.publish(stream_topic(network.level), {"result": 2})
    assert wait_until(lambda: len(admin_like.messages) >= 3)
    time.sleep(0.2)
    assert all("@iot.id" in body for body in admin_like.received())
    topics = {topic for topic, _ in admin_like.messages}
    assert len(topics) == 3
    assert {"v1.1/Observations", stream_topic(network.level)} < topics


def test_a_burst_then_disconnect_loses_nothing(
    broker: EmbeddedBroker, network: Network, mqtt_client: ClientFactory, db: Database
) -> None:
    """amqtt drops a client's queued messages when it disconnects; they are taken earlier."""
    station = mqtt_client(broker.port, network.station, inflight=500)
    infos = [
        station.paho.publish(stream_topic(network.level), f'{{"result": {n}}}', qos=1)
        for n in range(1000)
    ]
    for info in infos:
        info.wait_for_publish(10)
    station.paho.disconnect()
    assert wait_until(lambda: observation_count(db) == 1000, timeout=30)


def test_observations_from_other_paths_reach_subscribers(
    broker: EmbeddedBroker, network: Network, mqtt_client: ClientFactory, db: Database
) -> None:
    watcher = mqtt_client(broker.port, network.analyst)
    assert watcher.subscribe(stream_topic(network.level)) == 1
    station = actor_for_token(db, network.station[1], None)
    ingest(
        db,
        station,
        [
            NewObservation(
                datastream_id=network.level,
                phenomenon_time_start=datetime(2024, 6, 1, 8, tzinfo=UTC),
                result=8.5,
            )
        ],
        bus=broker.bus,
        source="http",
    )
    assert wait_until(lambda: len(watcher.received()) == 1)
    assert watcher.received()[0]["result"] == 8.5


def test_a_port_in_use_is_a_configuration_error(db: Database) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(ConfigurationError):
            EmbeddedBroker(db, Bus(), port=port, service_root=SERVICE_ROOT).start()


def test_stop_stores_what_is_queued_and_frees_the_port(
    db: Database, network: Network, mqtt_client: ClientFactory
) -> None:
    port = free_port()
    broker = EmbeddedBroker(db, Bus(), port=port, service_root=SERVICE_ROOT, max_delay=0.2)
    broker.start()
    station = mqtt_client(port, network.station)
    station.publish(stream_topic(network.level), {"result": 1})
    broker.stop()
    assert observation_count(db) == 1
    again = EmbeddedBroker(db, Bus(), port=port, service_root=SERVICE_ROOT)
    again.start()
    again.stop()
