"""PostgreSQL for the tests that need it whatever database the suite runs on.

The server is the one ``CITYHUB_DATABASE_URL`` names when it is PostgreSQL, else the local test
server. Where none answers a test skips with the reason; under ``CI=true`` it fails, since CI
runs PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from tests.conftest import ON_POSTGRES, POSTGRES_URL

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def server_url() -> URL:
    """The server's URL, without the suite's per-test schema option."""
    url = make_url(POSTGRES_URL if ON_POSTGRES else LOCAL_POSTGRES)
    return url.set(drivername="postgresql+psycopg", query={})


@contextmanager
def admin_engine() -> Iterator[Engine]:
    """An autocommit engine on the server; skip (fail under CI=true) when it does not answer."""
    server = server_url()
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        try:
            with admin.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = f"PostgreSQL at {server.render_as_string()} does not answer: {exc.orig}"
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is required on CI: {reason}")
            pytest.skip(reason)
        yield admin
    finally:
        admin.dispose()


@contextmanager
def fresh_database(admin: Engine, label: str) -> Iterator[str]:
    """The URL of a new, empty database on the server, dropped after the block."""
    name = f"cityhub_{label}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url().set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
