"""The linking pipeline on known truth: precision, recall, decisions, people.

Thresholds: the 10k benchmark (benchmarks/linking.py, same generator) measures precision 1.000
and recall 0.9998; a small set has fewer exact-key pairs to learn m from, so the test asks for
precision ≥ 0.97 and recall ≥ 0.95 overall, and recall ≥ 0.9 where the 税务 record has no valid
credit code (the pairs only probabilistic matching can find).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cityhub.linking import ColumnMap, Decision, Kind, Outcome, SourceFiles, Thresholds, link
from cityhub.linking.synthetic import KnownTruth

COLUMNS = ColumnMap("记录编号", "企业名称", "住所", "法定代表人", "联系电话", "统一社会信用代码")
SCORES = """
WITH predicted AS (
    SELECT a.source_key AS l, b.source_key AS r FROM link_output a JOIN link_output b
    ON a.cluster_id = b.cluster_id AND a.source_dataset = 'scjgj' AND b.source_dataset = 'swj'),
truth_pairs AS (
    SELECT a.source_key AS l, b.source_key AS r FROM truth a JOIN truth b
    ON a.entity = b.entity AND a.source_dataset = 'scjgj' AND b.source_dataset = 'swj'),
uncoded AS (SELECT source_key FROM records WHERE source_dataset = 'swj' AND code IS NULL)
SELECT (SELECT count(*) FROM predicted), (SELECT count(*) FROM truth_pairs),
    (SELECT count(*) FROM predicted JOIN truth_pairs USING (l, r)),
    (SELECT count(*) FROM truth_pairs WHERE r IN (SELECT * FROM uncoded)),
    (SELECT count(*) FROM predicted JOIN truth_pairs USING (l, r)
        WHERE r IN (SELECT * FROM uncoded))
"""


@dataclass
class Linked:
    """A finished run on known truth: its connection (tables kept), sources and outcome."""

    con: duckdb.DuckDBPyConnection
    sources: list[SourceFiles]
    outcome: Outcome

    def cluster(self, dataset: str, key: str) -> str:
        row = self.con.execute(
            "SELECT cluster_id FROM link_output WHERE source_dataset = ? AND source_key = ?",
            [dataset, key],
        )
        cluster: str = row.fetchall()[0][0]
        return cluster


def _sources(tmp: Path, truth: KnownTruth) -> list[SourceFiles]:
    paths = {"scjgj": tmp / "scjgj.parquet", "swj": tmp / "swj.parquet"}
    pq.write_table(truth.scjgj, paths["scjgj"])
    pq.write_table(truth.swj, paths["swj"])
    return [SourceFiles(name, (str(path),), COLUMNS) for name, path in paths.items()]


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Linked]:
    truth = KnownTruth.generate(500, seed=5)
    sources = _sources(tmp_path_factory.mktemp("truth"), truth)
    con = duckdb.connect(config={"threads": "2"})
    con.register("truth_arrow", truth.truth)
    con.execute("CREATE TABLE truth AS SELECT * FROM truth_arrow")
    outcome = link(con, sources, Kind.LEGAL_ENTITY, seed=5, u_pairs=1e5)
    yield Linked(con, sources, outcome)
    con.close()


def test_precision_and_recall_on_known_truth(linked: Linked) -> None:
    predicted, true, hits, true_uncoded, hits_uncoded = linked.con.execute(SCORES).fetchall()[0]
    assert hits / predicted >= 0.97
    assert hits / true >= 0.95
    assert true_uncoded > 0.3 * true  # probabilistic matching had real work to do
    assert hits_uncoded / true_uncoded >= 0.9
    assert linked.outcome.figures["model"]["m_from"] == "exact_key_pairs"


def test_decisions_override_the_model(linked: Linked) -> None:
    con = linked.con
    pair = con.execute(
        "SELECT source_dataset_l, source_key_l, source_dataset_r, source_key_r "
        "FROM predictions WHERE match_probability >= 0.9 ORDER BY source_key_l LIMIT 1"
    ).fetchall()[0]
    left, right = (pair[0], pair[1]), (pair[2], pair[3])
    strangers = con.execute(
        "SELECT a.source_key, b.source_key FROM link_output a, link_output b "
        "WHERE a.source_dataset = 'scjgj' AND b.source_dataset = 'swj' "
        "AND a.cluster_id <> b.cluster_id AND a.linked_by IS NULL AND b.linked_by IS NULL "
        "ORDER BY 1, 2 LIMIT 1"
    ).fetchall()[0]
    other = duckdb.connect()
    decisions = [
        Decision(left, right, same=False),
        Decision(("scjgj", strangers[0]), ("swj", strangers[1]), same=True),
    ]
    outcome = link(other, linked.sources, Kind.LEGAL_ENTITY, decisions=decisions, u_pairs=1e5)
    assert outcome.figures["decisions_applied"] == 2
    rows = {
        (d, k): (c, by)
        for d, k, c, by in other.execute(
            "SELECT source_dataset, source_key, cluster_id, linked_by FROM link_output"
        ).fetchall()
    }
    assert rows[left][0] != rows[right][0]
    joined = rows[("scjgj", strangers[0])], rows[("swj", strangers[1])]
    assert joined[0][0] == joined[1][0] and joined[0][1] == joined[1][1] == "review"


def test_review_band_pairs_carry_what_was_compared(tmp_path: Path) -> None:
    truth = KnownTruth.generate(200, seed=9)
    # A high threshold and a wide band put many pairs in review.
    outcome = link(
        duckdb.connect(),
        _sources(tmp_path, truth),
        Kind.LEGAL_ENTITY,
        Thresholds(threshold=0.999999, review_lower=0.5, review_upper=1.0),
        u_pairs=5e4,
        max_review=20,
    )
    assert 0 < len(outcome.review) <= 20 <= outcome.figures["review_band"]
    pair = outcome.review[0]
    assert set(pair.detail) == {"left", "right", "levels"}
    assert set(pair.detail["left"]) == {"name", "address", "rep", "phone", "code"}
    assert {"name", "address", "phone", "identifier"} <= set(pair.detail["levels"])


def test_people_link_on_valid_id_numbers_and_never_show_them(tmp_path: Path) -> None:
    from cityhub.registry.codes import id_number_check

    ids = [body + id_number_check(body) for body in ("37150219800101123", "37152119751231456")]
    gaj = pa.table({"编号": ["G1", "G2"], "姓名": ["张伟", "李娜"],
                    "身份证号": ids, "电话": ["13812345678", "13912345678"],
                    "住址": ["东昌府区柳园街道建设路1号", "冠县烟庄街道光岳路9号"]})  # fmt: skip
    rsj = pa.table({"编号": ["R1", "R2"], "姓名": ["张 伟", "李娜"],
                    "身份证号": [ids[0].lower(), ids[1][:-1] + "0"],
                    "电话": ["138 1234 5678", "139-1234-5678"],
                    "住址": ["建设路1号 柳园街道 东昌府区", "冠县烟庄街道光岳路9号"]})  # fmt: skip
    columns = ColumnMap("编号", "姓名", "住址", None, "电话", "身份证号")
    sources = []
    for name, table in (("gaj", gaj), ("rsj", rsj)):
        path = tmp_path / f"{name}.parquet"
        pq.write_table(table, path)
        sources.append(SourceFiles(name, (str(path),), columns))
    con = duckdb.connect()
    link(con, sources, Kind.PERSON)
    rows = {
        (d, k): (c, by)
        for d, k, c, by in con.execute(
            "SELECT source_dataset, source_key, cluster_id, linked_by FROM link_output"
        ).fetchall()
    }
    assert rows[("gaj", "G1")] == (rows[("rsj", "R1")][0], "id_number")
    assert rows[("gaj", "G2")][0] == rows[("rsj", "R2")][0]  # ID typo: name, phone, address
    assert all(c.startswith("P") and c not in ids for c, _ in rows.values())
