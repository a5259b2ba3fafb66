"""Store Observations published over MQTT in batches: one transaction for many messages.

Storing each message in a transaction of its own tops out at a few hundred per second; the
ingester collects what arrives within ``max_delay`` seconds (up to ``batch_size`` messages and
``MAX_BATCH_BYTES`` of payload: a message may hold an array of Observations),
checks each message on its own — payload, Datastream, result type, FeatureOfInterest, write
access of its publisher — and stores the good ones of each publisher with one
``ingest.ingest`` call (one transaction, one audit row, one bus publication). A bad message
is logged, reported to ``on_error`` and dropped; it never holds up the others. Should a
batch still fail in the database, its messages are stored one by one so that only the
culprit is lost.

One worker thread does the work; ``submit`` only queues, so the broker's event loop never
waits for the database.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import CityhubError
from cityhub.sensing.bus import Bus
from cityhub.sensing.ingest import ingest
from cityhub.sensing.mqtt.batch import Incoming, Pending, check_batch, parse_batch

__all__ = ["ErrorHandler", "Incoming", "IngestStats", "ObservationIngester"]
log = logging.getLogger("cityhub.sensing.mqtt")
ErrorHandler = Callable[[Incoming, CityhubError], None]
_STOP = object()
MAX_BATCH_BYTES = 4 * 1024 * 1024
LOGGED_REFUSALS = 20  # per minute; the others are counted


@dataclass
class IngestStats:
    """Counters since start: Observations stored and refused (bad or not allowed), messages
    dropped (queue full)."""

    stored: int = 0
    refused: int = 0
    dropped: int = 0


class ObservationIngester:
    """A worker thread that stores published Observations in batches."""

    def __init__(
        self,
        db: Database,
        bus: Bus | None,
        *,
        batch_size: int = 1000,
        max_delay: float = 0.005,
        max_queue: int = 200_000,
        on_error: ErrorHandler | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.batch_size = batch_size
        self.max_delay = max_delay
        self.on_error = on_error
        self.stats = IngestStats()
        self._queue: queue.Queue[Incoming | object] = queue.Queue(maxsize=max_queue)
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._pending = 0  # submitted and not yet handled
        self._warned_full = 0.0
        self._log_window = 0.0
        self._logged = 0
        self._unlogged = 0

    def start(self) -> None:
        """Start the worker thread."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="mqtt-ingest", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Store what is queued, then end the worker thread."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._queue.put(_STOP)
        thread.join(timeout)

    def submit(self, message: Incoming) -> bool:
        """Queue ``message``; False (and the message dropped) when the queue is full."""
        with self._idle:
            self._pending += 1
        try:
            self._queue.put_nowait(message)
        except queue.Full:
            self._done(1)
            self.stats.dropped += 1
            now = time.monotonic()
            if now - self._warned_full > 10:
                self._warned_full = now
                log.warning("MQTT ingest queue full: dropping messages (database too slow?)")
            return False
        return True

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every message submitted so far is stored or refused."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    # --- the worker -------------------------------------------------------------------------

    def _done(self, count: int) -> None:
        with self._idle:
            self._pending -= count
            if self._pending == 0:
                self._idle.notify_all()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            batch: list[Incoming] = []
            if first is _STOP:
                stopping = True
            else:
                assert isinstance(first, Incoming)
                batch.append(first)
                stopping = self._collect(batch)
            if not batch:
                continue
            try:
                self.handle(batch)
            except Exception:  # the worker must survive anything a batch does
                log.exception("MQTT ingest: a batch of %d messages failed", len(batch))
                self.stats.refused += len(batch)
            finally:
                self._done(len(batch))

    def _collect(self, batch: list[Incoming]) -> bool:
        """Add what arrives within ``max_delay`` to ``batch``; True when told to stop."""
        deadline = time.monotonic() + self.max_delay
        size = sum(len(item.payload) for item in batch)
        while len(batch) < self.batch_size and size < MAX_BATCH_BYTES:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                try:
                    item = self._queue.get(timeout=remaining)
                except queue.Empty:
                    return False
            if item is _STOP:
                return True
            assert isinstance(item, Incoming)
            batch.append(item)
            size += len(item.payload)
        return False

    def handle(self, batch: Sequence[Incoming]) -> None:
        """Check and store ``batch`` now, in the calling thread."""
        pending, refused = parse_batch(batch)
        good, more = check_batch(self.db, pending) if pending else ([], [])
        for message, error in [*refused, *more]:
            self._refuse(message, error)
        by_actor: dict[Actor, list[Pending]] = {}
        for item in good:
            by_actor.setdefault(item.message.actor, []).append(item)
        for actor, group in by_actor.items():
            self._store(actor, group)

    def _store(self, actor: Actor, group: list[Pending]) -> None:
        try:
            rows = [item.row for item in group]
            stored = ingest(self.db, actor, rows, bus=self.bus, source="mqtt")
        except Exception as error:
            if len(group) == 1:
                if not isinstance(error, CityhubError):
                    log.exception("MQTT ingest: storing one Observation failed")
                    error = CityhubError("could not store the Observation")
                self._refuse(group[0].message, group[0].mark(error))
                return
            # Something in the batch is wrong after all (a Datastream deleted meanwhile, a Thing
            # without Location): store one by one so that only the culprits are lost.
            log.info("MQTT ingest: batch of %d failed (%s), storing one by one", len(group), error)
            for item in group:
                self._store(actor, [item])
            return
        self.stats.stored += len(stored)

    def _refuse(self, message: Incoming, error: CityhubError) -> None:
        self.stats.refused += 1
        now = time.monotonic()
        if now - self._log_window > 60:
            if self._unlogged:
                log.warning("MQTT: %d more refused messages were not logged", self._unlogged)
            self._log_window, self._logged, self._unlogged = now, 0, 0
        if self._logged < LOGGED_REFUSALS:  # a flood of bad messages must not flood the log
            self._logged += 1
            log.warning(
                "MQTT: refused a message from %s on %r: %s %s",
                message.client_id or message.actor.username,
                message.topic[:200],
                error.message,
                error.details,
            )
        else:
            self._unlogged += 1
        if self.on_error is not None:
            try:
                self.on_error(message, error)
            except Exception:
                log.exception("MQTT: reporting a refused message failed")
