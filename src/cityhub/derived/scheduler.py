"""Refreshing derived datasets on their schedule: what is due, and a background thread.

``refresh_due`` is the whole job; the web app runs it every ``CITYHUB_DERIVED_SCHEDULER_SECONDS``
in a thread, and ``cityhub derived refresh --due`` runs it once (for cron). Each due definition
is first *claimed* by moving its ``next_due_at`` forward in a conditional UPDATE, so two
processes (two web workers, or the web app and a cron job) never refresh the same one twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from cityhub.db import Database, utcnow
from cityhub.derived.materialise import materialise, reader_of
from cityhub.derived.models import DerivedDefinition
from cityhub.derived.schedule import Schedule, next_due
from cityhub.errors import CityhubError
from cityhub.pool.service import Pool

log = logging.getLogger(__name__)

SCHEDULER_ADDRESS = "scheduler"  # client address of scheduled refreshes in the audit trail


@dataclass(frozen=True)
class DueOutcome:
    """What became of one due refresh: a new version, or the error (also in ``last_error``)."""

    dataset: str
    version: int | None
    error: str | None


def due(db: Database, now: datetime) -> list[DerivedDefinition]:
    """Definitions whose next refresh is due at ``now``, the longest overdue first."""
    query = (
        select(DerivedDefinition)
        .where(DerivedDefinition.next_due_at.is_not(None), DerivedDefinition.next_due_at <= now)
        .order_by(DerivedDefinition.next_due_at, DerivedDefinition.id)
    )
    with db.reading() as session:
        return list(session.scalars(query))


def _claim(db: Database, definition: DerivedDefinition, now: datetime) -> bool:
    """Move the next due time forward unless another process has done so already."""
    with db.transaction() as session:
        result = session.execute(
            update(DerivedDefinition)
            .where(
                DerivedDefinition.id == definition.id,
                DerivedDefinition.next_due_at == definition.next_due_at,
            )
            .values(next_due_at=next_due(Schedule(definition.schedule), now))
        )
        return bool(getattr(result, "rowcount", 0) == 1)


def refresh_due(db: Database, pool: Pool, now: datetime) -> list[DueOutcome]:
    """Refresh every due derived dataset, each as its definer; one failure stops no other."""
    outcomes = []
    for definition in due(db, now):
        if not _claim(db, definition, now):
            continue
        name = definition.dataset.name
        actor = reader_of(definition.department.code, definition.defined_by, SCHEDULER_ADDRESS)
        try:
            done = materialise(db, actor, pool, definition.id, now=now)
        except Exception as exc:  # kept in last_error by materialise; the others still run
            message = exc.message if isinstance(exc, CityhubError) else repr(exc)
            log.warning("scheduled refresh of %s failed: %s", name, message)
            outcomes.append(DueOutcome(name, None, message))
            continue
        outcomes.append(DueOutcome(name, done.version, None))
    return outcomes


class Scheduler:
    """A daemon thread that calls ``refresh_due`` every ``interval`` seconds until stopped.

    >>> scheduler = Scheduler(db, pool, interval=60)
    >>> scheduler.start()
    >>> scheduler.stop()  # waits for a refresh under way to finish (up to ``timeout``)
    """

    def __init__(
        self,
        db: Database,
        pool: Pool,
        interval: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db, self.pool, self.interval, self.clock = db, pool, interval, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="derived-scheduler", daemon=True)

    def start(self) -> None:
        """Start the thread; the first look is one interval after the start."""
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to stop and wait for it."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                refresh_due(self.db, self.pool, self.clock())
            except Exception:  # a broken database must not end the thread for good
                log.exception("the derived-dataset scheduler failed; it tries again later")


def start_scheduler(db: Database, pool: Pool, interval: float) -> Scheduler | None:
    """A started scheduler, or None when ``interval`` is 0 (switched off)."""
    if interval <= 0:
        return None
    scheduler = Scheduler(db, pool, interval)
    scheduler.start()
    return scheduler
