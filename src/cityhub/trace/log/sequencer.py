"""The single writer: takes submitted groups of entries and sequences them in batches.

One transaction per batch stores every leaf, the domain rows of each entry (its ``write``
callback, given the entry's index), the changed tiles and the new tree head, so after a crash the
tree is exactly what was committed and no entry has a leaf without its rows or the reverse.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from cityhub.db.database import Database
from cityhub.trace.log.store import Edge, load_edge, lock_size, store_batch
from cityhub.trace.merkle import leaf_hash

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pending:
    """One entry to append: its leaf bytes, and what to store with it in the same transaction."""

    leaf: bytes
    write: Callable[[Session, int], None] | None = None


GroupWriter = Callable[[Session, list[int]], None]


@dataclass
class Group:
    """Entries appended all or nothing; the future resolves with their indices once published.

    ``write`` (optional) stores the whole group's rows at once, given every entry's index: one
    bulk statement per table instead of one per entry keeps the sequencing transaction short.
    """

    entries: Sequence[Pending]
    write: GroupWriter | None = None
    future: Future[list[int]] = field(default_factory=Future)
    indices: list[int] = field(default_factory=list)


Integrated = Callable[[Edge, list[Group], list[tuple[int, int]]], None]


class Sequencer:
    """A thread that drains the queue into batches of at most ``batch_max`` entries."""

    def __init__(self, db: Database, batch_max: int, on_integrated: Integrated) -> None:
        self._db = db
        self._batch_max = batch_max
        self._on_integrated = on_integrated
        self._queue: queue.SimpleQueue[Group | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="trace-sequencer", daemon=True)
        self.edge = Edge()

    def start(self) -> None:
        with self._db.reading() as session:
            self.edge = load_edge(session)
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def submit(self, group: Group) -> None:
        self._queue.put(group)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            groups, stop = self._drain(first)
            try:
                self._sequence(groups)
            except Exception as exc:  # the thread must survive; every waiter learns why
                log.exception("trace log: a batch could not be sequenced")
                for group in groups:
                    if not group.future.done():
                        group.future.set_exception(exc)
            if stop:
                return

    def _drain(self, first: Group) -> tuple[list[Group], bool]:
        groups, count = [first], len(first.entries)
        while count < self._batch_max:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            if more is None:
                return groups, True
            groups.append(more)
            count += len(more.entries)
        return groups, False

    def _sequence(self, groups: list[Group]) -> None:
        remaining = list(groups)
        while remaining:
            failing: Group | None = None
            try:
                with self._db.transaction() as session:
                    if lock_size(session) != self.edge.size:
                        self.edge = load_edge(session)  # another writer moved the tree on
                    edge = self.edge.copy()
                    first = index = edge.size
                    leaves: list[bytes] = []
                    for group in remaining:
                        failing = group
                        group.indices = []
                        for entry in group.entries:
                            if entry.write is not None:
                                entry.write(session, index)
                            group.indices.append(index)
                            leaves.append(entry.leaf)
                            index += 1
                        if group.write is not None:
                            group.write(session, list(group.indices))
                        session.flush()  # a constraint the group breaks fails this group only
                    failing = None
                    tiles = edge.extend([leaf_hash(leaf) for leaf in leaves])
                    store_batch(session, first, leaves, edge, tiles)
            except Exception as exc:
                if failing is None:
                    raise
                failing.future.set_exception(exc)
                remaining.remove(failing)
                continue
            self.edge = edge
            self._on_integrated(edge, remaining, list(tiles))
            return
