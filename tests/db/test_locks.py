"""Named locks: exclusive across threads and processes, freed when the holder dies.

Run on a SQLite file (flock), in memory (the process's own locks) and on PostgreSQL (advisory
locks; a server answering is required under CI=true, as in the backup tests).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from cityhub.db import Database
from cityhub.db.locks import LockKind, acquire, holding, key_of
from tests.postgres import admin_engine, server_url


def _postgres_url() -> str:
    with admin_engine():  # skips, or fails under CI=true, when the server does not answer
        return server_url().render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite-file", "sqlite-memory", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = {
        "sqlite-file": lambda: f"sqlite:///{tmp_path / 'cityhub.db'}",
        "sqlite-memory": lambda: "sqlite://",
        "postgresql": _postgres_url,
    }[request.param]()
    database = Database(url)
    yield database
    database.dispose()


# Keys far from the platform's dataset ids and worker names, and distinct per test run: the
# PostgreSQL server's advisory locks are shared by every test using it.
def _key() -> int:
    return 2_000_000_000 + (os.getpid() * 7 + time.monotonic_ns()) % 100_000_000


def test_a_held_lock_is_refused_until_released(db: Database) -> None:
    key = _key()
    first = acquire(db, LockKind.WORKER, key, wait=False)
    assert first is not None and first.alive()
    assert acquire(db, LockKind.WORKER, key, wait=False) is None
    other_kind = acquire(db, LockKind.DATASET_WRITE, key, wait=False)
    assert other_kind is not None
    other_kind.release()
    first.release()
    assert not first.alive()
    again = acquire(db, LockKind.WORKER, key, wait=False)
    assert again is not None
    again.release()


def test_a_waiting_thread_gets_the_lock_when_it_is_released(db: Database) -> None:
    key, order = _key(), []

    def second() -> None:
        with holding(db, LockKind.DATASET_WRITE, key):
            order.append("second")

    with holding(db, LockKind.DATASET_WRITE, key):
        waiter = threading.Thread(target=second)
        waiter.start()
        time.sleep(0.3)
        order.append("first")
    waiter.join(timeout=10)
    assert order == ["first", "second"]


HOLDER = textwrap.dedent(
    """
    import sys, time
    from cityhub.db import Database
    from cityhub.db.locks import LockKind, acquire
    held = acquire(Database(sys.argv[1]), LockKind.WORKER, int(sys.argv[2]))
    print("held", flush=True)
    time.sleep(60)
    """
)


@pytest.mark.parametrize("db", ["sqlite-file", "postgresql"], indirect=True)
def test_another_process_holds_it_until_it_is_killed(db: Database) -> None:
    key = _key()
    url = db.url.render_as_string(hide_password=False)
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, str(key)], stdout=subprocess.PIPE, text=True
    ) as holder:
        _killed_frees_it(db, holder, key)


def _killed_frees_it(db: Database, holder: subprocess.Popen[str], key: int) -> None:
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert acquire(db, LockKind.WORKER, key, wait=False) is None
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        deadline = time.monotonic() + 10
        while (taken := acquire(db, LockKind.WORKER, key, wait=False)) is None:
            assert time.monotonic() < deadline, "the dead holder's lock was never freed"
            time.sleep(0.1)
        taken.release()
    finally:
        holder.kill()
        holder.wait(timeout=10)


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_lock_whose_connection_dropped_is_not_alive(db: Database) -> None:
    key = _key()
    held = acquire(db, LockKind.WORKER, key)
    assert held is not None and held.alive()
    with db.engine.connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND objid = :key"
            ),
            {"key": key},
        )
    assert not held.alive()
    held.release()  # harmless after the server dropped it


@pytest.mark.parametrize("name", ["sl651", "mqtt", "alarms", "rollup", "derived", "anchor"])
def test_worker_keys_are_stable_and_positive(name: str) -> None:
    assert key_of(name) == key_of(name)
    assert 0 <= key_of(name) < 2**31
