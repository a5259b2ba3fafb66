"""Background workers: which ones a process may run, and an election so that each runs once.

A worker is a background service that must not run twice against one database: the SL 651
gateway and the embedded MQTT broker bind a port, the others are schedules (alarm sweep and
webhooks, roll-up, derived refreshes, audit anchoring). ``CITYHUB_WORKERS`` says which of them
a process may run; the ``Supervisor`` then runs a worker only while it holds the worker's lock
(``cityhub.db.locks``, a PostgreSQL advisory lock or a flock beside a SQLite file). A process
that did not get a lock stands by and tries again every ``worker_standby_seconds``, so it takes
the worker over once the holder is gone; a holder whose lock connection broke stops the worker
and stands by too. See docs/architecture.md, "Several processes".
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import text

from cityhub.db import Database
from cityhub.db.locks import Held, LockKind, acquire, key_of
from cityhub.errors import ConfigurationError

log = logging.getLogger(__name__)

# Every worker, in the order a process starts them (and stops them in reverse).
WORKER_NAMES = ("derived", "alarms", "rollup", "sl651", "mqtt", "anchor")
ALL, NONE = "all", "none"


def parse_workers(value: str) -> tuple[str, ...]:
    """The worker names of a ``CITYHUB_WORKERS`` value (``all``, ``none`` or a comma list), in
    start order; ConfigurationError naming a bad entry."""
    names = [part.strip().lower() for part in value.split(",") if part.strip()]
    if names == [ALL]:
        return WORKER_NAMES
    if names == [NONE]:
        return ()
    known = ", ".join(sorted(WORKER_NAMES))
    if not names:
        raise ConfigurationError(
            f"no worker named in {value!r}: give all, none, or a comma list of {known}",
            details={"setting": "workers"},
        )
    for name in names:
        if name in (ALL, NONE):
            raise ConfigurationError(
                f"'{name}' cannot be combined with worker names in {value!r}",
                details={"setting": "workers", "worker": name},
            )
        if name not in WORKER_NAMES:
            raise ConfigurationError(
                f"unknown worker {name!r} in {value!r}: the workers are {known} (or all, none)",
                details={"setting": "workers", "worker": name},
            )
    return tuple(name for name in WORKER_NAMES if name in names)


@dataclass(frozen=True)
class Worker:
    """A background service under election: how to start it and how to stop it.

    ``start`` raises when the service cannot run (a port taken); ``stop`` undoes it and may
    be called only after a successful ``start``.
    """

    name: str
    start: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]]

    @classmethod
    def threaded(cls, name: str, start: Callable[[], None], stop: Callable[[], None]) -> Worker:
        """A worker whose start and stop are blocking calls (threads to start, join): they run
        off the event loop, which keeps serving requests meanwhile."""

        async def begin() -> None:
            await asyncio.to_thread(start)

        async def end() -> None:
            await asyncio.to_thread(stop)

        return cls(name, begin, end)


def _order(name: str) -> int:
    return WORKER_NAMES.index(name) if name in WORKER_NAMES else len(WORKER_NAMES)


def this_process() -> str:
    """How log lines name this process: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _scope(db: Database) -> str:
    """What a worker lock's key is scoped to besides the worker's name.

    Advisory locks belong to a PostgreSQL database, but a platform is one schema of it: two
    platforms in two schemas of one database (the test suite runs so) each elect their own
    workers. A SQLite lock file lies beside its database, which scopes it already.
    """
    if db.dialect != "postgresql":
        return ""
    with db.engine.connect() as connection:
        return str(connection.execute(text("SELECT current_schema()")).scalar() or "")


class Supervisor:
    """Runs the workers this process may run, each while it holds the worker's lock.

    >>> supervisor = Supervisor(db, [worker, ...], allowed=("sl651",), standby_seconds=5.0)
    >>> await supervisor.start()  # the first election is done when this returns
    >>> supervisor.running, supervisor.standby
    >>> await supervisor.stop()  # stops what runs here, frees the locks
    """

    def __init__(
        self,
        db: Database,
        workers: Sequence[Worker],
        *,
        allowed: Iterable[str],
        standby_seconds: float,
    ) -> None:
        permitted = set(allowed)
        self.db = db
        self.standby_seconds = standby_seconds
        self.workers = sorted(
            (worker for worker in workers if worker.name in permitted),
            key=lambda worker: _order(worker.name),
        )
        self._held: dict[str, Held] = {}
        self._told_standby: set[str] = set()  # standing by is logged once, not every retry
        self._scope = ""
        self._closing: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> tuple[str, ...]:
        """The workers this process runs now, in start order."""
        return tuple(worker.name for worker in self.workers if worker.name in self._held)

    @property
    def standby(self) -> tuple[str, ...]:
        """The workers this process may run but another process runs now (none before the
        start and after the stop: then it is not in the election)."""
        if self._task is None:
            return ()
        return tuple(worker.name for worker in self.workers if worker.name not in self._held)

    async def start(self) -> None:
        """Elect: start every worker whose lock is free, then keep watching in a task.

        A worker that fails to start in this first round fails the start (as a port taken
        failed the app before there were workers); what had started is stopped again.
        """
        self._closing = asyncio.Event()
        self._scope = await asyncio.to_thread(_scope, self.db)
        try:
            await self._round(first=True)
        except BaseException:
            await self._stop_all()
            raise
        if self.workers:
            self._task = asyncio.create_task(self._watch(), name="worker-supervisor")

    async def stop(self) -> None:
        """Stop watching (a round under way finishes first), stop the workers, free the locks."""
        if self._closing is not None:
            self._closing.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self._stop_all()

    async def _watch(self) -> None:
        assert self._closing is not None
        while not self._closing.is_set():
            try:
                await asyncio.wait_for(self._closing.wait(), self.standby_seconds)
                return
            except TimeoutError:
                pass
            try:
                await self._round(first=False)
            except Exception:  # the database is away, say: the next round tries again
                log.exception("worker election failed; trying again in %s s", self.standby_seconds)

    async def _round(self, *, first: bool) -> None:
        for worker in self.workers:
            held = self._held.get(worker.name)
            if held is not None:
                if await asyncio.to_thread(held.alive):
                    continue
                # The lock's connection is gone, so the server has freed the lock (or soon
                # will) and another process may take the worker over: stop it here.
                log.warning(
                    "worker %s: lost its lock (database connection gone); stopping it in %s",
                    worker.name,
                    this_process(),
                )
                await self._stop_one(worker)
                continue  # stand by for a round: a process with a sound connection goes first
            await self._try(worker, first=first)

    async def _try(self, worker: Worker, *, first: bool) -> None:
        key = key_of(f"{self._scope}.{worker.name}" if self._scope else worker.name)
        held = await asyncio.to_thread(acquire, self.db, LockKind.WORKER, key, wait=False)
        if held is None:
            if worker.name not in self._told_standby:
                self._told_standby.add(worker.name)
                log.info(
                    "worker %s: another process runs it; %s stands by (checking every %s s)",
                    worker.name,
                    this_process(),
                    self.standby_seconds,
                )
            return
        try:
            await worker.start()
        except BaseException:
            held.release()
            if first:
                raise
            log.exception(
                "worker %s did not start in %s; trying again in %s s",
                worker.name,
                this_process(),
                self.standby_seconds,
            )
            return
        self._held[worker.name] = held
        self._told_standby.discard(worker.name)
        verb = "runs" if first else "taken over: runs"
        log.info("worker %s: %s in %s", worker.name, verb, this_process())

    async def _stop_one(self, worker: Worker) -> None:
        held = self._held.pop(worker.name)
        try:
            await worker.stop()
        except Exception:
            log.exception("worker %s did not stop cleanly", worker.name)
        finally:
            await asyncio.to_thread(held.release)
        log.info("worker %s: stopped in %s", worker.name, this_process())

    async def _stop_all(self) -> None:
        for worker in reversed(self.workers):
            if worker.name in self._held:
                await self._stop_one(worker)
