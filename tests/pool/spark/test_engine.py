"""The Spark engine: masking, parameters, file sources, refusals and time limits."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession

from cityhub.catalog.vocab import PersonalKind
from cityhub.config import Settings
from cityhub.errors import InvalidInput, QueryTimeout
from cityhub.pool.engine import Engine, Relation, quote
from cityhub.pool.masking import mask_expression, mask_value
from cityhub.pool.spark.engine import SparkEngine
from tests.pool.spark.cases import ROWS, SCHEMA, rows_of, write_table

LIMIT_MS = 120_000
Engines = tuple[Engine, SparkEngine, Relation, str]


@pytest.fixture(scope="module")
def engines(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Engines:
    root = tmp_path_factory.mktemp("spark-engine")
    path = write_table(root / "data")
    relation = Relation("t", (str(path),), tuple(quote(f.name) for f in SCHEMA))
    duck = Engine(root, memory_limit="1GB", threads=1)
    return duck, SparkEngine(Settings(data_dir=root)), relation, str(path)


def both(
    engines: Engines, relations: list[Relation], sql: str, params: tuple[object, ...] = ()
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    duck, spark_engine, _, _ = engines
    expected = duck.query(relations, sql, params, time_limit_ms=LIMIT_MS, max_rows=1000)
    got = spark_engine.query(relations, sql, params, time_limit_ms=LIMIT_MS, max_rows=1000)
    return rows_of(got.rows), rows_of(expected.rows)


@pytest.mark.parametrize("kind", list(PersonalKind))
def test_masked_columns_are_masked_alike(engines: Engines, kind: PersonalKind) -> None:
    _, _, plain, _ = engines
    masked = Relation(
        f"t_masked_{kind.value}",
        plain.files,
        ('"id"', f'{mask_expression(quote("name"), kind)} AS "name"',
         f'{mask_expression(quote("code"), kind)} AS "code"'),
    )  # fmt: skip
    got, expected = both(engines, [masked], f'SELECT * FROM "{masked.name}" ORDER BY id')
    assert got == expected
    assert got == [
        (r["id"], mask_value(r["name"], kind), mask_value(r["code"], kind)) for r in ROWS
    ]


def test_parameters_and_row_cap(engines: Engines) -> None:
    _, spark_engine, relation, _ = engines
    sql = 'SELECT id FROM "t" WHERE county = ? AND n > ? ORDER BY id'
    got, expected = both(engines, [relation], sql, ("临清市", -1))
    assert got == expected == [(2,), (6,)]
    capped = spark_engine.query(
        [relation], 'SELECT id FROM "t"', time_limit_ms=LIMIT_MS, max_rows=2
    )
    assert (len(capped.rows), capped.truncated) == (2, True)


def test_file_sources_with_row_numbers_and_names(engines: Engines) -> None:
    *_, path = engines
    sql = (
        f"SELECT id, file_row_number, filename = '{path}' FROM read_parquet(['{path}'], "
        "union_by_name=true, file_row_number=true, filename=true) ORDER BY id"
    )
    got, expected = both(engines, [], sql)
    assert got == expected
    assert [row[1:] for row in got] == [(i, True) for i in range(len(ROWS))]


def test_a_relation_without_files_reads_as_empty(engines: Engines) -> None:
    empty = Relation("t_empty", (), ("1 AS one",))
    got, expected = both(engines, [empty], 'SELECT count(*) FROM "t_empty"')
    assert got == expected == [(0,)]


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ('SELECT mode(county) FROM "t"', "mode"),
        ('SELECT list(name) FROM "t"', "list"),
        ("SELECT regexp_replace(code, '1', '2') FROM \"t\"", "'g'"),
        ('SELECT chr(n) FROM "t"', "chr"),
        ("SELECT string_agg(name, ',') FROM \"t\"", "string_agg"),
    ],
)
def test_functions_without_one_meaning_are_refused_by_name(
    engines: Engines, sql: str, named: str
) -> None:
    _, spark_engine, relation, _ = engines
    with pytest.raises(InvalidInput, match=named.replace("string_agg", "listagg")) as refused:
        spark_engine.query([relation], sql, time_limit_ms=LIMIT_MS, max_rows=10)
    assert refused.value.details["engine"] == "spark"


# 1 ms runs out while Spark still plans, before any job exists to cancel.
@pytest.mark.parametrize("limit_ms", [1, 1000])
def test_a_query_past_its_time_limit_is_stopped_and_the_engine_goes_on(
    engines: Engines, limit_ms: int
) -> None:
    _, spark_engine, relation, _ = engines
    product = ", ".join(f'"t" AS t{i}' for i in range(12))  # 6**12 rows
    total = " + ".join(f"sqrt(t{i}.id * {i + 1})" for i in range(12))  # no overflow
    with pytest.raises(QueryTimeout):
        spark_engine.query(
            [relation], f"SELECT sum({total}) FROM {product}", time_limit_ms=limit_ms, max_rows=1
        )
    after = spark_engine.query(
        [relation], 'SELECT count(*) FROM "t"', time_limit_ms=LIMIT_MS, max_rows=1
    )
    assert after.rows == [(len(ROWS),)]


_COLUMNS = st.sampled_from(["n", "x", "id", "0", "1", "-2.5", "NULL"])


@st.composite
def arithmetic(draw: st.DrawFn, depth: int = 3) -> str:
    """Expressions of + - * / over the table's numbers, zeros and NULLs."""
    if depth == 0 or draw(st.booleans()):
        return draw(_COLUMNS)
    operator = draw(st.sampled_from(["+", "-", "*", "/"]))
    return f"({draw(arithmetic(depth - 1))} {operator} {draw(arithmetic(depth - 1))})"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(arithmetic(), min_size=1, max_size=6))
def test_arithmetic_agrees_including_division_by_zero(engines: Engines, items: list[str]) -> None:
    _, _, relation, _ = engines
    sql = f'SELECT id, {", ".join(items)} FROM "t" WHERE n IS NULL OR abs(n) < 1000 ORDER BY id'
    got, expected = both(engines, [relation], sql)
    assert got == expected
