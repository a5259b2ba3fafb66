"""Linking on Spark gives what it gives on DuckDB: records, pairs, probabilities, clusters, files.

One job, run on both engines: three sources (two generated departments' views with known truth,
and a small one of awkward rows: Chinese names written with full-width characters, spaces and
brackets, NULLs and empty strings in every column, a row without a key, the same row twice),
with review decisions, and with u estimated from a sample of the pairs (fewer pairs allowed
than exist), so that the engines must sample the same records.

Compared exactly: every feature of every record, which pairs were scored and the level each
comparison reached, the figures, the review band, every record's cluster id (named the same
way on both engines, so cluster membership is compared too) and how it was linked, and the
link table's Parquet files. Probabilities and weights are compared to a relative 1e-9: the
engines sum the same terms, perhaps in another order (observed: bit-identical).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from cityhub import linking
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.linking import (
    ColumnMap,
    Decision,
    Kind,
    LinkPair,
    LinkSpec,
    Outcome,
    SourceFiles,
    Thresholds,
    link,
)
from cityhub.linking import spark as spark_module
from cityhub.linking.engine import DuckDBEngine, LinkEngine
from cityhub.linking.output import SCHEMA
from cityhub.linking.spark import spark_engine
from cityhub.linking.synthetic import COLUMNS, KnownTruth
from cityhub.pool.service import Pool
from tests.linking.conftest import FIELDS, actor_of
from tests.linking.test_runs import THREE, links_of

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.timeout(900)  # two runs of a Spark job on a shared 2-core machine

MAPPING = ColumnMap("记录编号", "企业名称", "住所", "法定代表人", "联系电话", "统一社会信用代码")
TOLERANCE = 1e-9
TWICE: list[str | None] = ["X6", "鲁西集团有限责任公司", "913715OO",
                           "山东省聊城市冠县烟庄街道光岳路9号", "赵丽", "13912345678"]  # fmt: skip
AWKWARD: list[list[str | None]] = [
    # 记录编号, 企业名称, 统一社会信用代码, 住所, 法定代表人, 联系电话
    ["X1", "（聊城）鲁西化工机械　有限公司", None, "东昌府区 柳园街道 建设路１２号", "王 建国",
     "+86 138 1234 5678"],
    ["X2", "聊城市东阿阿胶股份有限公司临清市分公司", "", "", "买买提·艾力", "０６３５-2381234"],
    ["X3", None, None, None, None, None],
    ["X4", "", "", "", "", ""],
    [None, "临清市运河纺织有限公司", "91371581MA3C0XXX", "临清市先锋路街道运河路8号", "李强",
     "2381234"],
    TWICE,
    TWICE,
    ["X8", "𠀀字号\"引号'公司", "  ", "【冠县】光岳路9号", "O'Neil", "0086 13912345678"],
]  # fmt: skip


@dataclass
class Run:
    """A finished job on one engine: the engine (tables kept) and its outcome."""

    engine: LinkEngine
    outcome: Outcome

    def rows(self, table: str, order: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.engine.arrow(
            f"SELECT * FROM {table} ORDER BY {order}"
        ).to_pylist()
        return rows


@dataclass
class Both:
    duckdb: Run
    spark: Run
    scratch: Path


def _sources(folder: Path) -> tuple[list[SourceFiles], KnownTruth]:
    truth = KnownTruth.generate(80, seed=3)
    awkward = pa.table(
        {c: pa.array([row[i] for row in AWKWARD], pa.string()) for i, c in enumerate(COLUMNS)}
    )
    sources = []
    for name, table in (("scjgj", truth.scjgj), ("swj", truth.swj), ("awkward", awkward)):
        path = folder / f"{name}.parquet"
        pq.write_table(table, path)
        sources.append(SourceFiles(name, (str(path),), MAPPING))
    return sources, truth


def _decisions(truth: KnownTruth) -> list[Decision]:
    """A true pair decided ``different`` and two strangers decided ``same``."""
    rows = truth.truth.to_pylist()
    by_entity: dict[str, dict[str, str]] = {}
    for row in rows:
        by_entity.setdefault(row["entity"], {})[row["source_dataset"]] = row["source_key"]
    pairs = sorted(tuple(v.values()) for v in by_entity.values() if len(v) == 2)
    alone = sorted(v["scjgj"] for v in by_entity.values() if set(v) == {"scjgj"})
    return [
        Decision(("scjgj", pairs[0][0]), ("swj", pairs[0][1]), same=False),
        Decision(("scjgj", alone[0]), ("awkward", "X1"), same=True),
    ]


def _job(engine: LinkEngine | duckdb.DuckDBPyConnection, sources: list[SourceFiles],
         decisions: list[Decision]) -> Outcome:  # fmt: skip
    # 2,000 pairs allowed of about 8,000: u comes from a sample, in chunks. A wide review band
    # returns every scored pair.
    return link(engine, sources, Kind.LEGAL_ENTITY, Thresholds(0.99, 0.01, 1.0), decisions,
                seed=7, u_pairs=2e3, max_review=50)  # fmt: skip


@pytest.fixture(scope="module")
def both(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Both]:
    folder = tmp_path_factory.mktemp("equivalence")
    sources, truth = _sources(folder)
    decisions = _decisions(truth)
    con = duckdb.connect(config={"threads": "2"})
    on_duckdb = Run(DuckDBEngine(con), _job(con, sources, decisions))
    settings = Settings(data_dir=folder, engine="spark", spark_shuffle_partitions=2)
    with spark_engine(settings, folder / "scratch") as engine:
        on_spark = Run(engine, _job(engine, sources, decisions))
        yield Both(on_duckdb, on_spark, folder)
    con.close()


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=0.0)


def _without(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in names}


def test_records_have_the_same_features_and_ids(both: Both) -> None:
    order = "unique_id"
    on_duckdb, on_spark = both.duckdb.rows("records", order), both.spark.rows("records", order)
    assert on_duckdb == on_spark
    awkward = {r["source_key"]: r for r in on_duckdb if r["source_dataset"] == "awkward"}
    assert awkward["X1"]["name_core"] == "鲁西化工机械" and awkward["X1"]["name_city"] == "聊城"
    assert awkward["X1"]["phone"] == "13812345678"
    assert awkward["X3"]["name_core"] is None and awkward["X4"]["addr_tokens"] is None
    assert sum(k.startswith("h:") for k in awkward) == 1  # the row without a key


def test_the_same_pairs_are_scored_alike(both: Both) -> None:
    order = "source_dataset_l, source_key_l, source_dataset_r, source_key_r"
    on_duckdb = both.duckdb.rows("predictions", order)
    on_spark = both.spark.rows("predictions", order)
    assert len(on_duckdb) == len(on_spark) > 20
    numbers = ("match_probability", "match_weight")
    for a, b in zip(on_duckdb, on_spark, strict=True):
        assert _without(a, *numbers) == _without(b, *numbers)  # keys, values, gamma levels
        assert all(_close(a[n], b[n]) for n in numbers), (a, b)


def test_figures_and_review_band_agree(both: Both) -> None:
    figures = [_without(r.outcome.figures, "timings") for r in (both.duckdb, both.spark)]
    assert figures[0] == figures[1]
    assert figures[0]["decisions_applied"] == 2 and figures[0]["exact_links"] > 20
    assert figures[0]["model"]["m_from"] == "exact_key_pairs"
    reviews = [r.outcome.review for r in (both.duckdb, both.spark)]
    assert len(reviews[0]) == len(reviews[1]) > 0
    for a, b in zip(*reviews, strict=True):
        assert (a.left, a.right, a.detail) == (b.left, b.right, b.detail)
        assert _close(a.match_probability, b.match_probability)
        assert _close(a.match_weight, b.match_weight)


def test_every_record_is_in_the_same_cluster(both: Both) -> None:
    order = "source_dataset, source_key"
    on_duckdb = both.duckdb.rows("link_output", order)
    on_spark = both.spark.rows("link_output", order)
    assert len(on_duckdb) == len(on_spark) == sum(both.duckdb.outcome.figures["records"].values())
    for a, b in zip(on_duckdb, on_spark, strict=True):
        assert _without(a, "match_probability") == _without(b, "match_probability")
        assert _close(a["match_probability"], b["match_probability"])
    # Membership, whatever the names: the same partition of the records.
    members: list[set[frozenset[tuple[str, str]]]] = []
    for rows in (on_duckdb, on_spark):
        clusters: dict[str, set[tuple[str, str]]] = {}
        for r in rows:
            clusters.setdefault(r["cluster_id"], set()).add((r["source_dataset"], r["source_key"]))
        members.append({frozenset(c) for c in clusters.values()})
    assert members[0] == members[1]
    decided = {(r["source_dataset"], r["source_key"]): r for r in on_duckdb}
    assert decided[("awkward", "X1")]["linked_by"] == "review"


def test_the_link_table_files_hold_the_same_rows(both: Both) -> None:
    sql = (
        f"SELECT {', '.join(SCHEMA.names)} FROM link_output "
        "ORDER BY cluster_id, source_dataset, source_key"
    )
    tables = []
    for name, run in (("duckdb", both.duckdb), ("spark", both.spark)):
        folder = both.scratch / f"out-{name}"
        folder.mkdir()
        files = run.engine.write_parquet(sql, folder)
        assert files and all(f.name.startswith("part-") for f in files)
        assert sorted(folder.iterdir()) == sorted(files)  # no marker files left beside them
        tables.append(pa.concat_tables(pq.read_table(f) for f in files))
    # Names and types; DuckDB marks columns without NULLs as required, Spark writes all optional.
    expected = [(f.name, f.type) for f in SCHEMA]
    assert all([(f.name, f.type) for f in t.schema] == expected for t in tables)
    rows = [t.to_pylist() for t in tables]
    assert len(rows[0]) == len(rows[1])
    for a, b in zip(*rows, strict=True):
        assert _without(a, "match_probability") == _without(b, "match_probability")
        assert _close(a["match_probability"], b["match_probability"])


def _pairs(db: Database, run_id: int) -> list[dict[str, Any]]:
    with db.reading() as session:
        stored = session.scalars(
            select(LinkPair).where(LinkPair.run_id == run_id).order_by(LinkPair.id)
        ).all()
        return [
            {"left": (p.left_dataset, p.left_key), "right": (p.right_dataset, p.right_key),
             "p": p.match_probability, "weight": p.match_weight, "detail": p.detail}
            for p in stored
        ]  # fmt: skip


def test_a_run_on_spark_writes_what_a_run_on_duckdb_writes(
    db: Database,
    pool: Pool,
    settings: Settings,
    three_ways: KnownTruth,
    spark: SparkSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The service end to end: the link table version read back, its figures, its review pairs."""
    started: list[Path] = []

    def spy(settings: Settings, scratch: Path) -> Any:
        started.append(scratch)
        return spark_engine(settings, scratch)

    monkeypatch.setattr(spark_module, "spark_engine", spy)
    admin = actor_of(db, "admin")
    on_spark = Pool(db, settings.model_copy(update={"engine": "spark"}))
    runs = []
    for output, engine_pool in (("links-duckdb", pool), ("links-spark", on_spark)):
        body = {"output": output, "review_upper": 1.0,
                "sources": [{"dataset": n, **FIELDS} for n in THREE]}  # fmt: skip
        runs.append(linking.run_linking(db, admin, engine_pool, LinkSpec.parse(body)))
    on_spark.close()
    assert [r.status for r in runs] == ["finished", "finished"]
    assert len(started) == 1  # the second run, and only it, ran on Spark
    assert _without(runs[0].figures, "timings") == _without(runs[1].figures, "timings")
    tables = [links_of(pool, "links-duckdb"), links_of(pool, "links-spark")]
    assert tables[0].keys() == tables[1].keys()
    for record, a in tables[0].items():
        b = tables[1][record]
        assert _without(a, "match_probability") == _without(b, "match_probability"), record
        assert _close(a["match_probability"], b["match_probability"])
    pairs = [_pairs(db, r.id) for r in runs]
    assert len(pairs[0]) == len(pairs[1]) > 0
    for a, b in zip(*pairs, strict=True):
        assert _without(a, "p", "weight") == _without(b, "p", "weight")
        assert _close(a["p"], b["p"]) and _close(a["weight"], b["weight"])
