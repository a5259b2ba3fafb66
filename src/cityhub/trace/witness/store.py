"""The witness's own state: one SQLite file (stdlib ``sqlite3``, WAL), nothing else shared.

Tables: ``logs`` (origin → trusted vkeys), ``latest`` (the last cosigned checkpoint per origin,
with the note served to monitors) and ``evidence`` (pairs of conflicting checkpoints).
Every write happens inside ``transaction()``, which takes SQLite's write lock up front
(``BEGIN IMMEDIATE``): reading the latest size and storing the new one is then one
compare-and-swap, so two requests with the same old size cannot both succeed.
"""

from __future__ import annotations

import queue
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DB_NAME = "witness.sqlite3"
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS logs (
    origin TEXT NOT NULL,
    vkey TEXT NOT NULL,
    PRIMARY KEY (origin, vkey)
);
CREATE TABLE IF NOT EXISTS latest (
    origin TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    root BLOB NOT NULL,
    note TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS evidence (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    size INTEGER NOT NULL,
    stored_root BLOB NOT NULL,
    other_root BLOB NOT NULL,
    stored_note TEXT NOT NULL,
    other_note TEXT NOT NULL,
    received_at REAL NOT NULL,
    UNIQUE (origin, size, stored_root, other_root)
);
"""


@dataclass(frozen=True)
class Latest:
    """The last checkpoint the witness cosigned for one log."""

    origin: str
    size: int
    root: bytes
    note: str  # checkpoint + verified log signature(s) + this witness's cosignature


@dataclass(frozen=True)
class Evidence:
    """Two checkpoints of the same size with different roots, both signed by the log."""

    id: int
    origin: str
    size: int
    roots: tuple[bytes, bytes]
    notes: tuple[str, str]
    received_at: float


def connect(state_dir: Path) -> sqlite3.Connection:
    """Open (and create if needed) the state database under ``state_dir``."""
    state_dir.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we issue BEGIN IMMEDIATE/COMMIT ourselves.
    conn = sqlite3.connect(
        state_dir / DB_NAME, isolation_level=None, timeout=30.0, check_same_thread=False
    )
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: a cosigned size must survive power loss, or a restarted witness could be rolled back.
    conn.execute("PRAGMA synchronous=FULL")
    if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
        conn.executescript(_SCHEMA)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    return conn


class ConnectionPool:
    """Connections to one state database, one per concurrent user, reused across calls.

    A ``sqlite3.Connection`` must not be shared by two threads at once (their transactions
    would interleave), and opening one per request repeats the PRAGMAs: a small free list
    gives each thread a connection of its own for the duration of a call.
    """

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self._free: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._free.put(connect(state_dir))  # creates the schema before any concurrent use

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """Borrow a connection for the duration of the ``with`` block."""
        try:
            conn = self._free.get_nowait()
        except queue.Empty:
            conn = connect(self.state_dir)
        try:
            yield conn
        finally:
            self._free.put(conn)

    def close(self) -> None:
        """Close every idle connection."""
        while True:
            try:
                self._free.get_nowait().close()
            except queue.Empty:
                return


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction holding the database's write lock from its first statement."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def replace_logs(conn: sqlite3.Connection, logs: Iterable[tuple[str, str]]) -> None:
    """Make the configured (origin, vkey) pairs the whole set of trusted log keys."""
    with transaction(conn):
        conn.execute("DELETE FROM logs")
        conn.executemany("INSERT OR IGNORE INTO logs (origin, vkey) VALUES (?, ?)", logs)


def log_vkeys(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Trusted vkeys by origin."""
    keys: dict[str, list[str]] = {}
    for origin, vkey in conn.execute("SELECT origin, vkey FROM logs ORDER BY origin, vkey"):
        keys.setdefault(origin, []).append(vkey)
    return keys


def read_latest(conn: sqlite3.Connection, origin: str) -> Latest | None:
    """The last cosigned checkpoint of ``origin``, or None if there is none."""
    row = conn.execute(
        "SELECT origin, size, root, note FROM latest WHERE origin = ?", (origin,)
    ).fetchone()
    return None if row is None else Latest(row[0], row[1], bytes(row[2]), row[3])


def all_latest(conn: sqlite3.Connection) -> list[Latest]:
    """The last cosigned checkpoint of every log, by origin."""
    rows = conn.execute("SELECT origin, size, root, note FROM latest ORDER BY origin")
    return [Latest(r[0], r[1], bytes(r[2]), r[3]) for r in rows]


def write_latest(conn: sqlite3.Connection, latest: Latest) -> None:
    """Store the new latest checkpoint (call inside ``transaction``)."""
    conn.execute(
        "INSERT INTO latest (origin, size, root, note, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, "
        "note = excluded.note, updated_at = excluded.updated_at",
        (latest.origin, latest.size, latest.root, latest.note, time.time()),
    )


def add_evidence(conn: sqlite3.Connection, stored: Latest, root: bytes, note: str) -> int | None:
    """Record an equivocation; return its id, or None if this very pair was recorded before."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO evidence (origin, size, stored_root, other_root, stored_note, "
        "other_note, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (stored.origin, stored.size, stored.root, root, stored.note, note, time.time()),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


_EVIDENCE = (
    "SELECT id, origin, size, stored_root, other_root, stored_note, other_note, received_at "
    "FROM evidence"
)


def _evidence(r: sqlite3.Row | tuple[Any, ...]) -> Evidence:
    return Evidence(r[0], r[1], r[2], (bytes(r[3]), bytes(r[4])), (r[5], r[6]), r[7])


def list_evidence(conn: sqlite3.Connection) -> list[Evidence]:
    """All recorded equivocations, oldest first."""
    return [_evidence(r) for r in conn.execute(_EVIDENCE + " ORDER BY id")]


def read_evidence(conn: sqlite3.Connection, evidence_id: int) -> Evidence:
    """One recorded equivocation by id."""
    return _evidence(conn.execute(_EVIDENCE + " WHERE id = ?", (evidence_id,)).fetchone())
