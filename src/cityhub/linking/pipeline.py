"""One linking run on a DuckDB connection: records → exact keys → Splink → decisions → clusters.

The steps, each a few SQL statements over tables of the connection:

1. ``records``: every source's rows as features (``cityhub.linking.records``).
2. Exact keys: records that share a valid credit code (ID number for people) are linked
   deterministically, each to the lowest record id of its code (a star, not all pairs).
3. Splink scores the other pairs (``cityhub.linking.model``): link_only across two or more
   sources, dedupe_only within one. u from random pairs; m from the pairs the exact keys linked
   (they are true matches by construction) when there are enough of them, else the model's
   starting values; the prior from rules that rarely link wrongly.
4. Review decisions: a ``same`` decision adds an edge, a ``different`` one keeps the scored
   edge out of the clustering (the pair still shows in the review band, with its decision).
5. Clusters: connected components (Splink's) over exact, probabilistic (≥ threshold) and
   reviewed edges; every record gets a cluster id, the highest probability of its edges, and
   what linked it.

Pairs in the review band are returned, most uncertain first. Nothing here knows about users or
the catalogue: ``cityhub.linking.runs`` does that. The steps run on DuckDB or Spark alike
(``cityhub.linking.engine``); each table is made once, never inserted into, as Spark's are files.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
from splink import Linker
from splink.clustering import cluster_pairwise_predictions_at_threshold

from cityhub.linking import model
from cityhub.linking.engine import LinkEngine, as_engine
from cityhub.linking.features import DEFAULT_AREA_CODE, Kind
from cityhub.linking.records import SourceFiles, build_records

MIN_LABELS = 30  # exact-key pairs needed to estimate m from them rather than keep the defaults
DETAIL_COLUMNS = ("name_text", "address_text", "rep_text", "phone_text", "code_text")
DECISIONS = pa.schema(
    [("ds_l", pa.string()), ("key_l", pa.string()), ("ds_r", pa.string()),
     ("key_r", pa.string()), ("same", pa.bool_())]
)  # fmt: skip
OUTPUT_COLUMNS = ("source_dataset", "source_key", "cluster_id", "match_probability", "linked_by")


@dataclass(frozen=True)
class Thresholds:
    """Link at ``threshold``; show pairs in [``review_lower``, ``review_upper``) for review."""

    threshold: float = 0.9
    review_lower: float = 0.5
    review_upper: float = 0.95


@dataclass(frozen=True)
class Decision:
    """A reviewer's word on a pair of records, each (dataset, key)."""

    left: tuple[str, str]
    right: tuple[str, str]
    same: bool


@dataclass(frozen=True)
class ScoredPair:
    """A pair in the review band: its records, probability, weight and what was compared."""

    left: tuple[str, str]
    right: tuple[str, str]
    match_probability: float
    match_weight: float
    detail: dict[str, Any]


@dataclass
class Outcome:
    """What a run found; the link table itself stays in the engine as ``link_output``."""

    figures: dict[str, Any] = field(default_factory=dict)
    review: list[ScoredPair] = field(default_factory=list)


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[step] = round(time.perf_counter() - started, 3)


def _exact_edges(engine: LinkEngine, kind: Kind) -> int:
    by = "credit_code" if kind is Kind.LEGAL_ENTITY else "id_number"
    engine.create(
        "exact_edges",
        f"SELECT root AS id_l, unique_id AS id_r, CAST(1.0 AS DOUBLE) AS p, "
        f"'{by}' AS linked_by FROM (SELECT unique_id, "
        f"min(unique_id) OVER (PARTITION BY code) AS root FROM records "
        f"WHERE code IS NOT NULL) AS coded WHERE unique_id <> root",
    )
    return int(engine.scalar("SELECT count(*) FROM exact_edges"))


def _possible_pairs(sizes: list[int]) -> float:
    if len(sizes) == 1:
        return sizes[0] * (sizes[0] - 1) / 2
    return float(sum(a * b for i, a in enumerate(sizes) for b in sizes[i + 1 :]))


def _prior(engine: LinkEngine, sizes: list[int]) -> float:
    """P(two random records match): pairs the prior rules link, over their recall, over all."""
    one_source = len(sizes) == 1
    total = _possible_pairs(sizes)
    if total <= 0:
        return 0.5
    side = "l.unique_id < r.unique_id" if one_source else "l.source_dataset < r.source_dataset"
    # One equi-join per rule (an OR in the join would compare every pair), then their union.
    linked = " UNION ".join(
        f"SELECT l.unique_id AS a, r.unique_id AS b FROM records l JOIN records r "
        f"ON {rule} AND {side}"
        for rule in model.PRIOR_RULES
    )
    pairs = engine.scalar(f"SELECT count(*) FROM ({linked}) AS linked")
    expected = max(float(pairs) / model.PRIOR_RECALL, min(sizes) * 0.01, 1.0)
    return min(expected / total, 0.5)


def _linker(engine: LinkEngine, views: list[str], kind: Kind, prior: float) -> Linker:
    db_api = engine.splink()
    frames = [db_api.register(view) for view in views]
    link_type = "link_only" if len(views) > 1 else "dedupe_only"
    settings = model.settings(kind, link_type, engine.dialect)
    settings.probability_two_random_records_match = prior
    # The settings are ours and tested; validating them parses every SQL condition again.
    inputs = frames if len(frames) > 1 else frames[0]
    return Linker(inputs, settings, log_level=logging.WARNING, validate_settings=False)


def _train(linker: Linker, labels: int, seed: int, u_pairs: float, pairs: float) -> dict[str, Any]:
    # Few records: all their pairs in one pass. Many: Splink's chunks, which stop early once
    # every level has been seen often enough.
    chunks = 1 if pairs <= u_pairs else 10
    linker.training.estimate_u_using_random_sampling(
        max_pairs=u_pairs, seed=seed, min_count_per_level=100, num_chunks=chunks
    )
    m_from = "defaults"
    if labels >= MIN_LABELS:
        linker.training.estimate_m_from_label_column("code")
        m_from = "exact_key_pairs"
    return {"m_from": m_from, "u_pairs": int(u_pairs)}


def _predict(engine: LinkEngine, linker: Linker, lowest: float) -> int:
    predicted = linker.inference.predict(threshold_match_probability=lowest, warning_mode="never")
    gammas = [c for c in predicted.columns_escaped if c.strip('"`').startswith("gamma_")]
    details = [f"{c}_{side}" for c in DETAIL_COLUMNS for side in "lr"]
    engine.create(
        "predictions",
        f"SELECT unique_id_l, unique_id_r, "
        f"source_key_l, source_key_r, match_probability, match_weight, "
        f"{', '.join(details + gammas)}, l.source_dataset AS source_dataset_l, "
        f"r.source_dataset AS source_dataset_r FROM {predicted.physical_name} p "
        f"JOIN records l ON l.unique_id = p.unique_id_l "
        f"JOIN records r ON r.unique_id = p.unique_id_r",
    )
    predicted.drop_table_from_database_and_remove_from_cache()
    return int(engine.scalar("SELECT count(*) FROM predictions"))


def _apply_decisions(engine: LinkEngine, decisions: Sequence[Decision]) -> int:
    """Load the decisions as pairs of record ids (``decided``); returns how many apply."""
    rows = [dict(zip(DECISIONS.names, (*d.left, *d.right, d.same), strict=True)) for d in decisions]
    engine.load("decisions", pa.Table.from_pylist(rows, schema=DECISIONS))
    engine.create(
        "decided_once",
        "SELECT a.unique_id AS id_l, b.unique_id AS id_r, "
        "d.same FROM decisions d JOIN records a ON a.source_dataset = d.ds_l "
        "AND a.source_key = d.key_l JOIN records b ON b.source_dataset = d.ds_r "
        "AND b.source_key = d.key_r",
    )
    applied = int(engine.scalar("SELECT count(*) FROM decided_once"))
    # Both ways round, so that a decision matches a scored pair however Splink ordered it.
    engine.create(
        "decided",
        "SELECT id_l, id_r, same FROM decided_once UNION ALL "
        "SELECT id_r, id_l, same FROM decided_once",
    )
    return applied


def _edges(engine: LinkEngine, threshold: float) -> None:
    """Exact-key links; scored links at or above the threshold unless decided ``different``;
    ``same`` decisions."""
    engine.create(
        "edges",
        f"SELECT id_l, id_r, p, linked_by FROM exact_edges UNION ALL "
        f"SELECT unique_id_l, unique_id_r, match_probability, 'probabilistic' "
        f"FROM predictions p WHERE match_probability >= {float(threshold)!r} AND NOT EXISTS "
        f"(SELECT 1 FROM decided d WHERE NOT d.same AND d.id_l = p.unique_id_l "
        f"AND d.id_r = p.unique_id_r) UNION ALL "
        f"SELECT id_l, id_r, CAST(1.0 AS DOUBLE), 'review' FROM decided WHERE same AND id_l < id_r",
    )


def _cluster(engine: LinkEngine, kind: Kind) -> None:
    db_api = engine.splink()
    clusters = cluster_pairwise_predictions_at_threshold(
        "records",
        "edges",
        db_api,
        node_id_column_name="unique_id",
        edge_id_column_name_left="id_l",
        edge_id_column_name_right="id_r",
    )
    # Per record, its strongest edge: highest probability, then review > exact key > model.
    rank = "CASE linked_by WHEN 'review' THEN 3 WHEN 'probabilistic' THEN 1 ELSE 2 END"
    prefix = "P" if kind is Kind.PERSON else "E"
    # A company cluster is named by its credit code (public); a person's never by an ID number.
    named = "min(r.code)" if kind is Kind.LEGAL_ENTITY else "NULL"
    engine.create(
        "link_output",
        f"WITH ends AS (SELECT id_l AS id, p, linked_by FROM edges "
        f"UNION ALL SELECT id_r, p, linked_by FROM edges), "
        f"best AS (SELECT id, max(p) AS p, max_by(linked_by, p * 10 + {rank}) AS linked_by "
        f"FROM ends GROUP BY id), "
        f"members AS (SELECT c.cluster_id, r.unique_id, r.source_dataset, r.source_key, r.code "
        f"FROM {clusters.physical_name} c JOIN records r ON r.unique_id = c.unique_id), "
        f"names AS (SELECT cluster_id, coalesce({named}, '{prefix}' || "
        f"left(md5(min(r.source_dataset || chr(31) || r.source_key)), 16)) AS name "
        f"FROM members r GROUP BY cluster_id) "
        f"SELECT m.source_dataset, m.source_key, n.name AS cluster_id, "
        f"b.p AS match_probability, b.linked_by FROM members m "
        f"JOIN names n ON n.cluster_id = m.cluster_id LEFT JOIN best b ON b.id = m.unique_id",
    )
    clusters.drop_table_from_database_and_remove_from_cache()


def _review(engine: LinkEngine, thresholds: Thresholds, limit: int) -> tuple[int, list[ScoredPair]]:
    band = (
        f"match_probability >= {thresholds.review_lower!r} "
        f"AND match_probability < {thresholds.review_upper!r}"
    )
    total = int(engine.scalar(f"SELECT count(*) FROM predictions WHERE {band}"))
    # unique_id numbers records by their values (``records``): the same order on both engines.
    table = engine.arrow(
        f"SELECT * FROM predictions WHERE {band} "
        f"ORDER BY abs(match_probability - {thresholds.threshold!r}), unique_id_l, unique_id_r "
        f"LIMIT {int(limit)}"
    )
    pairs = []
    for values in table.to_pylist():
        detail = {
            "left": {c.removesuffix("_text"): values[f"{c}_l"] for c in DETAIL_COLUMNS},
            "right": {c.removesuffix("_text"): values[f"{c}_r"] for c in DETAIL_COLUMNS},
            "levels": {
                k.removeprefix("gamma_"): v for k, v in values.items() if k.startswith("gamma_")
            },
        }
        pairs.append(
            ScoredPair(
                (values["source_dataset_l"], values["source_key_l"]),
                (values["source_dataset_r"], values["source_key_r"]),
                float(values["match_probability"]),
                float(values["match_weight"]),
                detail,
            )
        )
    return total, pairs


def link(
    engine: LinkEngine | duckdb.DuckDBPyConnection,
    sources: Sequence[SourceFiles],
    kind: Kind,
    thresholds: Thresholds = Thresholds(),
    decisions: Sequence[Decision] = (),
    *,
    seed: int = 42,
    u_pairs: float = 2e6,
    max_review: int = 2000,
    area_code: str = DEFAULT_AREA_CODE,
) -> Outcome:
    """Link ``sources``; the link table is left in the engine as ``link_output``.

    ``engine`` is a DuckDB connection or a ``LinkEngine`` (``cityhub.linking.engine``).
    """
    engine = as_engine(engine)
    outcome = Outcome()
    timings: dict[str, float] = {}
    figures = outcome.figures
    with _timed(timings, "records"):
        views = build_records(engine, sources, kind, area_code)
        sizes = [int(engine.scalar(f"SELECT count(*) FROM {view}")) for view in views]
    figures["records"] = dict(zip([s.dataset for s in sources], sizes, strict=True))
    figures["with_valid_identifier"] = int(
        engine.scalar("SELECT count(*) FROM records WHERE code IS NOT NULL")
    )
    with _timed(timings, "exact_keys"):
        figures["exact_links"] = _exact_edges(engine, kind)
    figures["scored_pairs"] = 0
    if sum(sizes) > 1 and (len(sizes) > 1 or sizes[0] > 1) and all(sizes):
        with _timed(timings, "training"):
            prior = _prior(engine, sizes)
            linker = _linker(engine, views, kind, prior)
            figures["model"] = {"prior": prior} | _train(
                linker, figures["exact_links"], seed, u_pairs, _possible_pairs(sizes)
            )
        with _timed(timings, "scoring"):
            lowest = min(thresholds.review_lower, thresholds.threshold)
            figures["scored_pairs"] = _predict(engine, linker, lowest)
    else:
        engine.create(
            "predictions",
            "SELECT CAST(NULL AS BIGINT) AS unique_id_l, CAST(NULL AS BIGINT) AS unique_id_r, "
            "CAST(NULL AS DOUBLE) AS match_probability WHERE false",
        )
    with _timed(timings, "clustering"):
        figures["decisions_applied"] = _apply_decisions(engine, decisions)
        _edges(engine, thresholds.threshold)
        _cluster(engine, kind)
    figures["probabilistic_links"] = int(
        engine.scalar("SELECT count(*) FROM edges WHERE linked_by = 'probabilistic'")
    )
    figures["clusters"] = int(engine.scalar("SELECT count(DISTINCT cluster_id) FROM link_output"))
    figures["linked_records"] = int(
        engine.scalar("SELECT count(*) FROM link_output WHERE linked_by IS NOT NULL")
    )
    if figures["scored_pairs"]:
        figures["review_band"], outcome.review = _review(engine, thresholds, max_review)
    else:
        figures["review_band"] = 0
    figures["timings"] = timings
    return outcome
