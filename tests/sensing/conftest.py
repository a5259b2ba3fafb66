"""Fixtures shared by the sensing tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.service import Pool


@pytest.fixture
def pool(db: Database, settings: Settings) -> Iterator[Pool]:
    """The data pool over the test database and data directory (used by the roll-up tests)."""
    pool = Pool(db, settings)
    yield pool
    pool.close()
