"""The embedded MQTT broker: amqtt in a thread of its own, so that ``cityhub serve`` and
``make demo`` need no broker service.

Clients connect with a user name and an API token (or anonymously, to subscribe). What they
publish on a create topic goes to the ``ObservationIngester`` with the publisher's actor;
amqtt relays nothing itself. Subscribers receive what the platform delivers: each new
Observation (from every ingest path, via the bus) on its collection topics, to each subscriber
allowed to read its Datastream, and — on ``v1.1/errors/<client id>`` — why a message of
theirs was refused.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterable
from typing import Any

from amqtt.broker import Broker  # type: ignore[import-untyped]

from cityhub import audit
from cityhub.auth import Actor, actor_for_token
from cityhub.auth.users import normalise_username
from cityhub.db import Database
from cityhub.errors import CityhubError, ConfigurationError, InvalidInput, NotAuthenticated
from cityhub.sensing.bus import Bus
from cityhub.sensing.mqtt.delivery import Delivery, Planner, Subscriber
from cityhub.sensing.mqtt.ingester import Incoming, ObservationIngester
from cityhub.sensing.mqtt.plugins import AuthPlugin, TopicPlugin, actor_of
from cityhub.sensing.mqtt.readers import ReadAccess
from cityhub.sensing.mqtt.topics import (
    ERRORS,
    VERSION,
    error_topic,
    has_wildcard,
    is_valid_filter,
    parse_subscription_topic,
    topic_matches,
)
from cityhub.sensing.mqtt.updates import Update, UpdatePublisher

log = logging.getLogger("cityhub.sensing.mqtt")
MAX_INFLIGHT = 10_000  # QoS 1/2 messages awaiting a subscriber's ack; beyond, it misses updates


class EmbeddedBroker:
    """An MQTT 3.1.1 broker serving the SensorThings MQTT extension on ``host:port``."""

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        port: int,
        service_root: str,
        host: str = "127.0.0.1",
        qos: int = 1,
        batch_size: int = 1000,
        max_delay: float = 0.005,
    ) -> None:
        self.db = db
        self.bus = bus
        self.host = host
        self.port = port
        self.qos = qos
        self.ingester = ObservationIngester(
            db, bus, batch_size=batch_size, max_delay=max_delay, on_error=self._report_error
        )
        self.updates = UpdatePublisher(db, service_root, self)
        self.access = ReadAccess(db)
        self._planner = Planner()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broker: Any = None
        self._thread: threading.Thread | None = None
        self._outbox: asyncio.Queue[list[Update]] | None = None
        self._tasks: set[asyncio.Future[Any]] = set()

    @property
    def endpoint(self) -> str:
        """``mqtt://host:port``, for the service root's serverSettings."""
        return f"mqtt://{self.host}:{self.port}"

    # --- life cycle -------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> None:
        """Listen on ``host:port``; ConfigurationError when the port cannot be bound."""
        if self._thread is not None:
            return
        amqtt_log = logging.getLogger("amqtt")
        if amqtt_log.level == logging.NOTSET:  # amqtt logs each connection and refusal at INFO
            amqtt_log.setLevel(logging.WARNING)
        ready = threading.Event()
        failures: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(ready, failures), name="mqtt-broker", daemon=True
        )
        self._thread.start()
        if not ready.wait(timeout) or failures:
            self._thread.join(timeout)
            self._thread = None
            reason = failures[0] if failures else "timed out"
            raise ConfigurationError(
                f"the embedded MQTT broker cannot listen on {self.host}:{self.port}: {reason}",
                details={"port": self.port},
            )
        self.ingester.start()
        self.updates.start()
        self.bus.subscribe(self.updates.observations_stored)
        log.info("embedded MQTT broker listening on %s", self.endpoint)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop listening (clients are disconnected), store what is queued, end the threads."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout)
        except Exception:
            log.exception("the embedded MQTT broker did not shut down cleanly")
        self.ingester.stop(timeout)  # after the broker: nothing arrives any more
        self.bus.unsubscribe(self.updates.observations_stored)
        self.updates.stop(timeout)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = None

    def _run(self, ready: threading.Event, failures: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._boot())
        except BaseException as error:  # reported to start(), which raises
            failures.append(error)
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _boot(self) -> None:
        hub = {"hub": self}
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {
                f"{AuthPlugin.__module__}.{AuthPlugin.__name__}": hub,
                f"{TopicPlugin.__module__}.{TopicPlugin.__name__}": hub,
            },
        }
        broker = Broker(config)
        await broker.start()
        self._broker = broker
        self._outbox = asyncio.Queue()
        self._tasks.add(asyncio.ensure_future(self._deliver_forever(self._outbox)))

    async def _shutdown(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._broker is not None:
            await self._broker.shutdown()

    # --- the hub the plugins call -----------------------------------------------------------

    def authenticate(
        self, username: str | None, password: str | None, address: str | None
    ) -> Actor | None:
        """Anonymous, or a user name with one of that user's API tokens (blocking)."""
        if not username and password is None:
            return Actor.public(address)
        if not username or not password:
            return None
        try:
            actor = actor_for_token(self.db, password, address)
        except NotAuthenticated:
            return None
        if normalise_username(username) != actor.username:
            audit.deny(
                self.db,
                Actor.public(address),
                "auth.token",
                details={"reason": "token of another user", "username": username, "via": "mqtt"},
            )
            return None
        return actor

    def may_subscribe(self, actor: Actor, client_id: str, topic_filter: str) -> bool:
        """Exact topics need read access to the entity they name; wildcard filters are
        allowed and each message is checked at delivery; errors only for oneself."""
        if not is_valid_filter(topic_filter):
            return False
        if topic_filter.startswith(f"{ERRORS}/"):
            return topic_filter == error_topic(client_id)
        if has_wildcard(topic_filter):
            return topic_filter.split("/")[0] in ("#", "+", VERSION)
        try:
            subscription = parse_subscription_topic(topic_filter)
        except InvalidInput as error:
            log.info("MQTT: %s may not subscribe to %r: %s", client_id, topic_filter, error)
            return False
        if subscription.parent is not None:
            return self.access.can_see(actor, *subscription.parent)
        if subscription.entity_id is not None:
            return self.access.can_see(actor, subscription.set_name, subscription.entity_id)
        return True  # a whole collection: each message is checked at delivery

    def received(self, actor: Actor, client_id: str, topic: str, payload: bytes) -> None:
        """Queue a published message for the ingester (never blocks)."""
        self.ingester.submit(Incoming(actor, topic, payload, client_id))

    # --- delivering updates -----------------------------------------------------------------

    def wants_updates(self) -> bool:
        """Whether anyone subscribes to anything (read from another thread: a dict changing
        meanwhile counts as yes)."""
        if self._broker is None:
            return False
        try:
            return any(self._broker.subscriptions.values())
        except RuntimeError:
            return True

    def send_updates(self, updates: list[Update]) -> None:
        """Queue ``updates`` for delivery on the broker's loop (thread-safe)."""
        loop, outbox = self._loop, self._outbox
        if updates and loop is not None and outbox is not None and not loop.is_closed():
            loop.call_soon_threadsafe(outbox.put_nowait, updates)

    async def _deliver_forever(self, outbox: asyncio.Queue[list[Update]]) -> None:
        while True:
            updates = await outbox.get()
            try:
                await self._deliver(updates)
            except Exception:
                log.exception("MQTT: delivering %d updates failed", len(updates))

    def _subscribers(self) -> list[Subscriber]:
        return [
            Subscriber(session.client_id, topic_filter, qos)
            for topic_filter, members in list(self._broker.subscriptions.items())
            for session, qos in list(members)
        ]

    async def _deliver(self, updates: list[Update]) -> None:
        deliveries = self._planner.plan(updates, self._subscribers(), self.qos)
        if not deliveries:
            return
        actors = {d.client_id: self._actor(d.client_id) for d in deliveries}
        pairs = {(actor, d.guard) for d in deliveries if (actor := actors[d.client_id])}
        allowed = await asyncio.to_thread(self._allowed, pairs)
        for delivery in deliveries:
            actor = actors[delivery.client_id]
            if actor is not None and allowed.get((actor, delivery.guard), False):
                self._publish(delivery)

    def _actor(self, client_id: str) -> Actor | None:
        entry = self._broker.sessions.get(client_id)
        return None if entry is None else actor_of(entry[0])

    def _allowed(
        self, pairs: Iterable[tuple[Actor, tuple[str, int]]]
    ) -> dict[tuple[Actor, tuple[str, int]], bool]:
        return {(actor, guard): self.access.can_see(actor, *guard) for actor, guard in pairs}

    def _publish(self, delivery: Delivery) -> None:
        entry = self._broker.sessions.get(delivery.client_id)
        if entry is None:
            return
        session, handler = entry
        if session.transitions.state != "connected":
            return  # offline sessions miss updates (documented: no queueing for them)
        if len(session.inflight_out) >= MAX_INFLIGHT:
            log.warning("MQTT: %s does not keep up; an update is dropped", delivery.client_id)
            return
        task = asyncio.ensure_future(
            handler.mqtt_publish(delivery.topic, delivery.payload, delivery.qos, retain=False)
        )
        self._tasks.add(task)
        task.add_done_callback(self._published)

    def _published(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("MQTT: an update was not delivered: %s", task.exception())

    # --- error notes ------------------------------------------------------------------------

    def _report_error(self, message: Incoming, error: CityhubError) -> None:
        """Tell a publisher subscribed to ``v1.1/errors/<its client id>`` why its message was
        refused (called by the ingester's thread)."""
        loop = self._loop
        if message.client_id is None or loop is None or loop.is_closed():
            return
        note = {
            "topic": message.topic[:200],
            "code": error.code,
            "message": error.message,
            "details": error.details,
        }
        payload = json.dumps(note, ensure_ascii=False, default=str).encode()
        loop.call_soon_threadsafe(self._send_error, message.client_id, payload)

    def _send_error(self, client_id: str, payload: bytes) -> None:
        topic = error_topic(client_id)
        granted = [
            qos
            for topic_filter, members in self._broker.subscriptions.items()
            if topic_matches(topic_filter, topic)
            for session, qos in members
            if session.client_id == client_id
        ]
        if granted:
            self._publish(Delivery(client_id, topic, payload, min(max(granted), self.qos), ("", 0)))
