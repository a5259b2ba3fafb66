"""The identifier validators and normalising steps give Python's answers on Spark too.

The SQL of ``cityhub.registry.sql`` is the largest DuckDB SQL the platform runs (bit tables of
the region codes, list lambdas, structs of regex groups), so it is the hardest test of the Spark
rewrite: generated values (valid ones mutated, and arbitrary Unicode) go through the quality
path's engine on Spark and must agree with the Python validators, value by value.
"""

from __future__ import annotations

from itertools import count
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession

from cityhub.config import Settings
from cityhub.pool.engine import Relation
from cityhub.pool.spark.engine import SparkEngine
from cityhub.registry import normalise
from cityhub.registry.sql import normalise_sql, valid_sql
from cityhub.registry.validators import KINDS
from tests.registry.test_agreement import (
    GENERATORS,
    INTERESTING,
    TODAY,
    dates,
    inputs,
    mutated,
    python_valid,
)

LIMIT_MS = 300_000
# Each example is one Spark job (about a second): fewer examples than on DuckDB, larger batches.
ON_SPARK = settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_batches = count()


class SparkChecker:
    """Evaluates one expression over batches of strings on the Spark engine."""

    def __init__(self, engine: SparkEngine, folder: Path) -> None:
        self.engine = engine
        self.folder = folder

    def __call__(self, expression: str, values: list[str | None]) -> list[object]:
        number = next(_batches)
        path = self.folder / f"batch-{number}.parquet"
        pq.write_table(pa.table({"i": list(range(len(values))), "v": values}), path)
        relation = Relation(f"batch_{number}", (str(path),), ('"i"', '"v"'))
        sql = f'SELECT i, {expression} FROM "batch_{number}" ORDER BY i'
        rows = self.engine.query([relation], sql, time_limit_ms=LIMIT_MS, max_rows=10_000).rows
        return [row[1] for row in rows]


@pytest.fixture(scope="module")
def checker(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> SparkChecker:
    root = tmp_path_factory.mktemp("spark-agreement")
    return SparkChecker(SparkEngine(Settings(data_dir=root)), root)


@pytest.mark.parametrize("kind", KINDS)
def test_validators_agree_on_spark(checker: SparkChecker, kind: str) -> None:
    expression = valid_sql(kind, '"v"', today=TODAY)

    @ON_SPARK
    @given(inputs(GENERATORS[kind]()).map(lambda values: [*values, None]))
    def check(values: list[str | None]) -> None:
        got = checker(expression, values)
        expected = [None if v is None else python_valid(kind, v) for v in values]
        assert got == expected

    check()


@pytest.mark.parametrize("step", normalise.STEPS)
def test_normalising_steps_agree_on_spark(checker: SparkChecker, step: str) -> None:
    expression = normalise_sql(step, '"v"')
    texts = st.one_of(
        st.text(alphabet=INTERESTING, max_size=20), st.text(max_size=20), dates(), mutated(dates())
    )

    @ON_SPARK
    @given(st.lists(texts, min_size=1, max_size=60))
    def check(values: list[str]) -> None:
        assert checker(expression, list(values)) == [normalise.apply_step(v, step) for v in values]

    check()
