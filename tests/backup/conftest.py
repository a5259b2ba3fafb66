"""Fresh databases for backup tests: a SQLite file, or a PostgreSQL database made for the test.

PostgreSQL databases (not schemas, as elsewhere in the suite) because a restore target must be a
whole empty database, as an operator would create one. They are created on the server of
``CITYHUB_DATABASE_URL`` when it is PostgreSQL, else on the local test server, and dropped after.
Where no server answers the PostgreSQL cases skip with the reason; under ``CI=true`` they fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.postgres import admin_engine
from tests.postgres import fresh_database as new_database

FreshDatabase = Callable[[str], str]
"""``fresh(label)`` → the URL of a new, empty database of the test's kind."""


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FreshDatabase]:
    """A maker of empty databases of one kind; PostgreSQL ones are dropped after the test."""
    if request.param == "sqlite":
        yield lambda label: f"sqlite:///{tmp_path / label / 'cityhub.db'}"
        return
    with admin_engine() as admin, ExitStack() as made:
        yield lambda label: made.enter_context(new_database(admin, f"backup_{label}"))
