"""The amqtt plugins of the embedded broker: thin adapters to a ``BrokerHub`` (the
``EmbeddedBroker``), which holds the rules.

- ``AuthPlugin``: a client connects with a user name and one of that user's API tokens as
  the password (as HTTP Basic on the SensorThings API), or anonymously; the actor is kept in
  the amqtt session's ``attributes``.
- ``TopicPlugin``: decides subscriptions (read access); refuses every broker-side relay of a
  published message — publishers' messages go to the platform only, and subscribers receive
  what the platform delivers itself, per subscriber and per Datastream read access.
- The packet hook hands each published message, with the publisher's actor, to the hub.

amqtt calls the plugins on its event loop; anything that reads the database runs in a worker
thread so that the loop keeps serving the other clients.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from amqtt.contexts import Action  # type: ignore[import-untyped]
from amqtt.mqtt.publish import PublishPacket  # type: ignore[import-untyped]
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin  # type: ignore[import-untyped]
from amqtt.session import Session  # type: ignore[import-untyped]

from cityhub.auth import Actor

ACTOR = "cityhub.actor"  # key of the actor in amqtt's Session.attributes
log = logging.getLogger("cityhub.sensing.mqtt")


class BrokerHub(Protocol):
    """What the plugins ask of the embedded broker."""

    def authenticate(
        self, username: str | None, password: str | None, address: str | None
    ) -> Actor | None:
        """The actor of a connecting client, None to refuse it (blocking)."""

    def may_subscribe(self, actor: Actor, client_id: str, topic_filter: str) -> bool:
        """Whether ``actor`` may subscribe to ``topic_filter`` (blocking)."""

    def received(self, actor: Actor, client_id: str, topic: str, payload: bytes) -> None:
        """A client published ``payload`` on ``topic`` (must not block)."""


@dataclass
class HubConfig:
    """Plugin configuration: the hub object itself (amqtt passes it through untouched)."""

    hub: Any = None


def actor_of(session: Session | None) -> Actor:
    """The actor the auth plugin stored on ``session`` (the public when there is none)."""
    found = session.attributes.get(ACTOR) if session is not None else None
    return found if isinstance(found, Actor) else Actor.public()


class AuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    """Connect with user name + API token, or anonymously."""

    Config = HubConfig

    async def authenticate(self, *, session: Session) -> bool:
        """Store the client's actor on its session; False refuses the connection."""
        hub: BrokerHub = self.config.hub
        try:
            actor = await asyncio.to_thread(
                hub.authenticate, session.username, session.password, session.remote_address
            )
        except Exception:
            log.exception("MQTT: authenticating client %s failed", session.client_id)
            return False
        if actor is None:
            return False
        session.attributes[ACTOR] = actor
        return True


class TopicPlugin(BaseTopicPlugin):  # type: ignore[misc]
    """Subscriptions by read access; no broker-side relay; published messages to the hub."""

    Config = HubConfig

    async def topic_filtering(
        self,
        *,
        session: Session | None = None,
        topic: str | None = None,
        action: Action | None = None,
    ) -> bool:
        """Subscriptions as the hub decides. Publishing is "refused" so that amqtt relays
        nothing itself: the message hook below has given the message to the hub already."""
        if action != Action.SUBSCRIBE or session is None or not topic:
            return False
        hub: BrokerHub = self.config.hub
        try:
            return await asyncio.to_thread(
                hub.may_subscribe, actor_of(session), session.client_id, topic
            )
        except Exception:
            log.exception("MQTT: checking a subscription to %r failed", topic[:200])
            return False

    async def on_mqtt_packet_received(self, *, packet: Any, session: Session | None = None) -> None:
        """Every packet as it is read from a client's socket, before amqtt acknowledges it.

        amqtt's own "message received" event comes later, from a per-client queue that is
        thrown away when the client disconnects — acknowledged messages would be lost when a
        station publishes a burst and hangs up — so PUBLISH packets are taken here."""
        if session is None or not isinstance(packet, PublishPacket):
            return
        topic, data = packet.topic_name, packet.data
        if not isinstance(topic, str):
            return
        hub: BrokerHub = self.config.hub
        try:
            hub.received(actor_of(session), session.client_id, topic, bytes(data or b""))
        except Exception:
            log.exception("MQTT: handing over a message from %s failed", session.client_id)
