"""The trace log: an RFC 9162 Merkle tree in the metadata database, published as C2SP checkpoints.

>>> log = TraceLog(db, settings)
>>> log.start()
>>> [index] = log.append_blocking([Pending(leaf)])   # returns once a checkpoint covers it
>>> bundle = log.proof_bundle(index)                   # C2SP tlog-proof, verifiable offline
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, event, select

from cityhub.config import Settings
from cityhub.db.database import Database
from cityhub.errors import InvalidInput, NotFound
from cityhub.trace.log.identity import LogIdentity, load_identity
from cityhub.trace.log.models import TraceCheckpoint, TraceLeaf
from cityhub.trace.log.publisher import Publisher
from cityhub.trace.log.sequencer import Group, GroupWriter, Pending, Sequencer
from cityhub.trace.log.store import Edge, read_leaves, read_tile
from cityhub.trace.merkle import (
    HASH_SIZE,
    TILE_HEIGHT,
    TILE_WIDTH,
    TileReader,
    consistency_proof,
    inclusion_proof,
)
from cityhub.trace.note import ProofBundle, format_proof_bundle

__all__ = ["GroupWriter", "Pending", "TraceLog"]


class TraceLog:
    """One transparency log: sequencer and publisher threads, proofs and tiles for readers."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self.identity: LogIdentity = load_identity(settings)
        self.origin = self.identity.origin
        self._reader = TileReader(self._fetch_tile)
        # One autocommit connection for tile reads: a session per read would cost more than
        # the proof itself, and autocommit keeps SQLite from pinning an old WAL snapshot.
        self._tile_connection: Connection | None = None
        self._tile_lock = threading.Lock()
        self._publisher = Publisher(
            db,
            self.identity,
            self._prove_to_witness,
            min_gap=min(0.1, settings.trace_checkpoint_seconds),
            witness_timeout=settings.trace_witness_timeout_seconds,
        )
        self._writer_db = _durable_writer(db)
        self._sequencer = Sequencer(self._writer_db, settings.trace_batch_max, self._integrated)
        self._started = False
        # Other processes may publish checkpoints of this log (several app processes): a reader
        # looks for a newer one at most once per checkpoint period, when it asks.
        self._look_every = settings.trace_checkpoint_seconds
        self._looked = 0.0

    # lifecycle

    def start(self) -> None:
        """Start the writer threads; publish at once if the tree outgrew the last checkpoint."""
        if self._started:
            return
        self._started = True
        self._sequencer.start()
        self._publisher.start()
        edge = self._sequencer.edge
        if edge.size > self._publisher.published_size:
            self._publisher.integrated(edge.size, edge.range.root(), [])

    def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        self._sequencer.stop()
        self._publisher.stop()
        with self._tile_lock:
            if self._tile_connection is not None:
                self._tile_connection.close()
                self._tile_connection = None
        if self._writer_db is not self._db:
            self._writer_db.dispose()

    def __enter__(self) -> TraceLog:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # appending

    def submit(
        self, group: Sequence[Pending], write: GroupWriter | None = None
    ) -> Future[list[int]]:
        """Queue entries, all or nothing; the future resolves once a checkpoint covers them.

        Each entry's ``write`` and then the group's ``write`` (given all the indices) run in the
        sequencing transaction; if one raises, only this group fails, with that exception.
        """
        if not group:
            raise InvalidInput("nothing to append")
        pending = Group(list(group), write)
        self._sequencer.submit(pending)
        return pending.future

    async def append(self, group: Sequence[Pending], write: GroupWriter | None = None) -> list[int]:
        return await asyncio.wrap_future(self.submit(group, write))

    def append_blocking(
        self, group: Sequence[Pending], write: GroupWriter | None = None, timeout: float = 60
    ) -> list[int]:
        return self.submit(group, write).result(timeout=timeout)

    def _integrated(self, edge: Edge, groups: list[Group], tiles: list[tuple[int, int]]) -> None:
        for level, index in tiles:
            self._reader.invalidate(level, index)
        self._publisher.integrated(edge.size, edge.range.root(), groups)

    # reading

    def published_size(self) -> int:
        self._caught_up()
        return max(self._publisher.published_size, 0)

    def _caught_up(self) -> None:
        """Adopt a newer checkpoint another process published; a benign race between threads
        only means one more look."""
        now = time.monotonic()
        if self._started and now - self._looked >= self._look_every:
            self._looked = now
            self._publisher.adopt_latest()

    def checkpoint(self, size: int | None = None) -> str:
        """The latest published checkpoint, or the one published at ``size``."""
        self._caught_up()
        if size is None and self._publisher.published_note:
            return self._publisher.published_note
        with self._db.reading() as session:
            query = select(TraceCheckpoint.note)
            if size is None:
                query = query.order_by(TraceCheckpoint.size.desc()).limit(1)
            else:
                query = query.where(TraceCheckpoint.size == size)
            note = session.scalar(query)
        if note is None:
            raise NotFound("no checkpoint published" + ("" if size is None else f" at size {size}"))
        return note

    def inclusion(self, index: int, size: int) -> list[bytes]:
        if index < 0:
            raise InvalidInput(f"leaf index {index} is negative")
        self._check_range(index + 1, size)
        return inclusion_proof(index, size, self._reader.node)

    def consistency(self, size1: int, size2: int) -> list[bytes]:
        self._check_range(size1, size2)
        return consistency_proof(size1, size2, self._reader.node)

    def _prove_to_witness(self, size1: int, size2: int) -> list[bytes]:
        # The checkpoint being cosigned is not published yet: prove up to the stored size, which
        # another process may have moved past this one's sequencer (tiles not stored yet raise).
        if not 0 < size1 <= size2:
            raise InvalidInput(f"cannot prove {size1} -> {size2}")
        return consistency_proof(size1, size2, self._reader.node)

    def proof_bundle(self, index: int, size: int | None = None) -> str:
        """A C2SP tlog-proof of leaf ``index`` against the checkpoint at ``size`` (or latest)."""
        note = self.checkpoint(size)
        tree_size = int(note.split("\n", 2)[1])
        path = self.inclusion(index, tree_size)
        return format_proof_bundle(ProofBundle(index, tuple(path), note))

    def leaf(self, index: int) -> bytes:
        if not 0 <= index < self.published_size():
            raise NotFound(f"no leaf {index} in the published log")
        with self._db.reading() as session:
            data = session.scalar(select(TraceLeaf.data).where(TraceLeaf.idx == index))
        if data is None:
            raise NotFound(f"leaf {index} is missing from the store")
        return bytes(data)

    def tile(self, level: int, index: int, width: int) -> bytes:
        """The first ``width`` hashes of a tile, served only inside the published tree."""
        if (index * TILE_WIDTH + width) << (TILE_HEIGHT * level) > self.published_size():
            raise NotFound(f"tile {level}/{index} width {width} is beyond the published tree")
        with self._db.reading() as session:
            data = read_tile(session, level, index)
        if data is None or len(data) < width * HASH_SIZE:
            raise NotFound(f"tile {level}/{index} width {width} is not stored")
        return data[: width * HASH_SIZE]

    def entry_bundle(self, index: int, width: int) -> bytes:
        """C2SP entry bundle: each leaf as a big-endian uint16 length and its bytes."""
        first = index * TILE_WIDTH
        if first + width > self.published_size():
            raise NotFound(f"entry bundle {index} width {width} is beyond the published tree")
        with self._db.reading() as session:
            leaves = read_leaves(session, first, width)
        if len(leaves) != width:
            raise NotFound(f"entry bundle {index} is missing leaves")
        return b"".join(len(leaf).to_bytes(2, "big") + leaf for leaf in leaves)

    def policy_text(self) -> str:
        return self.identity.policy_text

    def _check_range(self, low: int, high: int) -> None:
        published = self.published_size()
        if not 0 <= low <= high <= published:
            raise InvalidInput(
                f"sizes must satisfy 0 <= {low} <= {high} <= {published} (the published size)",
                details={"published_size": published},
            )

    def _fetch_tile(self, level: int, index: int) -> bytes:
        # A cold proof reads one or two tiles: through the driver's own cursor, a read costs
        # tens of microseconds instead of the hundreds a SQLAlchemy statement adds.
        marker = "?" if self._db.dialect == "sqlite" else "%s"
        query = f"SELECT data FROM trace_tiles WHERE level = {marker} AND idx = {marker}"
        with self._tile_lock:
            if self._tile_connection is None:
                connection = self._db.engine.connect()
                self._tile_connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            try:
                cursor = self._tile_connection.connection.cursor()
                cursor.execute(query, (level, index))
                row = cursor.fetchone()
                cursor.close()
            except Exception:
                self._tile_connection.close()
                self._tile_connection = None
                raise
        data = None if row is None else bytes(row[0])
        if data is None:
            raise NotFound(f"tile {level}/{index} is not stored")
        return data


def _durable_writer(db: Database) -> Database:
    """The database as the sequencer writes it: on SQLite with ``synchronous=FULL``.

    The platform's SQLite connections run WAL with ``synchronous=NORMAL``, which survives a killed
    process but may lose the last commits on power loss; an acknowledged log entry must not, and
    the batching makes the extra fsync per transaction cheap.
    """
    if db.dialect != "sqlite" or db.url.database in (None, "", ":memory:"):
        return db  # PostgreSQL's synchronous_commit is on by default; memory is not durable
    writer = Database(db.url.render_as_string(hide_password=False))
    event.listen(writer.engine, "connect", _synchronous_full)
    return writer


def _synchronous_full(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
