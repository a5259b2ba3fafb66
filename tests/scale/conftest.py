"""Fixtures of the scale test: a PostgreSQL database of its own and two ``cityhub serve`` processes.

Always PostgreSQL, also when the rest of the suite runs on SQLite: several processes against one
database is what PostgreSQL deployments do. The database is made on the server of
``CITYHUB_DATABASE_URL`` when it is PostgreSQL, else on the local test server, and dropped after.
Where no server answers the test skips with the reason; under ``CI=true`` it fails.

The processes are started together on the new, empty database, as a service manager starts a
new platform's processes: they migrate it and make its first start themselves, at the same
moment. The test process then prepares what the hammering needs through the Python API (the
migration it runs is a no-op by then). The fixtures are module-scoped: the processes start once
(their imports take several seconds) for all the tests, which run one after the other
(``--dist loadscope`` keeps them on one xdist worker).
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field

import httpx2
import pytest
from argon2 import PasswordHasher

from cityhub.auth import hashing
from cityhub.db import Database
from tests.postgres import admin_engine, fresh_database
from tests.scale.city import ADMIN_PASSWORD, City, prepare
from tests.scale.servers import Server, server_env, start_together, stop_servers

PROCESSES = 2
TRACE_ORIGIN = "scale.test.example/trace/log"


@pytest.fixture(scope="module")
def scale_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the module."""
    with admin_engine() as admin, fresh_database(admin, "scale") as url:
        yield url


@dataclass
class Cluster:
    """The running processes, the prepared platform, and the test's own view of the database."""

    servers: list[Server]
    first_start_failures: list[str]  # what processes that did not come up at first said
    city: City
    db: Database
    _clients: list[httpx2.Client] = field(default_factory=list)

    def client(self, index: int) -> httpx2.Client:
        """An HTTP client of process ``index % 2`` (safe to share between threads)."""
        return self._clients[index % len(self._clients)]

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.city.tokens[username]}"}

    def mark(self) -> list[int]:
        """How much each process has printed so far: ``errors_logged`` looks past it."""
        return [len(server.output()) for server in self.servers]

    def errors_logged(self, since: list[int]) -> list[str]:
        """Lines printed after ``since`` that report an error or a traceback."""
        return [
            f"{server.name}: {line}"
            for server, start in zip(self.servers, since, strict=True)
            for line in server.output()[start:].splitlines()
            if " ERROR " in line or line.startswith(("ERROR:", "Traceback"))
        ]


@pytest.fixture(scope="module")
def cluster(scale_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two ``cityhub serve`` processes over one prepared database and one data directory."""
    data_dir = tmp_path_factory.mktemp("scale")
    env = server_env(
        dict(os.environ),
        {
            "CITYHUB_DATABASE_URL": scale_database,
            "CITYHUB_DATA_DIR": str(data_dir),
            "CITYHUB_SECRET_KEY": "scale-test-secret-key",
            "CITYHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "CITYHUB_TRACE_ORIGIN": TRACE_ORIGIN,  # else each process would name its own port
            "CITYHUB_TRACE_CHECKPOINT_SECONDS": "0.05",
            "CITYHUB_TRACE_AUDIT_ANCHOR_MINUTES": "0",  # only the test appends to the log
            "CITYHUB_TRACE_CHECK_WORKERS": "0",
            "CITYHUB_SL651_PORT": "0",  # no ports to fight over on a shared test machine
            "CITYHUB_MQTT_PORT": "0",
            "CITYHUB_DERIVED_SCHEDULER_SECONDS": "0",
            "CITYHUB_SENSING_ROLLUP_MINUTES": "0",
            "CITYHUB_LOG_LEVEL": "info",
        },
    )
    servers, failures = start_together(PROCESSES, env, data_dir)
    db = Database(scale_database)
    clients = [httpx2.Client(base_url=server.url, timeout=60.0) for server in servers]
    try:
        with pytest.MonkeyPatch.context() as patch:  # users are made at minimal argon2 cost
            fast = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
            patch.setattr(hashing, "_hasher", fast)
            city = prepare(db)
        yield Cluster(servers, failures, city, db, clients)
    finally:
        for client in clients:
            client.close()
        stop_servers(servers)
        db.dispose()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing scale test shows what each process printed (their tracebacks, say)."""
    report = yield
    running = getattr(item, "funcargs", {}).get("cluster")
    if isinstance(running, Cluster) and report.failed:
        for server in running.servers:
            report.sections.append((f"output of {server.name}", server.tail(200)))
    return report
