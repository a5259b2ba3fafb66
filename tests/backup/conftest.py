"""Fresh databases for backup tests: a SQLite file, or a PostgreSQL database made for the test.

PostgreSQL databases (not schemas, as elsewhere in the suite) because a restore target must be a
whole empty database, as an operator would create one. They are created on the server of
``CITYHUB_DATABASE_URL`` when it is PostgreSQL, else on the local test server, and dropped after.
Where no server answers the PostgreSQL cases skip with the reason; under ``CI=true`` they fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from tests.conftest import ON_POSTGRES, POSTGRES_URL

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

FreshDatabase = Callable[[str], str]
"""``fresh(label)`` → the URL of a new, empty database of the test's kind."""


def _server_url() -> URL:
    url = make_url(POSTGRES_URL if ON_POSTGRES else LOCAL_POSTGRES)
    # The suite's URL may carry a search_path option for a schema: a fresh database needs none.
    return url.set(drivername="postgresql+psycopg", query={})


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FreshDatabase]:
    """A maker of empty databases of one kind; PostgreSQL ones are dropped after the test."""
    if request.param == "sqlite":
        yield lambda label: f"sqlite:///{tmp_path / label / 'cityhub.db'}"
        return
    server = _server_url()
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        admin.dispose()
        reason = f"PostgreSQL at {server.render_as_string()} does not answer: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required on CI: {reason}")
        pytest.skip(reason)
    made: list[str] = []

    def fresh(label: str) -> str:
        name = f"cityhub_backup_{label}_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    try:
        yield fresh
    finally:
        with admin.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
