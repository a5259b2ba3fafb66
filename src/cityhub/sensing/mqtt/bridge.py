"""The platform as a client of an external MQTT broker (Mosquitto): the alternative to the
embedded broker for sites that run one.

The bridge subscribes to the create topics and stores what arrives as its service actor: on
an external broker, who may publish where is the broker's business (Mosquitto ``acl_file`` or
dynamic security), and the platform trusts what its own subscription receives. It publishes
each new Observation on its collection topics for subscribers, whose read access is again the
broker's ACL's business.

It speaks MQTT 5 so that its subscription can be "no local" — the platform publishes updates
on the very topics it subscribes to, and must not receive them back as new Observations — and
so that it can ask for a large receive window: Mosquitto drops QoS 1 messages beyond
``max_queued_messages`` (1000 by default) for a client that acknowledges too slowly. Where the
broker drops messages all the same, the bridge says so: it follows Mosquitto's count of dropped
messages (``$SYS/broker/publish/messages/dropped``) and logs a warning when it grows.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
import time
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from cityhub.auth import Actor, Role
from cityhub.db import Database
from cityhub.errors import ConfigurationError
from cityhub.sensing.bus import Bus
from cityhub.sensing.mqtt.ingester import Incoming, ObservationIngester
from cityhub.sensing.mqtt.topics import VERSION
from cityhub.sensing.mqtt.updates import Update, UpdatePublisher

log = logging.getLogger("cityhub.sensing.mqtt")
# Whom the bridge stores Observations as: the platform's MQTT connection, for every department.
BRIDGE_ACTOR = Actor(None, "mqtt-bridge", Role.ADMIN, None, "mqtt")
CREATE_FILTERS = (f"{VERSION}/Observations", f"{VERSION}/+/Observations")
_RECEIVE_MAXIMUM = 65535
# Mosquitto's count of PUBLISH messages dropped for any client over its queue limits, published
# (retained) every ``sys_interval`` seconds when it changes. Other brokers, or an ACL that hides
# $SYS, leave it silent.
DROPPED_TOPIC = "$SYS/broker/publish/messages/dropped"
# A retained count arrives right after the subscription; Mosquitto publishes none before its
# first drop, so a count first heard later than this counts from zero.
_RETAINED_WITHIN = 1.0
# Seconds the broker keeps the platform's session — its subscription and the messages that
# arrive meanwhile — while it is away (a restart); the client id must be unique per platform.
_SESSION_EXPIRY = 300


def broker_address(url: str) -> tuple[str, int, bool, str | None, str | None]:
    """(host, port, tls, user name, password) of ``mqtt://[user:pass@]host[:port]``
    (``mqtts://`` for TLS); ConfigurationError for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
        raise ConfigurationError(
            f"an MQTT broker URL looks like mqtt://host:1883, not {url!r}",
            details={"setting": "mqtt_url"},
        )
    tls = parts.scheme in ("mqtts", "ssl")
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError:
        raise ConfigurationError(
            f"bad port in MQTT broker URL {url!r}", details={"setting": "mqtt_url"}
        ) from None
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return parts.hostname, port, tls, username, password


class BrokerBridge:
    """Connects the platform to an external broker: ingests create topics, publishes updates."""

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        url: str,
        service_root: str,
        actor: Actor = BRIDGE_ACTOR,
        username: str | None = None,
        password: str | None = None,
        client_id: str = "cityhub-platform",
        prefix: str = "",
        qos: int = 1,
        publish_updates: bool = True,
        batch_size: int = 1000,
        max_delay: float = 0.005,
    ) -> None:
        self.host, self.port, tls, url_user, url_password = broker_address(url)
        self.actor = actor
        self.prefix = prefix  # e.g. "site-a/": a broker shared by several platforms
        self.qos = qos
        self.publish_updates = publish_updates
        self.ingester = ObservationIngester(db, bus, batch_size=batch_size, max_delay=max_delay)
        self.updates = UpdatePublisher(db, service_root, self)
        self.bus = bus
        self._connected = threading.Event()
        self._subscribed = threading.Event()
        self._create_mid: int | None = None
        self._dropped_seen: int | None = None  # the broker's count when last heard
        self._dropped_since = 0.0  # when the subscription to the count was acknowledged
        self.broker_dropped = 0  # messages the broker dropped since this bridge started
        self._started = False
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        user = username if username is not None else url_user
        if user is not None:
            client.username_pw_set(user, password if password is not None else url_password)
        if tls:
            client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
        client.max_inflight_messages_set(1000)
        client.reconnect_delay_set(1, 30)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        self.client = client

    @property
    def endpoint(self) -> str:
        """``mqtt://host:port`` of the broker, for the service root's serverSettings."""
        return f"mqtt://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        """Connect and subscribe; ConfigurationError when the broker does not accept us in
        ``timeout`` seconds."""
        if self._started:
            return
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.ReceiveMaximum = _RECEIVE_MAXIMUM
        properties.SessionExpiryInterval = _SESSION_EXPIRY
        try:
            self.client.connect(
                self.host, self.port, keepalive=30, clean_start=False, properties=properties
            )
        except OSError as error:
            raise ConfigurationError(
                f"the MQTT broker at {self.host}:{self.port} does not answer: {error}",
                details={"setting": "mqtt_url"},
            ) from None
        self.ingester.start()
        self.updates.start()
        self.client.loop_start()
        if not self._subscribed.wait(timeout):
            self.client.loop_stop()
            self.ingester.stop()
            self.updates.stop()
            raise ConfigurationError(
                f"the MQTT broker at {self.host}:{self.port} refused the platform's connection "
                "or subscription (user name, password, ACL?)",
                details={"setting": "mqtt_url"},
            )
        self.bus.subscribe(self.updates.observations_stored)
        self._started = True
        log.info("MQTT bridge connected to %s:%d", self.host, self.port)

    def stop(self, timeout: float = 10.0) -> None:
        """Disconnect, store what was received, stop publishing."""
        if not self._started:
            return
        self._started = False
        # Disconnect first: the broker keeps the session and queues what arrives meanwhile
        # (for _SESSION_EXPIRY seconds); then store what was received. Updates of those last
        # Observations are not published any more.
        self.client.disconnect()
        self.client.loop_stop()
        self.ingester.stop(timeout)
        self.bus.unsubscribe(self.updates.observations_stored)
        self.updates.stop(timeout)

    # --- paho callbacks (paho's network thread) ---------------------------------------------

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            log.warning("MQTT bridge: the broker refused the connection: %s", reason)
            return
        self._connected.set()
        options = SubscribeOptions(qos=self.qos, noLocal=True)
        _, self._create_mid = client.subscribe(
            [(self.prefix + topic, options) for topic in CREATE_FILTERS]
        )
        client.subscribe(DROPPED_TOPIC, options=SubscribeOptions(qos=0))  # may be refused

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reasons: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        if mid != self._create_mid:
            if any(reason.is_failure for reason in reasons):
                log.info("MQTT bridge: no %s on this broker (%s)", DROPPED_TOPIC, reasons)
            elif not self._dropped_since:
                self._dropped_since = time.monotonic()
            return
        if any(reason.is_failure for reason in reasons):
            log.warning("MQTT bridge: the broker refused a subscription: %s", reasons)
            return
        self._subscribed.set()

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self._connected.clear()
        if self._started:
            log.warning("MQTT bridge: disconnected (%s); reconnecting", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:  # an exception here would end paho's network thread
            if message.topic == DROPPED_TOPIC:
                self._broker_count(bytes(message.payload))
                return
            topic = message.topic.removeprefix(self.prefix)
            self.ingester.submit(Incoming(self.actor, topic, bytes(message.payload)))
        except Exception:
            log.exception("MQTT bridge: a message could not be queued")

    def _broker_count(self, payload: bytes) -> None:
        # The retained count heard with the subscription is the baseline; a count heard again
        # on reconnecting that has grown includes what this session's queue lost meanwhile.
        try:
            count = int(payload)
        except ValueError:
            return
        seen, self._dropped_seen = self._dropped_seen, count
        if seen is None and time.monotonic() - self._dropped_since > _RETAINED_WITHIN:
            seen = 0
        if seen is None or count <= seen:
            return
        self.broker_dropped += count - seen
        log.warning(
            "MQTT bridge: the broker dropped %d messages over its queue limits (%d since the "
            "bridge started); if the platform's subscription lags, raise max_queued_messages "
            "for it in mosquitto.conf and send arrays of Observations",
            count - seen,
            self.broker_dropped,
        )

    # --- updates ----------------------------------------------------------------------------

    def wants_updates(self) -> bool:
        """Publishing is on and the broker is connected."""
        return self.publish_updates and self._connected.is_set()

    def send_updates(self, updates: list[Update]) -> None:
        """Publish each message of ``updates`` (thread-safe; paho queues them)."""
        for update in updates:
            encoded: dict[int, bytes] = {}  # an Observation's topics share one body
            for topic, body in update.messages.items():
                payload = encoded.get(id(body))
                if payload is None:
                    payload = encoded[id(body)] = json.dumps(body, ensure_ascii=False).encode()
                self.client.publish(self.prefix + topic, payload, qos=self.qos)
