"""The bridge to an external broker, against the real Mosquitto at 127.0.0.1:1883.

Each test works under a topic prefix and client id of its own, so that tests (and other
users of the machine's broker) do not see each other's messages.
"""

from __future__ import annotations

import secrets
import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.db import Database
from cityhub.errors import ConfigurationError
from cityhub.sensing.bus import Bus
from cityhub.sensing.mqtt import BrokerBridge
from cityhub.sensing.mqtt.bridge import broker_address
from tests.sensing.mqtt import conftest
from tests.sensing.mqtt.conftest import (
    SERVICE_ROOT,
    ClientFactory,
    Network,
    free_port,
    mosquitto_or_skip,
    observation_count,
    wait_until,
)
from tests.sensing.mqtt.test_embedded import CREATE_TOPICS, MALFORMED

PORT = conftest.MOSQUITTO[1]


@pytest.fixture
def bridge(db: Database) -> Iterator[BrokerBridge]:
    mosquitto_or_skip()
    running = BrokerBridge(
        db,
        Bus(),
        url="mqtt://127.0.0.1:1883",
        service_root=SERVICE_ROOT,
        client_id=f"cityhub-test-{secrets.token_hex(4)}",
        prefix=f"test-{secrets.token_hex(4)}/",
    )
    running.start()
    yield running
    running.stop()


def test_a_station_publishes_and_a_subscriber_receives(
    bridge: BrokerBridge, network: Network, mqtt_client: ClientFactory, db: Database
) -> None:
    topic = f"{bridge.prefix}v1.1/Datastreams({network.level})/Observations"
    watcher = mqtt_client(PORT)
    assert watcher.subscribe(topic) == 1
    station = mqtt_client(PORT)
    station.publish(topic, {"result": 4.5, "phenomenonTime": "2024-06-01T08:00:00Z"})
    assert wait_until(lambda: observation_count(db, network.level) == 1)
    # On an external broker subscribers see the station's own message too (the broker relays
    # it); the platform's has the entity's id and links.
    assert wait_until(lambda: any("@iot.id" in body for body in watcher.received(topic)))
    stored = next(body for body in watcher.received(topic) if "@iot.id" in body)
    assert stored["result"] == 4.5
    assert stored["@iot.selfLink"] == f"{SERVICE_ROOT}/Observations({stored['@iot.id']})"
    time.sleep(0.5)  # the platform's own update does not come back as a new Observation
    assert observation_count(db) == 1
    with db.reading() as session:
        actors = set(
            session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "sta.ingest"))
        )
    assert actors == {"mqtt-bridge"}


def test_malformed_payloads_on_every_topic_store_nothing_and_the_bridge_goes_on(
    bridge: BrokerBridge, network: Network, mqtt_client: ClientFactory, db: Database
) -> None:
    station = mqtt_client(PORT)
    for topic in CREATE_TOPICS:
        for payload in MALFORMED:
            station.publish(bridge.prefix + topic.format(**network.__dict__), payload)
    good = f"{bridge.prefix}v1.1/Datastreams({network.level})/Observations"
    station.publish(good, {"result": 5})
    assert wait_until(lambda: observation_count(db) == 1)
    # The bridge's filters (v1.1/Observations, v1.1/+/Observations) match five of the seven
    # topics; each of those messages is refused once.
    assert wait_until(lambda: bridge.ingester.stats.refused == 5 * len(MALFORMED))
    assert observation_count(db) == 1


def test_what_arrives_during_a_restart_is_stored_after_it(
    db: Database, network: Network, mqtt_client: ClientFactory
) -> None:
    """The broker keeps the platform's session (same client id) and queues for it."""
    mosquitto_or_skip()
    client_id, prefix = f"cityhub-test-{secrets.token_hex(4)}", f"test-{secrets.token_hex(4)}/"

    def bridge() -> BrokerBridge:
        return BrokerBridge(
            db,
            Bus(),
            url="mqtt://127.0.0.1:1883",
            service_root=SERVICE_ROOT,
            client_id=client_id,
            prefix=prefix,
        )

    first = bridge()
    first.start()
    first.stop()
    station = mqtt_client(PORT)
    topic = f"{prefix}v1.1/Datastreams({network.level})/Observations"
    for value in range(3):
        station.publish(topic, {"result": value})
    second = bridge()
    second.start()
    try:
        assert wait_until(lambda: observation_count(db) == 3)
    finally:
        second.stop()


def _stalled_subscriber(topic: str) -> socket.socket:
    """An MQTT 3.1.1 client that subscribes at QoS 1 and then never reads nor acknowledges:
    the broker sends it 20 messages, queues 1,000 (``max_queued_messages``) and drops the rest."""

    def string(text: str) -> bytes:
        return len(text.encode()).to_bytes(2, "big") + text.encode()

    def packet(kind: int, body: bytes) -> bytes:
        assert len(body) < 128  # one-byte remaining length
        return bytes([kind, len(body)]) + body

    stalled = socket.create_connection(conftest.MOSQUITTO)
    client_id = f"stalled-{secrets.token_hex(4)}"
    stalled.sendall(packet(0x10, string("MQTT") + bytes([4, 0x02, 0, 60]) + string(client_id)))
    stalled.sendall(packet(0x82, (1).to_bytes(2, "big") + string(topic) + bytes([1])))
    return stalled


def test_messages_the_broker_drops_are_reported(
    bridge: BrokerBridge, mqtt_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    topic = f"{bridge.prefix}stalled"  # not a topic the platform stores
    stalled = _stalled_subscriber(topic)
    try:
        station = mqtt_client(PORT)
        time.sleep(0.5)  # the stalled client's SUBSCRIBE is in
        for value in range(1_500):
            station.publish(topic, {"result": value})
        # Mosquitto publishes its $SYS counts every sys_interval (10 s by default).
        assert wait_until(lambda: bridge.broker_dropped >= 400, timeout=25)
    finally:
        stalled.close()
    assert "the broker dropped" in caplog.text


def test_an_unreachable_broker_is_a_configuration_error(db: Database) -> None:
    bridge = BrokerBridge(
        db, Bus(), url=f"mqtt://127.0.0.1:{free_port()}", service_root=SERVICE_ROOT
    )
    with pytest.raises(ConfigurationError):
        bridge.start(timeout=2)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtt://127.0.0.1:1883", ("127.0.0.1", 1883, False, None, None)),
        ("mqtt://broker", ("broker", 1883, False, None, None)),
        ("mqtts://broker", ("broker", 8883, True, None, None)),
        ("mqtt://cityhub:s%40cret@broker:1884", ("broker", 1884, False, "cityhub", "s@cret")),
    ],
)
def test_broker_urls(url: str, expected: tuple[object, ...]) -> None:
    assert broker_address(url) == expected


@pytest.mark.parametrize("url", ["http://broker", "broker:1883", "mqtt://", "mqtt://b:99999"])
def test_bad_broker_urls(url: str) -> None:
    with pytest.raises(ConfigurationError):
        broker_address(url)


@pytest.mark.parametrize(("ci", "outcome"), [("true", "fail"), ("", "skip"), ("false", "skip")])
def test_a_missing_broker_skips_except_in_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: str
) -> None:
    monkeypatch.setattr(conftest, "MOSQUITTO", ("127.0.0.1", free_port()))
    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if outcome == "fail" else pytest.skip.Exception
    with pytest.raises(expected) as raised:
        mosquitto_or_skip()
    assert "no MQTT broker answers" in str(raised.value)
