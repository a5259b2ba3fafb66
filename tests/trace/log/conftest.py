"""A running trace log over the test's database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.trace.log import TraceLog


@pytest.fixture
def trace_log(bare_db: Database, settings: Settings) -> Iterator[TraceLog]:
    log = TraceLog(bare_db, settings.model_copy(update={"trace_origin": "test.example/log"}))
    log.start()
    yield log
    log.stop()
