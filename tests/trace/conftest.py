"""Fixtures of the traceability domain tests: a running log over the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.trace.log import TraceLog


@pytest.fixture
def tlog(db: Database, settings: Settings) -> Iterator[TraceLog]:
    """A started trace log (no witnesses) over the migrated, bootstrapped test database."""
    log = TraceLog(db, settings.model_copy(update={"trace_origin": "trace.test.example/log"}))
    log.start()
    yield log
    log.stop()
