"""Background workers: the worker list, and the election that runs each worker in one process.

Two supervisors in one test play two processes. Their databases reach the same database by two
different URLs, so that the process's own thread guard (keyed by URL) does not decide between
them: the real lock does — a PostgreSQL advisory lock, or a flock beside the SQLite file.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.db.locks import LockKind, advisory_key, key_of
from cityhub.errors import ConfigurationError
from cityhub.web import create_app
from cityhub.workers import WORKER_NAMES, Supervisor, Worker, parse_workers
from tests.ports import answers, free_port
from tests.postgres import admin_engine, server_url

STANDBY = 0.05  # seconds between two looks of a process standing by


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("all", WORKER_NAMES),
        (" ALL ", WORKER_NAMES),
        ("none", ()),
        ("sl651", ("sl651",)),
        ("mqtt, sl651", ("sl651", "mqtt")),  # start order, not the order given
        ("alarms,rollup,alarms,", ("alarms", "rollup")),
        ("anchor,derived", ("derived", "anchor")),
    ],
)
def test_worker_lists(value: str, expected: tuple[str, ...]) -> None:
    assert parse_workers(value) == expected


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("sl652", "'sl652'"),
        ("sl651,gateway", "'gateway'"),
        ("all,sl651", "'all'"),
        ("none,mqtt", "'none'"),
        ("", "no worker"),
        (" , ", "no worker"),
    ],
)
def test_bad_worker_lists_are_named(value: str, named: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_workers(value)
    assert named in caught.value.message
    assert caught.value.details["setting"] == "workers"


def test_a_bad_worker_list_stops_the_app_before_it_starts(settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match="'gateway'"):
        create_app(settings.model_copy(update={"workers": "sl651,gateway"}))


# Two "processes" over one database ---------------------------------------------------------


class Journal:
    """What the workers of every supervisor did, in order."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str]] = []

    def worker(self, process: str, name: str, *, fail: bool = False) -> Worker:
        async def start() -> None:
            if fail:
                raise ConfigurationError(f"{name} cannot start")
            self.entries.append((process, "start", name))

        async def stop() -> None:
            self.entries.append((process, "stop", name))

        return Worker(name, start, stop)


def _postgres_schema() -> Iterator[tuple[str, str]]:
    with admin_engine() as admin:
        schema = f"t_{secrets.token_hex(6)}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        urls = []
        for name in ("first", "second"):
            query = {"options": f"-csearch_path={schema}", "application_name": f"cityhub-{name}"}
            urls.append(server_url().update_query_dict(query).render_as_string(hide_password=False))
        try:
            yield urls[0], urls[1]
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def two_postgres() -> Iterator[tuple[Database, Database]]:
    """Two Database objects over one PostgreSQL schema, as two processes would open it."""
    for first, second in _postgres_schema():
        dbs = (Database(first), Database(second))
        yield dbs
        for db in dbs:
            db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def two_processes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, ...]]:
    """Two Database objects over one database, as two processes would open it."""
    if request.param == "postgresql":
        yield request.getfixturevalue("two_postgres")
        return
    (tmp_path / "other").mkdir()  # the same file by a second path
    dbs = tuple(
        Database(url)
        for url in (f"sqlite:///{tmp_path}/city.db", f"sqlite:///{tmp_path}/other/../city.db")
    )
    yield dbs
    for db in dbs:
        db.dispose()


def supervise(db: Database, workers: list[Worker], allowed: tuple[str, ...]) -> Supervisor:
    return Supervisor(db, workers, allowed=allowed, standby_seconds=STANDBY)


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


def test_one_runs_the_other_stands_by_and_takes_over_when_it_stops(
    two_processes: tuple[Database, Database],
) -> None:
    first_db, second_db = two_processes
    journal = Journal()
    names = ("alarms", "sl651")

    async def scenario() -> None:
        first = supervise(first_db, [journal.worker("A", n) for n in names], names)
        second = supervise(second_db, [journal.worker("B", n) for n in names], names)
        await first.start()
        await second.start()
        assert (first.running, first.standby) == (names, ())
        assert (second.running, second.standby) == ((), names)
        await asyncio.sleep(STANDBY * 6)  # several rounds: still the first's
        assert second.running == ()
        await first.stop()
        assert (first.running, first.standby) == ((), ())  # out of the election
        await until(lambda: second.running == names)
        await second.stop()

    run(scenario)
    assert journal.entries[:4] == [
        ("A", "start", "alarms"),
        ("A", "start", "sl651"),
        ("A", "stop", "sl651"),
        ("A", "stop", "alarms"),
    ]
    # B may get sl651 (freed first) a round before alarms.
    assert sorted(journal.entries[4:6]) == [("B", "start", "alarms"), ("B", "start", "sl651")]
    assert journal.entries[6:] == [("B", "stop", "sl651"), ("B", "stop", "alarms")]


def test_each_process_runs_only_the_workers_it_may(
    two_processes: tuple[Database, Database],
) -> None:
    first_db, second_db = two_processes
    journal = Journal()

    async def scenario() -> None:
        web = supervise(
            first_db, [journal.worker("web", n) for n in ("derived", "sl651")], ("derived",)
        )
        gateway = supervise(
            second_db, [journal.worker("gw", n) for n in ("derived", "sl651")], ("sl651",)
        )
        await web.start()
        await gateway.start()
        assert (web.running, web.standby) == (("derived",), ())
        assert (gateway.running, gateway.standby) == (("sl651",), ())
        await web.stop()
        await asyncio.sleep(STANDBY * 4)
        assert gateway.running == ("sl651",)  # never takes a worker it may not run
        await gateway.stop()

    run(scenario)
    assert ("gw", "start", "derived") not in journal.entries


def _holder_backend(db: Database, name: str) -> int:
    """The PostgreSQL backend holding a worker's advisory lock."""
    with db.engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar()
        pid = connection.execute(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND classid::bigint = :space AND objid::bigint = :key"
            ),
            dict(
                zip(
                    ("space", "key"),
                    advisory_key(db, LockKind.WORKER, key_of(f"{schema}.{name}")),
                    strict=True,
                )
            ),
        ).scalar_one()
    return int(pid)


def test_a_holder_whose_lock_connection_dies_stops_and_the_other_takes_over(
    two_postgres: tuple[Database, Database],
) -> None:
    # Only PostgreSQL: a flock cannot be lost while its process lives.
    first_db, second_db = two_postgres
    journal = Journal()

    async def scenario() -> None:
        first = supervise(first_db, [journal.worker("A", "mqtt")], ("mqtt",))
        second = supervise(second_db, [journal.worker("B", "mqtt")], ("mqtt",))
        await first.start()
        await second.start()
        holder = _holder_backend(first_db, "mqtt")
        with first_db.engine.connect() as connection:  # the network drops the lock's session
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": holder})
        await until(lambda: ("A", "stop", "mqtt") in journal.entries)
        # The lock is free: one of the two runs the worker again, the other stands by.
        await until(lambda: {first.running, second.running} == {("mqtt",), ()})
        await asyncio.sleep(STANDBY * 4)
        assert {first.running, second.running} == {("mqtt",), ()}
        await first.stop()
        await second.stop()

    run(scenario)
    assert journal.entries[:2] == [("A", "start", "mqtt"), ("A", "stop", "mqtt")]
    starts = [entry for entry in journal.entries if entry[1] == "start"]
    stops = [entry for entry in journal.entries if entry[1] == "stop"]
    assert len(starts) == len(stops) == 2


def test_a_worker_failing_the_first_election_fails_the_start_and_stops_the_others(
    two_processes: tuple[Database, Database],
) -> None:
    first_db, second_db = two_processes
    journal = Journal()

    async def scenario() -> None:
        broken = supervise(
            first_db,
            [journal.worker("A", "alarms"), journal.worker("A", "sl651", fail=True)],
            ("alarms", "sl651"),
        )
        with pytest.raises(ConfigurationError, match="sl651 cannot start"):
            await broken.start()
        assert broken.running == ()
        # Its locks are free again: another process gets both workers.
        healthy = supervise(
            second_db, [journal.worker("B", n) for n in ("alarms", "sl651")], ("alarms", "sl651")
        )
        await healthy.start()
        assert healthy.running == ("alarms", "sl651")
        await healthy.stop()

    run(scenario)
    assert journal.entries[:2] == [("A", "start", "alarms"), ("A", "stop", "alarms")]


def test_a_take_over_that_fails_is_tried_again(two_processes: tuple[Database, Database]) -> None:
    first_db, second_db = two_processes
    journal = Journal()
    attempts: list[float] = []

    async def flaky_start() -> None:  # the port is still in TIME_WAIT, say
        attempts.append(time.monotonic())
        if len(attempts) < 3:
            raise OSError("address in use")
        journal.entries.append(("B", "start", "sl651"))

    async def scenario() -> None:
        first = supervise(first_db, [journal.worker("A", "sl651")], ("sl651",))
        flaky = Worker("sl651", flaky_start, journal.worker("B", "sl651").stop)
        second = supervise(second_db, [flaky], ("sl651",))
        await first.start()
        await second.start()
        await first.stop()
        await until(lambda: second.running == ("sl651",))
        await second.stop()

    run(scenario)
    assert len(attempts) == 3
    assert journal.entries[-2:] == [("B", "start", "sl651"), ("B", "stop", "sl651")]


# The app's workers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workers", "running"),
    [
        ("all", ["alarms", "rollup", "sl651", "anchor"]),
        ("sl651,derived", ["sl651"]),  # derived is switched off (0 s) in the test settings
        ("none", []),
    ],
)
def test_the_app_runs_its_workers_and_says_so(
    settings: Settings, db: Database, workers: str, running: list[str]
) -> None:
    port = free_port()
    live = settings.model_copy(update={"sl651_port": port, "workers": workers})
    with TestClient(create_app(live, db)) as client:
        health = client.get("/healthz").json()
        assert (health["workers"], health["standby"]) == (running, [])
        assert answers(port) == ("sl651" in running)
    assert not answers(port)


def test_a_second_app_on_the_database_takes_the_gateway_over(
    settings: Settings, db: Database
) -> None:
    port = free_port()
    live = settings.model_copy(
        update={"sl651_port": port, "workers": "sl651", "worker_standby_seconds": STANDBY}
    )
    first = TestClient(create_app(live, db))
    first.__enter__()  # the first process starts first and gets the gateway
    first_open = True
    try:
        with TestClient(create_app(live, db)) as second:
            assert answers(port)
            assert second.get("/healthz").json()["standby"] == ["sl651"]
            first.__exit__(None, None, None)  # the first process ends
            first_open = False
            deadline = time.monotonic() + 10
            while second.get("/healthz").json()["workers"] != ["sl651"]:
                assert time.monotonic() < deadline, "the second app did not take the gateway over"
                time.sleep(0.02)
            assert answers(port)
    finally:
        if first_open:
            first.__exit__(None, None, None)
