"""Fixtures: a fresh, migrated metadata database per test, on SQLite or on PostgreSQL.

``CITYHUB_DATABASE_URL`` pointing at PostgreSQL runs the whole suite there: each test gets a schema
of its own, dropped afterwards. Otherwise each test has a SQLite file under ``tmp_path``.
"""

from __future__ import annotations

import os
import secrets
import shutil

# pytest-xdist's workers inherit COLUMNS from the controller; Rich would fix the CLI's table width
# at import from it. Without it, Rich reads COLUMNS when it prints, as the CLI tests set it.
os.environ.pop("COLUMNS", None)
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from cityhub import auth
from cityhub.auth import hashing
from cityhub.config import Settings
from cityhub.db import Database, upgrade
from cityhub.demo.accounts import DEMO_PASSWORD
from cityhub.pool.spark import session as spark_session
from cityhub.web import create_app
from tests import secret_scan

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PASSWORD = "correct-horse-battery"
ADMIN_PASSWORD = "admin-password-for-tests"
POSTGRES_URL = os.environ.get("CITYHUB_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith(("postgresql", "postgres"))


def postgres_schema_url() -> Iterator[str]:
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at minimal cost: tests check the logic, not the cost (like Django's test hasher)."""
    monkeypatch.setattr(
        hashing, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> SparkSession:
    """The test run's Spark session (local mode, started once per worker).

    Skipped where Spark cannot start, with the reason; under ``CI=true`` that is a failure.
    """
    reason = spark_session.unavailable_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Spark is required on CI: {reason}")
        pytest.skip(f"Spark is not available: {reason}")
    root = tmp_path_factory.mktemp("spark")
    return spark_session.spark_session(
        Settings(data_dir=root, spark_master="local[2]", spark_shuffle_partitions=2)
    )


_PY4J_SOCKETS = (
    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
)


_SCANNER = secret_scan.install((PASSWORD, ADMIN_PASSWORD, DEMO_PASSWORD))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A test during which a secret was logged fails in its teardown (tests/secret_scan.py)."""
    outcome = yield
    if call.when == "teardown":
        secret_scan.fail_on_leaks(_SCANNER, outcome.get_result())  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    from tests.security.matrix_size import MatrixSize  # it imports this module

    config.pluginmanager.register(MatrixSize(), "permission-matrix-size")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use Spark carry the ``spark`` marker, so ``-m 'not spark'`` leaves them out."""
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.spark)
            # py4j leaves its gateway sockets to the garbage collector; they are Spark's, not ours.
            item.add_marker(pytest.mark.filterwarnings(_PY4J_SOCKETS))


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database for this test alone."""
    if ON_POSTGRES:
        yield from postgres_schema_url()
    else:
        yield f"sqlite:///{tmp_path / 'cityhub.db'}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings isolated from the environment and the developer's ./var."""
    return isolated_settings(tmp_path, database_url)


def isolated_settings(data_dir: Path, database_url: str) -> Settings:
    """The tests' settings: nothing from the environment, no listeners, no rate limits."""
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key="test-secret-key",
        admin_password=ADMIN_PASSWORD,
        login_max_failures=3,
        login_lockout_minutes=15,
        derived_scheduler_seconds=0,  # no background refreshes unless a test starts them
        sl651_port=0,  # no SL 651 gateway unless a test starts one
        mqtt_port=0,  # no MQTT broker either
        # Every test client comes from one address; tests/web/test_rate_limits.py turns them on.
        rate_limit_login_per_minute=0,
        rate_limit_expensive_per_minute=0,
    )


@dataclass
class MigratedTemplate:
    """The migrated schema, made once per worker and copied into each test's database.

    Running the migrations takes ~0.15 s on SQLite and ~0.6 s on PostgreSQL, for each of
    ~2,000 tests. SQLite copies the template file; PostgreSQL replays the statements the
    migrations executed (recorded at the driver), in the test's own schema.
    """

    sqlite_file: Path | None = None
    statements: list[tuple[str, Any]] = field(default_factory=list)

    def copy_to(self, db: Database) -> None:
        if self.sqlite_file is not None:
            shutil.copyfile(self.sqlite_file, str(db.url.database))
            return
        with db.engine.begin() as connection:
            for statement, parameters in self.statements:
                connection.exec_driver_sql(statement, parameters)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplate]:
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp("template") / "cityhub.db"
        db = Database(f"sqlite:///{path}")
        upgrade(db)
        db.dispose()  # the last connection checkpoints the WAL into the file
        yield MigratedTemplate(sqlite_file=path)
        return
    template = MigratedTemplate()
    for url in postgres_schema_url():
        db = Database(url)

        def record(*args: Any) -> None:
            _, _, statement, parameters, _, executemany = args
            template.statements.append((statement, list(parameters) if executemany else parameters))

        event.listen(db.engine, "before_cursor_execute", record)
        upgrade(db)
        db.dispose()
        yield template


@pytest.fixture
def bare_db(settings: Settings, migrated_template: MigratedTemplate) -> Iterator[Database]:
    """A migrated database with nothing in it."""
    db = Database(settings.database_url_effective)
    migrated_template.copy_to(db)
    yield db
    db.dispose()


@pytest.fixture
def db(bare_db: Database) -> Database:
    """A migrated database with the departments and the first admin."""
    auth.bootstrap(bare_db, admin_password=ADMIN_PASSWORD)
    return bare_db


@dataclass(frozen=True)
class People:
    """One user per role, all with the password ``PASSWORD`` (admin: ``ADMIN_PASSWORD``)."""

    admin: str = "admin"
    steward: str = "slj.steward"
    analyst: str = "slj.analyst"
    other_steward: str = "nyncj.steward"


@pytest.fixture
def people(db: Database) -> People:
    """Users of every role in two departments."""
    system = auth.Actor.system()
    for username, department, role in (
        ("slj.steward", "SLJ", auth.Role.STEWARD),
        ("slj.analyst", "SLJ", auth.Role.ANALYST),
        ("nyncj.steward", "NYNCJ", auth.Role.STEWARD),
    ):
        auth.create_user(
            db, system, username=username, password=PASSWORD, department_code=department, role=role
        )
    return People()


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """An in-process HTTP client of the app (httpx over the ASGI interface)."""
    with TestClient(create_app(settings, db), base_url="http://testserver") as test_client:
        yield test_client


def token_for(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Authorization headers for ``username``, from the real password grant."""
    response = client.post("/api/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def headers(client: TestClient, people: People) -> dict[str, dict[str, str]]:
    """Authorization headers per role name; 'public' sends none."""
    return {
        "admin": token_for(client, people.admin, ADMIN_PASSWORD),
        "steward": token_for(client, people.steward),
        "analyst": token_for(client, people.analyst),
        "public": {},
    }
