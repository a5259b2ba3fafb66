"""The locked query engine: even SQL that slipped past the checker cannot leave the warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cityhub.errors import InvalidInput, QueryTimeout
from cityhub.pool.engine import Engine, Relation


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = Engine(tmp_path / "warehouse", memory_limit="256MB", threads=1)
    yield engine
    engine.close()


@pytest.fixture
def numbers(engine: Engine) -> Relation:
    path = engine.root / "ds_1" / "part-0.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(
        pa.table({"n": list(range(1000)), "name": [f"名{i}" for i in range(1000)]}), path
    )
    return Relation("v_1_1_r", (str(path),), ('"n"', '"name"'))


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM '/etc/hostname'",
        "ATTACH '/tmp/other.db' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET memory_limit = '100GB'",
        "SELECT * FROM read_parquet('/etc/*.parquet')",
    ],
)
def test_escapes_fail_in_the_engine_itself(engine: Engine, numbers: Relation, sql: str) -> None:
    with pytest.raises(InvalidInput):
        engine.query([numbers], sql, time_limit_ms=5000, max_rows=10)


def test_rows_are_capped_and_flagged(engine: Engine, numbers: Relation) -> None:
    results = engine.query(
        [numbers], 'SELECT n FROM "v_1_1_r" ORDER BY n', time_limit_ms=5000, max_rows=10
    )
    assert [r[0] for r in results.rows] == list(range(10)) and results.truncated
    whole = engine.query(
        [numbers], 'SELECT count(*) FROM "v_1_1_r"', time_limit_ms=5000, max_rows=10
    )
    assert whole.rows == [(1000,)] and not whole.truncated


def test_long_queries_are_interrupted(engine: Engine, numbers: Relation) -> None:
    slow = 'SELECT count(*) FROM "v_1_1_r" a, "v_1_1_r" b, "v_1_1_r" c, "v_1_1_r" d'
    with pytest.raises(QueryTimeout):
        engine.query([numbers], slow, time_limit_ms=200, max_rows=10)
    # The engine still answers afterwards.
    again = engine.query([numbers], 'SELECT max(n) FROM "v_1_1_r"', time_limit_ms=5000, max_rows=1)
    assert again.rows == [(999,)]


def test_a_query_past_the_memory_limit_fails_alone(tmp_path: Path) -> None:
    """A query needing more memory than the limit is refused with the reason; the next one runs."""
    small = Engine(tmp_path / "small", memory_limit="64MB", threads=1)
    try:
        greedy = "SELECT length(string_agg(repeat('x', 1000), ',')) FROM range(500000)"  # ~500 MB
        with pytest.raises(InvalidInput, match=r"(?i)out of memory") as refused:
            small.query([], greedy, time_limit_ms=60_000, max_rows=1)
        assert refused.value.details == {"engine": "duckdb"}
        assert small.query([], "SELECT 41 + 1", time_limit_ms=5000, max_rows=1).rows == [(42,)]
    finally:
        small.close()


def test_stream_yields_batches(engine: Engine, numbers: Relation) -> None:
    schema, batches = engine.stream([numbers], 'SELECT * FROM "v_1_1_r"', batch_rows=100)
    assert schema.names == ["n", "name"]
    assert sum(b.num_rows for b in batches) == 1000
