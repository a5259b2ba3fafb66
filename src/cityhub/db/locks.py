"""Named locks across threads and processes: who writes a dataset now, who runs a worker.

On PostgreSQL a lock is a session-level advisory lock held on a connection of its own, so it
holds across every process and machine sharing the database, and the server frees it when its
holder dies or its connection drops. On SQLite (one machine by design) it is an exclusive
``flock`` on a file beside the database; the kernel frees it when the holder dies. Both kinds
also exclude other threads of the same process. An in-memory SQLite database has no file:
its locks are the process's own.
"""

from __future__ import annotations

import fcntl
import os
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path

from sqlalchemy import Connection, text

from cityhub.db.database import Database

# The first half of every advisory key: other applications sharing the database won't collide.
_NAMESPACE = 0x6368_0000  # "ch"


class LockKind(IntEnum):
    """What a lock guards; the second key names which one."""

    DATASET_WRITE = 1  # from reading a dataset's newest version to recording the next
    WORKER = 2  # a background worker that runs in one process at a time
    STARTUP = 3  # migrating the database and the first start's rows


def key_of(name: str) -> int:
    """A stable 31-bit key for a name (worker names)."""
    return zlib.crc32(name.encode()) & 0x7FFF_FFFF


class Held:
    """A lock this process holds until ``release``."""

    def __init__(self, release: list[object]) -> None:
        self._parts = release
        self._released = False

    @property
    def released(self) -> bool:
        return self._released

    def alive(self) -> bool:
        """Whether the lock is still ours: on PostgreSQL, whether its connection answers."""
        if self._released:
            return False
        for part in self._parts:
            if isinstance(part, Connection):
                try:
                    part.execute(text("SELECT 1"))
                    part.rollback()  # not "idle in transaction" between two checks
                except Exception:
                    return False
        return True

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        for part in reversed(self._parts):
            try:
                if isinstance(part, Connection):
                    part.close()  # not pooled (Database.lock_engine): its locks go with it
                elif isinstance(part, int):
                    fcntl.flock(part, fcntl.LOCK_UN)
                    os.close(part)
                elif isinstance(part, _LockType):
                    part.release()
            except Exception:  # a dead connection: the server freed its locks already
                if isinstance(part, Connection):
                    part.invalidate()
                    part.close()


_LockType = type(threading.Lock())  # threading.Lock is a factory, not a class
_local_guard = threading.Lock()
_local: dict[tuple[str, int, int], threading.Lock] = {}


def _local_lock(db: Database, kind: LockKind, key: int) -> threading.Lock:
    with _local_guard:
        return _local.setdefault((str(db.url), int(kind), key), threading.Lock())


def advisory_key(db: Database, kind: LockKind, key: int) -> tuple[int, int]:
    """The two keys of the PostgreSQL advisory lock (``pg_locks.classid``, ``objid``).

    Advisory locks span the whole database; a schema given in the URL (``options=-csearch_path=``,
    as each test's) is a platform of its own, so the key is taken within it.
    """
    options = db.url.query.get("options")
    if options:
        key = zlib.crc32(f"{options}/{key}".encode()) & 0x7FFF_FFFF
    return _NAMESPACE | int(kind), key


def _lock_file(db: Database, kind: LockKind, key: int) -> Path | None:
    database = db.url.database
    if db.dialect != "sqlite" or database in (None, "", ":memory:"):
        return None
    folder = Path(f"{database}.locks")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{kind.name.lower()}-{key}.lock"


def acquire(db: Database, kind: LockKind, key: int, *, wait: bool = True) -> Held | None:
    """Take the lock (waiting for it, or not: then None when someone else holds it)."""
    local = _local_lock(db, kind, key)
    if not local.acquire(blocking=wait):
        return None
    parts: list[object] = [local]
    try:
        if db.dialect == "postgresql":
            connection = db.lock_engine.connect()
            parts.append(connection)
            function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
            space, objid = advisory_key(db, kind, key)
            got = connection.execute(
                text(f"SELECT {function}(:space, :key)"), {"space": space, "key": objid}
            ).scalar()
            connection.commit()  # the lock is the session's, not the transaction's
            if not wait and not got:
                Held(parts).release()
                return None
        elif (path := _lock_file(db, kind, key)) is not None:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            parts.append(descriptor)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                Held(parts).release()
                return None
    except BaseException:
        Held(parts).release()
        raise
    return Held(parts)


@contextmanager
def holding(db: Database, kind: LockKind, key: int) -> Iterator[None]:
    """Hold the lock for the block, waiting for it first."""
    held = acquire(db, kind, key)
    assert held is not None
    try:
        yield
    finally:
        held.release()
