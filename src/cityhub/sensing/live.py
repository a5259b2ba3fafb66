"""The live feed of the sensing pages: new Observations and alarm changes, as they happen.

Publishers are the ingest path and the alarm engine, which run in worker threads; subscribers are
Server-Sent-Events clients, each an ``asyncio`` task of the web server's event loop. ``publish``
never blocks and never waits for a client: each subscription keeps a bounded buffer of the newest
events, and a client too slow to read them loses the oldest (``Subscription.dropped`` counts
them). A publisher wakes a subscriber's loop at most once per drain, so a burst of thousands of
Observations costs one ``call_soon_threadsafe`` per client, not one per event.

Events are plain JSON-able dicts::

    {"type": "observation", "datastream_id", "thing_id", "time", "value"}
    {"type": "alarm", "alarm_id", "thing_id", "datastream_id", "severity", "status"}

``LiveFeed.listen`` is a bus listener (``bus.subscribe(feed.listen)``); ``alarm_changed`` takes the
``AlarmChange`` list the engine and the alarm services return.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from cityhub.sensing.sta.values import format_instant

if TYPE_CHECKING:
    from cityhub.sensing.alarms.lifecycle import AlarmChange
    from cityhub.sensing.observations import StoredObservation

Event = dict[str, Any]
DEFAULT_CAPACITY = 1000  # events buffered per client: a minute of a busy station network


def observation_value(item: StoredObservation) -> Any:
    """What a chart plots for an Observation: its number, 1/0 for a boolean, else the result."""
    if item.result_number is not None:
        return item.result_number
    if isinstance(item.result, bool):
        return 1.0 if item.result else 0.0
    return item.result


def observation_event(item: StoredObservation) -> Event:
    """The live event of one stored Observation."""
    return {
        "type": "observation",
        "datastream_id": item.datastream_id,
        "thing_id": item.thing_id,
        "time": format_instant(item.phenomenon_time),
        "value": observation_value(item),
    }


def alarm_event(change: AlarmChange) -> Event:
    """The live event of one alarm change (raised, escalated, acknowledged, cleared …)."""
    return {
        "type": "alarm",
        "alarm_id": change.alarm_id,
        "thing_id": change.thing_id,
        "datastream_id": change.datastream_id,
        "severity": change.severity.value,
        "status": change.status.value,
    }


@dataclass(frozen=True)
class LiveScope:
    """Which events one client may receive: alarms of the stations it sees, values of the
    Datastreams it reads; None: every one (admins). Made by ``dashboard.live_scope``."""

    things: frozenset[int] | None
    datastreams: frozenset[int] | None

    def allows(self, event: Event) -> bool:
        """Whether ``event`` concerns a station or a Datastream the client may see."""
        if event.get("type") == "observation":
            return self.datastreams is None or event.get("datastream_id") in self.datastreams
        if event.get("type") == "alarm":
            return self.things is None or event.get("thing_id") in self.things
        return False


class Subscription:
    """One client's view of the feed: an async iterator over the events published since it
    subscribed. Use it as a context manager so that it leaves the feed when the client goes."""

    def __init__(self, feed: LiveFeed, loop: asyncio.AbstractEventLoop, capacity: int) -> None:
        self._feed = feed
        self._loop = loop
        self._capacity = capacity
        self._buffer: deque[Event] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._ready = asyncio.Event()
        self._wake_pending = False
        self._closed = False
        self.dropped = 0

    @property
    def closed(self) -> bool:
        """True once the subscription or its feed was closed."""
        return self._closed

    def offer(self, events: Sequence[Event]) -> None:
        """Buffer ``events`` (from any thread), dropping the oldest beyond the capacity."""
        with self._lock:
            if self._closed or not events:
                return
            overflow = len(self._buffer) + len(events) - self._capacity
            if overflow > 0:
                self.dropped += overflow
            self._buffer.extend(events)
            if self._wake_pending:
                return
            self._wake_pending = True
        self._wake()

    def _wake(self) -> None:
        try:
            self._loop.call_soon_threadsafe(self._ready.set)
        except RuntimeError:  # the client's event loop is closed: nobody is listening any more
            self.close()

    async def next_event(self, timeout: float | None = None) -> Event | None:
        """The next event; None when ``timeout`` seconds pass first or the subscription closes."""
        while True:
            with self._lock:
                if self._buffer:
                    return self._buffer.popleft()
                if self._closed:
                    return None
                # Cleared under the lock: a publisher that comes after sets it again.
                self._wake_pending = False
                self._ready.clear()
            try:
                await asyncio.wait_for(self._ready.wait(), timeout)
            except TimeoutError:
                return None

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        event = await self.next_event()
        if event is None:
            raise StopAsyncIteration
        return event

    def close(self) -> None:
        """Leave the feed; a waiting ``next_event`` returns None."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._buffer.clear()
        self._feed._forget(self)
        with contextlib.suppress(RuntimeError):  # a closed loop has nobody waiting any more
            self._loop.call_soon_threadsafe(self._ready.set)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class LiveFeed:
    """Broadcast events to every current subscriber; one per app process."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("a subscription must hold at least one event")
        self.capacity = capacity
        self._subscriptions: set[Subscription] = set()
        self._lock = threading.Lock()
        self._closed = False

    @property
    def subscribers(self) -> int:
        """How many clients listen now."""
        return len(self._subscriptions)

    def subscribe(self) -> Subscription:
        """A new subscription for the calling task's event loop (call it inside the loop).

        A closed feed gives a subscription that is closed already, so its iteration ends at once.
        """
        subscription = Subscription(self, asyncio.get_running_loop(), self.capacity)
        with self._lock:
            if not self._closed:
                self._subscriptions.add(subscription)
                return subscription
        subscription.close()
        return subscription

    def publish(self, event: Event) -> None:
        """Send ``event`` to every subscriber (thread-safe, never blocks on a client)."""
        self.publish_many([event])

    def publish_many(self, events: Sequence[Event]) -> None:
        """Send ``events``, in order, to every subscriber."""
        if not events:
            return
        with self._lock:
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            subscription.offer(events)

    def listen(self, stored: list[StoredObservation]) -> None:
        """Bus listener: publish each stored Observation (nothing is built when nobody listens)."""
        if self._subscriptions:
            self.publish_many([observation_event(item) for item in stored])

    def alarm_changed(self, changes: Iterable[AlarmChange]) -> None:
        """Publish the alarm changes the engine or an alarm service reported."""
        self.publish_many([alarm_event(change) for change in changes])

    def close(self) -> None:
        """End every subscription and refuse new ones (the app is stopping)."""
        with self._lock:
            self._closed = True
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            subscription.close()

    def _forget(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)
