"""Webhook delivery against a real local HTTP server: retries, back-off, order, giving up."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.db import Database
from cityhub.sensing.alarms import (
    AlarmEngine,
    AlarmEvent,
    AlarmNotification,
    NotificationStatus,
    Notifier,
    create_rule,
    gas_rule,
)
from tests.sensing.alarms.conftest import ADMIN, T0, City, Clock, minutes, obs


class Controller:
    """A ventilation controller: answers each POST with the next status of ``script``
    (200 once the script runs out) and keeps what it received."""

    def __init__(self, script: list[int]) -> None:
        self.script = list(script)
        self.received: list[tuple[dict[str, Any], str]] = []
        self.lock = threading.Lock()
        controller = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with controller.lock:
                    controller.received.append((json.loads(body), self.headers["Idempotency-Key"]))
                    status = controller.script.pop(0) if controller.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ventilate"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[str]:
        with self.lock:
            return [payload["event"] for payload, _ in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def controller() -> Iterator[Controller]:
    started = Controller([500, 503])  # fails the first two attempts, then works
    yield started
    started.close()


def raise_gas_alarm(db: Database, city: City, clock: Clock, url: str, *levels: float) -> None:
    create_rule(db, ADMIN, gas_rule(city.tunnel_ch4, action_url=url), now=T0)
    engine = AlarmEngine(db, clock)
    for minute, level in enumerate(levels):
        engine.observe([obs(city, city.tunnel_ch4, minutes(minute), level)])


def outbox(db: Database) -> list[AlarmNotification]:
    with db.reading() as session:
        return list(session.scalars(select(AlarmNotification).order_by(AlarmNotification.id)))


def history(db: Database) -> list[str]:
    with db.reading() as session:
        return list(session.scalars(select(AlarmEvent.kind).order_by(AlarmEvent.id)))


def test_failed_deliveries_are_retried_with_back_off(
    db: Database, city: City, clock: Clock, controller: Controller
) -> None:
    raise_gas_alarm(db, city, clock, controller.url, 22.0)
    notifier = Notifier(db, clock=clock, first_delay=10)
    now = clock.now
    assert notifier.deliver_due(now) == 1
    (row,) = outbox(db)
    assert (row.attempts, row.last_error, row.next_attempt_at) == (
        1,
        "HTTP 500",
        now + timedelta(seconds=10),
    )
    assert notifier.deliver_due(now + timedelta(seconds=9)) == 0  # not due yet
    clock.now = now + timedelta(seconds=10)
    assert notifier.deliver_due() == 1
    assert outbox(db)[0].next_attempt_at == clock.now + timedelta(seconds=20)  # doubled
    clock.now += timedelta(seconds=20)
    assert notifier.deliver_due() == 1
    (row,) = outbox(db)
    assert (row.status, row.attempts, row.delivered_at) == ("delivered", 3, clock.now)
    assert notifier.deliver_due(clock.now + timedelta(hours=1)) == 0
    assert history(db) == ["raised", "notify_failed", "notify_failed", "notified"]
    payload, key = controller.received[0]
    assert [k for _, k in controller.received] == [key] * 3  # one key: the receiver can dedupe
    assert payload["event"] == "raised" and payload["severity"] == "orange"
    assert payload["value"] == 22.0 and payload["thing_id"] == city.tunnel
    with db.reading() as session:
        outcomes = session.scalars(
            select(AuditEvent.outcome).where(AuditEvent.action == "alarm.notify")
        ).all()
    assert outcomes == ["failure", "failure", "success"]


def test_an_alarms_events_are_delivered_in_order(
    db: Database, city: City, clock: Clock, controller: Controller
) -> None:
    raise_gas_alarm(db, city, clock, controller.url, 22.0, 36.0, 5.0)  # raise, escalate, clear
    notifier = Notifier(db, clock=clock, first_delay=1)
    for _ in range(6):
        clock.advance(seconds=10)
        notifier.deliver_due()
    assert controller.events() == ["raised", "raised", "raised", "escalated", "cleared"]
    assert {row.status for row in outbox(db)} == {NotificationStatus.DELIVERED.value}


def test_delivery_gives_up_after_the_last_attempt(db: Database, city: City, clock: Clock) -> None:
    closed = Controller([])
    url = closed.url
    closed.close()  # nothing listens there any more
    raise_gas_alarm(db, city, clock, url, 22.0)
    notifier = Notifier(db, clock=clock, max_attempts=3, first_delay=1)
    for _ in range(5):
        clock.advance(seconds=60)
        notifier.deliver_due()
    (row,) = outbox(db)
    assert (row.status, row.attempts) == ("failed", 3)
    assert "Connection refused" in (row.last_error or "")
    with db.reading() as session:
        last = session.scalars(select(AlarmEvent).order_by(AlarmEvent.id.desc())).first()
    assert last is not None and last.details["gave_up"] is True


def test_the_background_thread_delivers(
    db: Database, city: City, clock: Clock, controller: Controller
) -> None:
    raise_gas_alarm(db, city, clock, controller.url, 25.0)
    notifier = Notifier(db, interval=0.05, first_delay=0.05)  # the real clock
    notifier.start()
    try:
        notifier.wake()
        deadline = time.monotonic() + 10
        while outbox(db)[0].status != "delivered" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        notifier.stop()
    assert outbox(db)[0].status == "delivered"
    assert controller.events() == ["raised"] * 3


def test_no_action_no_outbox(db: Database, city: City, clock: Clock) -> None:
    create_rule(db, ADMIN, gas_rule(city.tunnel_ch4), now=T0)
    AlarmEngine(db, clock).observe([obs(city, city.tunnel_ch4, minutes(0), 30.0)])
    assert outbox(db) == []
