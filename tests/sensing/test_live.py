"""The live feed: every subscriber gets what is published after it subscribed, in order, from any
thread; a slow subscriber loses the oldest events and never holds up a publisher."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from cityhub.sensing.alarms import AlarmChange, AlarmStatus, EventKind, Severity
from cityhub.sensing.live import LiveFeed, LiveScope, Subscription, alarm_event, observation_value
from cityhub.sensing.observations import StoredObservation

AT = datetime(2024, 7, 10, 8, 0, tzinfo=UTC)


def stored(result: Any, number: float | None = None, datastream_id: int = 7) -> StoredObservation:
    return StoredObservation(1, datastream_id, 3, AT, result, number, None)


async def drain(subscription: Subscription, timeout: float = 0.05) -> list[dict[str, Any]]:
    """Every event buffered now (or arriving within ``timeout``)."""
    found = []
    while (event := await subscription.next_event(timeout)) is not None:
        found.append(event)
    return found


def test_each_subscriber_gets_what_follows_its_subscription_in_order() -> None:
    async def scenario() -> None:
        feed = LiveFeed()
        feed.publish({"n": 0})  # nobody listens yet: lost, as intended
        with feed.subscribe() as first:
            feed.publish({"n": 1})
            with feed.subscribe() as second:
                feed.publish_many([{"n": 2}, {"n": 3}])
                assert feed.subscribers == 2
                assert [e["n"] for e in await drain(first)] == [1, 2, 3]
                assert [e["n"] for e in await drain(second)] == [2, 3]
            feed.publish({"n": 4})
            assert feed.subscribers == 1 and second.closed
            assert [e["n"] for e in await drain(first)] == [4]
        assert feed.subscribers == 0

    asyncio.run(scenario())


def test_publishers_in_many_threads_reach_a_waiting_subscriber() -> None:
    threads, per_thread = 8, 500

    async def scenario() -> None:
        feed = LiveFeed(capacity=threads * per_thread)
        with feed.subscribe() as subscription:

            def publish(thread: int) -> None:
                for n in range(per_thread):
                    feed.publish({"thread": thread, "n": n})

            workers = [threading.Thread(target=publish, args=(t,)) for t in range(threads)]
            for worker in workers:
                worker.start()
            received: list[dict[str, Any]] = []
            while len(received) < threads * per_thread:
                event = await subscription.next_event(timeout=5)
                assert event is not None, f"stalled after {len(received)} events"
                received.append(event)
            for worker in workers:
                worker.join()
        for thread in range(threads):
            assert [e["n"] for e in received if e["thread"] == thread] == list(range(per_thread))
        assert subscription.dropped == 0

    asyncio.run(scenario())


def test_a_slow_subscriber_keeps_the_newest_and_never_blocks_the_publisher() -> None:
    async def scenario() -> None:
        feed = LiveFeed(capacity=3)
        with feed.subscribe() as slow:
            started = time.monotonic()
            for n in range(20_000):
                feed.publish({"n": n})
            assert time.monotonic() - started < 2.0
            assert [e["n"] for e in await drain(slow)] == [19_997, 19_998, 19_999]
            assert slow.dropped == 19_997

    asyncio.run(scenario())


def test_waiting_times_out_and_closing_ends_the_iteration() -> None:
    async def scenario() -> None:
        feed = LiveFeed()
        subscription = feed.subscribe()
        assert await subscription.next_event(timeout=0.01) is None

        async def collect() -> list[dict[str, Any]]:
            return [event async for event in subscription]

        task = asyncio.create_task(collect())
        await asyncio.sleep(0.01)
        threading.Thread(target=feed.publish, args=({"n": 1},)).start()
        await asyncio.sleep(0.05)
        feed.close()
        assert await asyncio.wait_for(task, 1) == [{"n": 1}]
        late = feed.subscribe()
        assert late.closed and await late.next_event(timeout=1) is None
        feed.publish({"n": 2})  # nobody left: a no-op
        assert feed.subscribers == 0

    asyncio.run(scenario())


def test_a_subscriber_whose_loop_is_gone_is_dropped_without_error() -> None:
    feed = LiveFeed()

    async def subscribe() -> Subscription:
        return feed.subscribe()

    orphan = asyncio.run(subscribe())  # asyncio.run closes the loop afterwards
    feed.publish({"n": 1})
    assert orphan.closed and feed.subscribers == 0


@pytest.mark.parametrize(
    ("observation", "value"),
    [
        (stored(32.5, 32.5), 32.5),
        (stored(3, 3.0), 3.0),
        (stored(True), 1.0),
        (stored(False), 0.0),
        (stored("sensor fault"), "sensor fault"),
        (stored({"h": 1}), {"h": 1}),
    ],
    ids=["float", "int", "true", "false", "text", "json"],
)
def test_observation_values_are_what_a_chart_plots(
    observation: StoredObservation, value: Any
) -> None:
    assert observation_value(observation) == value


def test_the_bus_listener_publishes_observations_only_to_listeners() -> None:
    async def scenario() -> None:
        feed = LiveFeed()
        feed.listen([stored(1.5, 1.5)])  # no subscriber: nothing is built
        with feed.subscribe() as subscription:
            feed.listen([stored(31.2, 31.2, datastream_id=4)])
            assert await drain(subscription) == [
                {
                    "type": "observation",
                    "datastream_id": 4,
                    "thing_id": 3,
                    "time": "2024-07-10T08:00:00Z",
                    "value": 31.2,
                }
            ]

    asyncio.run(scenario())


def test_alarm_changes_become_alarm_events() -> None:
    change = AlarmChange(
        alarm_id=9,
        rule_id=2,
        source_id=4,
        thing_id=3,
        datastream_id=4,
        kind=EventKind.ESCALATED,
        severity=Severity.ORANGE,
        previous_severity=Severity.YELLOW,
        status=AlarmStatus.ACTIVE,
        value=33.1,
        at=AT,
    )
    assert alarm_event(change) == {
        "type": "alarm",
        "alarm_id": 9,
        "thing_id": 3,
        "datastream_id": 4,
        "severity": "orange",
        "status": "active",
    }

    async def scenario() -> None:
        feed = LiveFeed()
        with feed.subscribe() as subscription:
            feed.alarm_changed([change])
            assert [e["alarm_id"] for e in await drain(subscription)] == [9]

    asyncio.run(scenario())


OBSERVATION = {"type": "observation", "datastream_id": 4, "thing_id": 3}
ALARM = {"type": "alarm", "alarm_id": 1, "thing_id": 3, "datastream_id": 4}


@pytest.mark.parametrize(
    ("scope", "event", "allowed"),
    [
        (LiveScope(None, None), OBSERVATION, True),
        (LiveScope(None, None), ALARM, True),
        (LiveScope(frozenset({3}), frozenset({4})), OBSERVATION, True),
        (LiveScope(frozenset({3}), frozenset({5})), OBSERVATION, False),
        (LiveScope(frozenset({3}), frozenset()), ALARM, True),
        (LiveScope(frozenset({8}), frozenset({4})), ALARM, False),
        (LiveScope(None, None), {"type": "hello"}, False),
        (LiveScope(frozenset({3}), frozenset({4})), {"thing_id": 3}, False),
    ],
)
def test_scope_lets_through_what_the_actor_sees(
    scope: LiveScope, event: dict[str, Any], allowed: bool
) -> None:
    assert scope.allows(event) is allowed


def test_capacity_must_hold_an_event() -> None:
    with pytest.raises(ValueError, match="at least one"):
        LiveFeed(capacity=0)
