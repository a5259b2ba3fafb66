"""The same DuckDB SQL on DuckDB and on Spark gives the same rows (the equivalence suite's core)."""

from __future__ import annotations

import pytest
from pyspark.sql import SparkSession

from cityhub.config import Settings
from cityhub.pool.engine import Engine, Relation
from cityhub.pool.spark.engine import SparkEngine
from tests.pool.spark.cases import QUERIES, SCHEMA, rows_of, write_table

LIMIT_MS = 120_000


@pytest.fixture(scope="module")
def engines(
    spark: SparkSession, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Engine, SparkEngine, Relation]:
    root = tmp_path_factory.mktemp("equivalence")
    path = write_table(root / "data")
    relation = Relation("t", (str(path),), tuple(f'"{f.name}"' for f in SCHEMA))
    duck = Engine(root, memory_limit="1GB", threads=1)
    return duck, SparkEngine(Settings(data_dir=root)), relation


@pytest.mark.parametrize(("case", "sql"), QUERIES, ids=[c for c, _ in QUERIES])
def test_same_rows_on_both_engines(
    engines: tuple[Engine, SparkEngine, Relation], case: str, sql: str
) -> None:
    duck, spark_engine, relation = engines
    expected = duck.query([relation], sql, time_limit_ms=LIMIT_MS, max_rows=1000)
    got = spark_engine.query([relation], sql, time_limit_ms=LIMIT_MS, max_rows=1000)
    assert rows_of(got.rows) == rows_of(expected.rows), case
