"""Record linking against known truth: precision, recall, F1, wall time and peak memory.

    python benchmarks/linking.py                  # 10k × 10k (quick)
    python benchmarks/linking.py --rows 1000000   # 1M × 1M, the issue's target

Generates enterprises and two department views of them (``cityhub.linking.synthetic``: 市场监管局
clean and coded, 税务局 with typos, full-width characters, 有限公司/有限责任公司 swapped, address
parts swapped, phones written other ways, and ~40% of credit codes missing or invalid), writes
each view to Parquet, and runs the same pipeline a linking run uses (``cityhub.linking.pipeline``)
on a DuckDB connection with the given memory limit and threads. Precision and recall are
pairwise, against the truth: a predicted link is a cross-view pair of records in one cluster.
The peak memory is the process's maximum resident set (Python, Arrow and DuckDB together).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from cityhub.linking.features import Kind
from cityhub.linking.pipeline import Thresholds, link
from cityhub.linking.records import ColumnMap, SourceFiles
from cityhub.linking.synthetic import KnownTruth

COLUMNS = ColumnMap(
    key="记录编号",
    name="企业名称",
    address="住所",
    legal_rep="法定代表人",
    phone="联系电话",
    code="统一社会信用代码",
)

SCORES = """
WITH predicted AS (
    SELECT a.source_key AS k_l, b.source_key AS k_r FROM link_output a JOIN link_output b
    ON a.cluster_id = b.cluster_id AND a.source_dataset = 'scjgj' AND b.source_dataset = 'swj'),
truth_pairs AS (
    SELECT a.source_key AS k_l, b.source_key AS k_r FROM truth a JOIN truth b
    ON a.entity = b.entity AND a.source_dataset = 'scjgj' AND b.source_dataset = 'swj'),
uncoded AS (SELECT source_key FROM records WHERE source_dataset = 'swj' AND code IS NULL)
SELECT
    (SELECT count(*) FROM predicted),
    (SELECT count(*) FROM truth_pairs),
    (SELECT count(*) FROM predicted JOIN truth_pairs USING (k_l, k_r)),
    (SELECT count(*) FROM truth_pairs WHERE k_r IN (SELECT source_key FROM uncoded)),
    (SELECT count(*) FROM predicted JOIN truth_pairs USING (k_l, k_r)
        WHERE k_r IN (SELECT source_key FROM uncoded))
"""


def peak_memory_mb() -> float:
    """Peak resident memory of this process (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=10_000, help="records in each view")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--memory-limit", default="16GB", help="DuckDB memory limit")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--u-pairs", type=float, default=2e6, help="random pairs for u")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cityhub-linking-") as scratch:
        work = args.workdir or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        data = KnownTruth.generate(args.rows, args.seed)
        paths = {name: work / f"{name}.parquet" for name in ("scjgj", "swj")}
        pq.write_table(data.scjgj, paths["scjgj"])
        pq.write_table(data.swj, paths["swj"])
        generated = time.perf_counter() - started
        print(
            f"generated {data.scjgj.num_rows:,} + {data.swj.num_rows:,} records "
            f"in {generated:.1f} s",
            flush=True,
        )
        con = duckdb.connect(
            ":memory:",
            config={
                "memory_limit": args.memory_limit,
                "threads": str(args.threads),
                "temp_directory": str(work / "spill"),
                "preserve_insertion_order": "false",
            },
        )
        con.register("truth_arrow", data.truth)
        con.execute("CREATE TABLE truth AS SELECT * FROM truth_arrow")
        con.unregister("truth_arrow")
        del data
        sources = [SourceFiles(name, (str(path),), COLUMNS) for name, path in paths.items()]
        generator_peak = peak_memory_mb()
        started = time.perf_counter()
        outcome = link(
            con,
            sources,
            Kind.LEGAL_ENTITY,
            Thresholds(threshold=args.threshold, review_lower=0.5, review_upper=0.95),
            seed=args.seed,
            u_pairs=args.u_pairs,
        )
        wall = time.perf_counter() - started
        predicted, true, hits, true_uncoded, hits_uncoded = con.execute(SCORES).fetchall()[0]
        con.close()
    precision = hits / predicted if predicted else 1.0
    recall = hits / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    figures = outcome.figures
    print(f"records            {figures['records']}")
    print(f"exact-key links    {figures['exact_links']:,}")
    print(f"scored pairs       {figures['scored_pairs']:,} (p ≥ 0.5)")
    print(f"probabilistic      {figures['probabilistic_links']:,} (p ≥ {args.threshold})")
    print(f"review band        {figures['review_band']:,} (0.5 ≤ p < 0.95)")
    print(f"clusters           {figures['clusters']:,}")
    print(f"model              {figures.get('model')}")
    print(f"timings (s)        {figures['timings']}")
    print(f"true pairs         {true:,}; predicted {predicted:,}; correct {hits:,}")
    print(f"precision          {precision:.4f}")
    print(f"recall             {recall:.4f}")
    print(f"F1                 {f1:.4f}")
    if true_uncoded:
        print(
            f"recall, 税务 record without valid code  {hits_uncoded / true_uncoded:.4f} "
            f"({hits_uncoded:,} of {true_uncoded:,})"
        )
    print(f"wall time (link)   {wall:.1f} s")
    print(
        f"peak memory        {peak_memory_mb():,.0f} MB "
        f"(process; {generator_peak:,.0f} MB before linking, held by the generator)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
