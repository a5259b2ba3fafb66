"""Which subscriber gets which message: updates matched against the subscriptions' topic
filters, before read access is checked.

An exact subscription topic gets the message of its base topic, reduced by its ``$select``
and sent on the subscribed topic itself (``v1.1/Datastreams(1)/Observations?$select=result``);
a wildcard filter (``v1.1/#``) gets the full messages of every topic it matches. A subscriber
whose filters match the same topic twice gets the message once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cityhub.errors import InvalidInput
from cityhub.sensing.mqtt.topics import (
    Subscription,
    apply_select,
    has_wildcard,
    parse_subscription_topic,
    topic_matches,
)
from cityhub.sensing.mqtt.updates import Update


@dataclass(frozen=True)
class Subscriber:
    """One subscription of one client: its topic filter and granted QoS."""

    client_id: str
    topic_filter: str
    qos: int


@dataclass(frozen=True)
class Delivery:
    """One message for one client; ``guard`` is the entity whose read access decides."""

    client_id: str
    topic: str
    payload: bytes
    qos: int
    guard: tuple[str, int]


class Planner:
    """Matches updates to subscribers; remembers parsed topic filters."""

    def __init__(self) -> None:
        self._parsed: dict[str, Subscription | None] = {}

    def _subscription(self, topic_filter: str) -> Subscription | None:
        if topic_filter not in self._parsed:
            if len(self._parsed) > 10_000:
                self._parsed.clear()
            try:
                self._parsed[topic_filter] = parse_subscription_topic(topic_filter)
            except InvalidInput:
                self._parsed[topic_filter] = None
        return self._parsed[topic_filter]

    def plan(
        self, updates: Sequence[Update], subscribers: Iterable[Subscriber], max_qos: int
    ) -> list[Delivery]:
        """The deliveries of ``updates``, update by update (so each subscriber gets them in
        the order they were stored), QoS the lower of the subscription's and ``max_qos``."""
        by_filter: dict[str, list[Subscriber]] = {}
        for subscriber in subscribers:
            by_filter.setdefault(subscriber.topic_filter, []).append(subscriber)
        encoded: dict[tuple[int, str], bytes] = {}
        deliveries: list[Delivery] = []
        for index, update in enumerate(updates):
            seen: set[tuple[str, str]] = set()
            for topic_filter, members in by_filter.items():
                for topic, body in self._messages(update, topic_filter):
                    key = (index, topic)
                    if key not in encoded:
                        encoded[key] = json.dumps(body, ensure_ascii=False).encode()
                    for member in members:
                        if (member.client_id, topic) in seen:
                            continue
                        seen.add((member.client_id, topic))
                        deliveries.append(
                            Delivery(
                                member.client_id,
                                topic,
                                encoded[key],
                                min(member.qos, max_qos),
                                update.guard,
                            )
                        )
        return deliveries

    def _messages(self, update: Update, topic_filter: str) -> list[tuple[str, dict[str, Any]]]:
        if has_wildcard(topic_filter):
            return [
                (topic, body)
                for topic, body in update.messages.items()
                if topic_matches(topic_filter, topic)
            ]
        subscription = self._subscription(topic_filter)
        if subscription is None:
            return []
        body = update.messages.get(subscription.base_topic)
        if body is None:
            return []
        return [(topic_filter, apply_select(body, subscription.select))]
