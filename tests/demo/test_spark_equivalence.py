"""CITYHUB_ENGINE=spark gives the demo city's derived datasets and quality reports exactly.

The demo is seeded once (its own city: refreshing adds versions, which the other demo modules
count), then every derived dataset is refreshed and every rule set run once on DuckDB and once on
Spark, and the two results compared: the same rows (floats to ``FLOAT_TOLERANCE``), the same
schema, the same report (failures per rule, examples, score).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession
from sqlalchemy import select

from cityhub import auth, derived
from cityhub.catalog import Dataset, DatasetVersion
from cityhub.config import Settings
from cityhub.db import Database, upgrade
from cityhub.demo import seed
from cityhub.derived.materialise import materialise
from cityhub.derived.models import DerivedDefinition
from cityhub.pool.service import Pool
from cityhub.programme.computed import compute_sql
from cityhub.quality.models import QualityRuleSet
from cityhub.quality.reports import run_rules
from tests.conftest import ADMIN_PASSWORD, ON_POSTGRES, postgres_schema_url
from tests.pool.spark.cases import FLOAT_TOLERANCE, rows_of

SYSTEM = auth.Actor.system()
ADMIN = auth.Actor(None, "admin", auth.Role.ADMIN, None)
# More derived datasets than the demo's one, over its base databases: windows, shares,
# divisions, dates, filters, Chinese text.
EXTRA = [
    (
        "spark-county-capital",
        """SELECT "住所行政区划代码" AS county, "单位类型" AS kind, count(*) AS n,
          sum("注册资本") AS capital, avg("注册资本") AS mean_capital,
          sum("注册资本") / sum(sum("注册资本")) OVER (PARTITION BY "住所行政区划代码") AS share,
          min("成立日期") AS first_founded, max(year("成立日期")) AS last_year,
          count(*) FILTER (WHERE "登记状态" = '存续') AS active,
          rank() OVER (PARTITION BY "住所行政区划代码" ORDER BY count(*) DESC, "单位类型") AS rank
        FROM "legal-entities" GROUP BY 1, 2""",
    ),
    (
        "spark-monthly-penalties",
        """SELECT date_trunc('month', "决定日期") AS month, "信息类别" AS kind, count(*) AS n,
          sum("罚款金额") AS fines, sum("罚款金额") / count(*) AS per_record,
          dayofweek(min("决定日期")) AS first_weekday, isodow(max("决定日期")) AS last_isodow,
          strftime(max("决定日期"), '%Y年%m月%d日') AS last_day,
          sum("罚款金额") / sum(CASE WHEN "罚款金额" > 0 THEN 0 ELSE 0 END) AS by_zero
        FROM "public-credit-records" GROUP BY ALL""",
    ),
]


@pytest.fixture(scope="module")
def pools(
    spark: SparkSession, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Pool, Pool]]:
    folder = tmp_path_factory.mktemp("spark-city")
    urls = postgres_schema_url() if ON_POSTGRES else iter([f"sqlite:///{folder / 'city.db'}"])
    settings = Settings(
        data_dir=folder,
        database_url=next(urls),
        secret_key="test-secret-key",
        admin_password=ADMIN_PASSWORD,
    )
    db = Database(settings.database_url_effective)
    upgrade(db)
    auth.bootstrap(db, admin_password=ADMIN_PASSWORD)
    seed(db, settings, programme=False)
    duck = Pool(db, settings)
    for name, sql in EXTRA:
        spec = derived.DerivedSpec(name=name, title=name, sql=sql, department="SCJGJ")
        derived.define(db, ADMIN, duck, spec)
    on_spark = Pool(db, settings.model_copy(update={"engine": "spark"}))
    yield duck, on_spark
    duck.close()
    on_spark.close()
    db.dispose()
    for _ in urls:  # drops the PostgreSQL schema
        pass


def _definitions(db: Database) -> list[tuple[int, str]]:
    with db.reading() as session:
        rows = session.execute(
            select(DerivedDefinition.id, Dataset.name)
            .join(Dataset, Dataset.id == DerivedDefinition.dataset_id)
            .order_by(Dataset.name)
        )
        return [(int(i), str(n)) for i, n in rows]


def _rows(pool: Pool, name: str, number: int) -> tuple[pa.Schema, list[tuple[Any, ...]]]:
    with pool.db.reading() as session:
        dataset = session.scalars(select(Dataset).where(Dataset.name == name)).one()
        version = session.scalars(
            select(DatasetVersion).where(
                DatasetVersion.dataset_id == dataset.id, DatasetVersion.number == number
            )
        ).one()
        files = pool.files(dataset.id, version.snapshot_id)
    table = pa.concat_tables([pq.read_table(f) for f in files])
    rows = list(zip(*(c.to_pylist() for c in table.columns), strict=True))
    key = [tuple((v is None, str(v)) for v in row) for row in rows]
    ordered = [row for _, row in sorted(zip(key, rows, strict=True), key=lambda kv: kv[0])]
    return table.schema.remove_metadata(), rows_of(ordered)


def test_the_demo_has_derived_datasets_and_rules(pools: tuple[Pool, Pool]) -> None:
    duck, _ = pools
    assert len(_definitions(duck.db)) >= 1 + len(EXTRA)
    with duck.db.reading() as session:
        assert session.scalars(select(QualityRuleSet)).first() is not None


def test_derived_datasets_are_the_same_on_spark(pools: tuple[Pool, Pool]) -> None:
    duck, on_spark = pools
    compared = 0
    for definition_id, name in _definitions(duck.db):
        by_duckdb = materialise(duck.db, SYSTEM, duck, definition_id)
        by_spark = materialise(on_spark.db, SYSTEM, on_spark, definition_id)
        assert by_spark.sources == by_duckdb.sources, name
        assert by_spark.rows == by_duckdb.rows, name
        expected = _rows(duck, name, by_duckdb.version)
        got = _rows(on_spark, name, by_spark.version)
        assert got[0] == expected[0], name
        assert got[1] == expected[1], name
        compared += 1
    assert compared >= 1 + len(EXTRA)


def test_quality_reports_are_the_same_on_spark(pools: tuple[Pool, Pool]) -> None:
    duck, on_spark = pools
    with duck.db.reading() as session:
        names = sorted(
            set(
                session.scalars(
                    select(Dataset.name).join(
                        QualityRuleSet, QualityRuleSet.dataset_id == Dataset.id
                    )
                )
            )
        )
    assert names
    for name in names:
        expected = run_rules(duck, SYSTEM, name).report
        got = run_rules(on_spark, SYSTEM, name).report
        assert (got.rows_checked, got.rows_failed, got.score) == (
            expected.rows_checked,
            expected.rows_failed,
            expected.score,
        ), name
        assert got.results == expected.results, name


# Computed targets of the kind the programme office defines: a number from the base databases.
TARGET_QUERIES = [
    ('SELECT count(*) FROM "legal-entities" WHERE "登记状态" = \'存续\'', "SCJGJ"),
    ('SELECT sum("注册资本") / count(DISTINCT "住所行政区划代码") FROM "legal-entities"', "SCJGJ"),
    (
        'SELECT avg(CASE WHEN "罚款金额" > 0 THEN 1.0 ELSE 0 END) FROM "public-credit-records"',
        "FGW",
    ),
]


@pytest.mark.parametrize(("sql", "owner"), TARGET_QUERIES)
def test_computed_targets_are_the_same_on_spark(
    pools: tuple[Pool, Pool], sql: str, owner: str
) -> None:
    duck, on_spark = pools
    expected = compute_sql(duck, "T-1", owner, sql)
    got = compute_sql(on_spark, "T-1", owner, sql)
    assert got.source_ref == expected.source_ref
    assert got.value == pytest.approx(expected.value, rel=FLOAT_TOLERANCE)
