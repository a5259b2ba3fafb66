"""Quality rules give DuckDB's figures on Spark, and plan their set lookups as hash joins.

Two faults this guards against: ``unique`` compared Spark's signed 32-bit ``HASH`` with hashes
cast to unsigned, so duplicates whose hash was negative went unreported; and the checks "not
among these values" (identifier, by-value regex, unique) were ``NOT IN``, which Spark can only
run as a nested-loop join of every row with every value.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession

from cityhub.catalog import ColumnType
from cityhub.config import Settings
from cityhub.pool.engine import Engine, QueryEngine
from cityhub.pool.spark.dialect import to_spark
from cityhub.pool.spark.engine import SparkEngine
from cityhub.quality.evaluate import TIME_LIMIT_MS, Evaluation, evaluate, tune
from cityhub.quality.plan import Plan, Reference, Target
from cityhub.quality.rules import RuleSet
from cityhub.quality.vectorised import vectorised
from tests.quality.conftest import credit_code, wrong_check

ROWS = 20_000  # distinct values enough that about half of Spark's 32-bit hashes are negative
REGIONS = ["371502", "371503", "371521", "379999", None]
TYPES = {
    "credit": ColumnType.STRING,
    "code": ColumnType.STRING,
    "region": ColumnType.STRING,
    "n": ColumnType.INTEGER,
}
Engines = tuple[Engine, SparkEngine, Path, Path]


def _credit(i: int) -> str | None:
    if i % 97 == 5:
        return None
    if i % 50 == 7:
        return wrong_check(credit_code(i))
    return credit_code(i - 1 if i % 40 == 9 else i)  # every 40th a copy of the row before


def _rows() -> dict[str, list[Any]]:
    return {
        "credit": [_credit(i) for i in range(ROWS)],
        # Mostly distinct text with repeats of several sizes, and blanks.
        "code": [None if i % 101 == 0 else f"K{(i * 7919) % (ROWS - 3000)}" for i in range(ROWS)],
        "region": [REGIONS[i % len(REGIONS)] for i in range(ROWS)],
        "n": [i % 1000 for i in range(ROWS)],
    }


def _duplicated(values: list[Any]) -> int:
    counts = Counter(v for v in values if v is not None)
    return sum(k for k in counts.values() if k > 1)


@pytest.fixture(scope="module")
def engines(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Engines:
    root = tmp_path_factory.mktemp("spark-quality")
    warehouse = root / "warehouse"  # the Spark engine's root, which both engines read under
    warehouse.mkdir()
    rows = warehouse / "rows.parquet"
    schema = pa.schema([("credit", pa.string()), ("code", pa.string()),
                        ("region", pa.string()), ("n", pa.int64())])  # fmt: skip
    # Two row groups' worth of files, as an ingest splits them.
    table = pa.table(_rows(), schema=schema)
    pq.write_table(table, rows, row_group_size=ROWS // 3)
    counties = warehouse / "counties.parquet"
    pq.write_table(pa.table({"code": REGIONS[:3]}), counties)
    duck = Engine(warehouse, memory_limit="1GB", threads=1)
    return duck, SparkEngine(Settings(data_dir=root)), rows, counties


RULES: list[dict[str, Any]] = [
    {"id": "credit_valid", "kind": "identifier", "column": "credit",
     "params": {"kind": "credit_code"}, "blocking": True},
    {"id": "credit_unique", "kind": "unique", "column": "credit", "blocking": True},
    {"id": "code_unique", "kind": "unique", "column": "code"},
    {"id": "region_form", "kind": "regex", "column": "region",
     "params": {"pattern": "3715[0-9]{2}"}},
    {"id": "region_valid", "kind": "identifier", "column": "region",
     "params": {"kind": "region_code"}},
    {"id": "region_listed", "kind": "reference", "column": "region",
     "params": {"dataset": "counties", "column": "code"}},
    {"id": "n_listed", "kind": "enum", "column": "n", "params": {"values": [1, 2, 3]}},
    {"id": "credit_present", "kind": "not_null", "column": "credit"},
]  # fmt: skip


def _plan(engines: Engines, rules: list[dict[str, Any]]) -> Plan:
    *_, rows, counties = engines
    reference = Reference("counties", "code", (str(counties),), ColumnType.STRING)
    return Plan(
        RuleSet.model_validate({"rules": rules}),
        Target((str(rows),), TYPES),
        {"region_listed": reference},
    )


def _figures(evaluation: Evaluation) -> dict[str, tuple[int, list[str]]]:
    return {o.check.rule.id: (o.failed, o.examples) for o in evaluation.outcomes}


def _sql_only(engine: QueryEngine, plan: Plan) -> list[Any]:
    """The report query without the NumPy steps: the repeated hashes grouped in SQL."""
    row = engine.query([], plan.stats_sql(), time_limit_ms=TIME_LIMIT_MS, max_rows=1).rows[0]
    return [row[0], row[1], row[2], *(list(v) if isinstance(v, list) else v for v in row[3:])]


def test_spark_hashes_of_both_signs_occur(engines: Engines, spark: SparkSession) -> None:
    """The data is what the old fault needed: many of Spark's own hashes are negative."""
    *_, rows, _ = engines
    negative = spark.sql(f"SELECT count_if(hash(code) < 0) FROM parquet.`{rows}`").first()
    assert negative is not None and negative[0] > ROWS // 4


@pytest.mark.parametrize("column", ["credit", "code"])
def test_unique_finds_every_duplicate_on_both_engines(engines: Engines, column: str) -> None:
    duck, spark_engine, _, _ = engines
    plan = _plan(engines, [{"id": "u", "kind": "unique", "column": column}])
    expected = _duplicated(_rows()[column])
    assert expected > 500
    on_duck, on_spark = evaluate(duck, plan), evaluate(spark_engine, plan)
    assert _figures(on_spark) == _figures(on_duck)
    assert on_spark.outcomes[0].failed == expected
    # The same without the NumPy step: the hashes grouped by each engine's SQL.
    assert _sql_only(spark_engine, plan) == _sql_only(duck, plan)
    assert _sql_only(spark_engine, plan)[3] == expected


def test_a_rule_set_gives_the_same_report_on_both_engines(engines: Engines) -> None:
    duck, spark_engine, _, _ = engines
    plan = _plan(engines, RULES)
    on_duck = evaluate(duck, tune(duck, plan))
    on_spark = evaluate(spark_engine, tune(spark_engine, plan))
    assert _figures(on_spark) == _figures(on_duck)
    assert (on_spark.rows, on_spark.rows_failed, on_spark.rows_blocked) == (
        on_duck.rows,
        on_duck.rows_failed,
        on_duck.rows_blocked,
    )
    rows = _rows()
    assert _figures(on_spark)["credit_unique"][0] == _duplicated(rows["credit"])
    blank_or_wrong = sum(1 for i in range(ROWS) if i % 97 != 5 and i % 50 == 7)
    assert _figures(on_spark)["credit_valid"][0] == blank_or_wrong
    assert _figures(on_spark)["region_form"][0] == ROWS // len(REGIONS)  # 379999


def test_set_lookups_plan_as_hash_joins_on_spark(engines: Engines, spark: SparkSession) -> None:
    """No nested-loop join: each "not among these values" is an equi-join Spark can hash."""
    _, spark_engine, _, _ = engines
    plan = tune(spark_engine, _plan(engines, RULES))
    assert plan.by_value == {"region"}  # the regex and identifier on it run once per value
    with vectorised(spark_engine, plan) as ready:
        # Nothing pulled through the driver: the identifier and unique sets are Spark SQL.
        assert not ready.failing and not ready.repeated
        query = to_spark(ready.stats_sql(), salt="plan-test")
        for source in query.sources:
            spark.read.parquet(*source.files).createOrReplaceTempView(source.view)
        try:
            physical = spark.sql(query.sql)._jdf.queryExecution().executedPlan().toString()
        finally:
            for source in query.sources:
                spark.catalog.dropTempView(source.view)
    assert "NestedLoopJoin" not in physical
    assert physical.count("ExistenceJoin") >= 5  # identifier, 2 by-value, 2 unique (+ reference)
