"""Webhook delivery of alarm events from the outbox (``alarm_notifications``).

The engine only writes outbox rows, in the transaction of the change, so a notification is
never lost and never sent for a change that rolled back. The ``Notifier`` POSTs them as JSON
(with an ``Idempotency-Key`` so a receiver can drop a repeat), one alarm's events in order — a
"cleared" never overtakes the "raised" still being retried, or a ventilation controller would
end up running for nothing. A failure is retried after ``first_delay`` × 2^(attempt−1) seconds
(capped at ``max_delay``) until ``max_attempts``; every attempt is in the alarm's history and
the audit trail. Rows are claimed by a conditional UPDATE, so two notifiers never send the same
row at once. Plain ``urllib``: one POST at a time needs no HTTP client dependency.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from cityhub import audit
from cityhub.audit import Outcome
from cityhub.db import Database, utcnow
from cityhub.sensing.alarms.lifecycle import SYSTEM
from cityhub.sensing.alarms.models import AlarmEvent, AlarmNotification
from cityhub.sensing.alarms.vocab import EventKind, NotificationStatus

log = logging.getLogger(__name__)

Sender = Callable[[str, dict[str, Any], str], str | None]  # (url, payload, key) → error or None
PENDING = NotificationStatus.PENDING.value
SCAN_LIMIT = 500


def post_json(url: str, payload: dict[str, Any], key: str, *, timeout: float = 5.0) -> str | None:
    """POST ``payload``; None on a 2xx answer, else what went wrong."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": key,
            "User-Agent": "cityhub-alarms",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"{type(exc).__name__}: {reason}"
    return None if 200 <= status < 300 else f"HTTP {status}"


class Notifier:
    """Deliver due outbox rows, in a background thread (``start``/``stop``) or by hand
    (``deliver_due``).

    >>> notifier = Notifier(db)
    >>> notifier.start()
    >>> notifier.wake()   # after the engine raised something: deliver now, not in a second
    >>> notifier.stop()
    """

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = utcnow,
        interval: float = 1.0,
        timeout: float = 5.0,
        max_attempts: int = 8,
        first_delay: float = 5.0,
        max_delay: float = 900.0,
        send: Sender | None = None,
    ) -> None:
        self.db, self.clock, self.interval = db, clock, interval
        self.max_attempts, self.first_delay, self.max_delay = max_attempts, first_delay, max_delay
        self.lease = timedelta(seconds=timeout + 30)  # a crashed sender's claim runs out
        self._send: Sender = send or (lambda u, p, k: post_json(u, p, k, timeout=timeout))
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def delay(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failure."""
        return timedelta(seconds=min(self.max_delay, self.first_delay * 2 ** (attempts - 1)))

    def deliver_due(self, now: datetime | None = None) -> int:
        """Attempt every due row (the oldest pending one of each alarm); how many were tried."""
        now = now or self.clock()
        with self.db.reading() as session:
            pending = session.execute(
                select(
                    AlarmNotification.id,
                    AlarmNotification.alarm_id,
                    AlarmNotification.next_attempt_at,
                )
                .where(AlarmNotification.status == PENDING)
                .order_by(AlarmNotification.id)
                .limit(SCAN_LIMIT)
            ).all()
        first: dict[int, Any] = {}
        for row in pending:
            first.setdefault(row.alarm_id, row)
        tried = 0
        for row in first.values():
            if row.next_attempt_at <= now and self._claim(row.id, row.next_attempt_at, now):
                self._attempt(row.id)
                tried += 1
        return tried

    def _claim(self, notification_id: int, due: datetime, now: datetime) -> bool:
        with self.db.transaction() as session:
            result = session.execute(
                update(AlarmNotification)
                .where(
                    AlarmNotification.id == notification_id,
                    AlarmNotification.status == PENDING,
                    AlarmNotification.next_attempt_at == due,
                )
                .values(next_attempt_at=now + self.lease)
            )
            return bool(getattr(result, "rowcount", 0) == 1)

    def _attempt(self, notification_id: int) -> None:
        with self.db.reading() as session:
            row = session.get(AlarmNotification, notification_id)
            if row is None:  # its alarm was deleted with its station meanwhile
                return
            url, payload = row.url, dict(row.payload)
        error = self._send(url, payload, f"cityhub-alarm-notification-{notification_id}")
        self._record(notification_id, error, self.clock())

    def _record(self, notification_id: int, error: str | None, now: datetime) -> None:
        with self.db.transaction() as session:
            row = session.get(AlarmNotification, notification_id, with_for_update=True)
            if row is None:
                return
            row.attempts += 1
            details: dict[str, Any] = {
                "notification_id": row.id,
                "event_id": row.event_id,
                "url": row.url,
                "attempt": row.attempts,
            }
            if error is None:
                row.status = NotificationStatus.DELIVERED.value
                row.delivered_at, row.last_error = now, None
                kind = EventKind.NOTIFIED
            else:
                row.last_error = error[:1000]
                details["error"] = row.last_error
                kind = EventKind.NOTIFY_FAILED
                if row.attempts >= self.max_attempts:
                    row.status = NotificationStatus.FAILED.value
                    details["gave_up"] = True
                else:
                    row.next_attempt_at = now + self.delay(row.attempts)
                    details["next_attempt_at"] = row.next_attempt_at.isoformat()
            session.add(
                AlarmEvent(
                    alarm_id=row.alarm_id,
                    kind=kind.value,
                    severity=row.payload.get("severity"),
                    actor=SYSTEM.username,
                    at=now,
                    details=details,
                )
            )
            audit.record(
                session,
                SYSTEM,
                "alarm.notify",
                object_type="alarm",
                object_id=str(row.alarm_id),
                outcome=Outcome.SUCCESS if error is None else Outcome.FAILURE,
                details=details,
            )
        if error is not None:
            log.warning(
                "alarm webhook %s failed (attempt %s): %s",
                details["url"],
                details["attempt"],
                error,
            )

    # -- background thread ----------------------------------------------------------------

    def start(self) -> None:
        """Deliver in a daemon thread every ``interval`` seconds (and on ``wake``)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="alarm-notifier", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the outbox now rather than at the next interval."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread, letting a delivery under way finish (up to ``timeout``)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliver_due()
            except Exception:  # a broken database must not end the thread for good
                log.exception("alarm notifier failed; it tries again later")
            self._wake.wait(self.interval)
            self._wake.clear()
