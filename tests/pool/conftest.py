"""Pool fixtures: a pool on the test database, and a published dataset to ingest into."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cityhub import auth, catalog
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.service import Pool

STEWARD = auth.Actor(None, "system", auth.Role.ADMIN, None)


@pytest.fixture
def pool(db: Database, settings: Settings) -> Iterator[Pool]:
    """The data pool over the test database and data directory."""
    pool = Pool(db, settings)
    yield pool
    pool.close()


@pytest.fixture
def entities(db: Database) -> catalog.Dataset:
    """An empty dataset of 市场监管局, shared unconditionally, not open to the public."""
    spec = catalog.DatasetSpec(
        name="legal-entities",
        title="法人单位基本信息",
        department="SCJGJ",
        share_type=catalog.ShareType.UNCONDITIONAL,
    )
    return catalog.create_dataset(db, auth.Actor.system(), spec)
