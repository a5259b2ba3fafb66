"""Scale-out: a derived-dataset refresh and a quality report at 1M-100M rows, DuckDB and Spark.

    python benchmarks/scale.py                                  # 1M and 10M rows, both engines
    python benchmarks/scale.py --rows 1e6,1e7,1e8 --plot docs/img/scale.png
    python benchmarks/scale.py --rows 1e8 --engines spark --runs 1   # add to earlier figures
    python benchmarks/scale.py --rows '' --plot docs/img/scale.png   # stored figures only

For each row count a platform is set up once and kept (``--data``, default under /tmp): a
SQLite catalogue, the legal-entity table of ``benchmarks/scale_data.py`` written as Parquet and
committed as an Iceberg snapshot (as an ingest would, without re-reading the rows), a county
list, a rule set of 10 rules and a derived dataset. Then, per engine (``CITYHUB_ENGINE``: the
platform's processing engine, ``Pool.processing``):

- ``derived``: ``derived.materialise`` refreshes the derived dataset (a join with the county
  list, a GROUP BY over county, kind and year, a window over the groups), the platform's path;
- ``quality``: ``quality.reports.run_rules`` runs the rule set over the newest version (not
  null, unique, range, regex, enumeration, reference, identifier validity of credit codes, ID
  numbers and region codes, a SQL predicate), as ``cityhub quality run`` does.

Each job runs ``--runs`` times; the best is reported (the first run warms the file cache and
the JVM). Spark's session start is timed apart. Figures are merged into ``--results`` (JSON),
so that a row count measured in another run joins the table and the plot.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import scale_data  # beside this script (python benchmarks/scale.py)
from sqlalchemy import select

from cityhub import auth, catalog, derived, quality
from cityhub.catalog import ColumnInfo, ColumnType, VersionRecord
from cityhub.config import Settings
from cityhub.db import Database, upgrade
from cityhub.derived.materialise import materialise
from cityhub.derived.models import DerivedDefinition
from cityhub.pool.service import Pool
from cityhub.pool.spark.session import spark_session
from cityhub.quality.reports import run_rules

ADMIN = auth.Actor(None, "admin", auth.Role.ADMIN, None)
ADMIN_PASSWORD = "scale-benchmark-admin"
DEPARTMENT = "SCJGJ"
LEGAL, COUNTIES, DERIVED = "scale-legal", "scale-counties", "scale-county-summary"
ENGINES = ("duckdb", "spark")
JOBS = ("derived", "quality")
DERIVED_SQL = """
SELECT c."名称" AS county, e."企业类型" AS kind, year(e."成立日期") AS year,
       count(*) AS firms, sum(e."注册资本") AS capital, avg(e."注册资本") AS mean_capital,
       count(*) FILTER (WHERE e."注册资本" < 0) AS negative,
       rank() OVER (PARTITION BY c."名称", year(e."成立日期")
                    ORDER BY sum(e."注册资本") DESC, e."企业类型") AS rank_in_year,
       sum(count(*)) OVER (PARTITION BY c."名称" ORDER BY year(e."成立日期"), e."企业类型"
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
FROM "scale-legal" e JOIN "scale-counties" c ON e."行政区划代码" = c."代码"
GROUP BY 1, 2, 3
"""
RULES: dict[str, Any] = {
    "rules": [
        {"id": "credit_valid", "kind": "identifier", "column": "统一社会信用代码",
         "params": {"kind": "credit_code"}, "blocking": True},
        {"id": "credit_unique", "kind": "unique", "column": "统一社会信用代码", "blocking": True},
        {"id": "id_valid", "kind": "identifier", "column": "法定代表人身份证号",
         "params": {"kind": "id_card"}},
        {"id": "name_present", "kind": "not_null", "column": "企业名称", "blocking": True},
        {"id": "capital_range", "kind": "range", "column": "注册资本",
         "params": {"min": 0, "max": 100_000_000}},
        {"id": "phone_format", "kind": "regex", "column": "联系电话",
         "params": {"pattern": "1[3-9][0-9]{9}"}},
        {"id": "type_enum", "kind": "enum", "column": "企业类型",
         "params": {"values": list(scale_data.CATEGORIES)}},
        {"id": "region_listed", "kind": "reference", "column": "行政区划代码",
         "params": {"dataset": COUNTIES, "column": "代码"}},
        {"id": "region_valid", "kind": "identifier", "column": "行政区划代码",
         "params": {"kind": "region_code"}},
        {"id": "founded_past", "kind": "sql", "column": "成立日期",
         "params": {"predicate": "成立日期 <= DATE '2026-01-01' "
                                 "AND 成立日期 >= DATE '1949-10-01'"}},
    ]
}  # fmt: skip


@dataclass
class Options:
    """What the command line chose."""

    data: Path
    runs: int
    memory: str
    threads: int
    master: str
    driver_memory: str
    partitions: int


def settings_for(folder: Path, options: Options, engine: str) -> Settings:
    """The platform's settings over one row count's folder, with ``engine`` processing."""
    return Settings(
        data_dir=folder,
        database_url=f"sqlite:///{folder / 'cityhub.db'}",
        secret_key="scale-benchmark",
        admin_password=ADMIN_PASSWORD,
        derived_scheduler_seconds=0,
        sl651_port=0,
        mqtt_port=0,
        engine=engine,
        query_memory_limit=options.memory,
        query_threads=options.threads,
        spark_master=options.master,
        spark_driver_memory=options.driver_memory,
        spark_shuffle_partitions=options.partitions,
    )


def _commit(
    pool: Pool,
    name: str,
    write: Callable[[Path], list[Path]],
    schema: pa.Schema,
    types: dict[str, ColumnType],
) -> int:
    """Write a dataset's files into its staging folder and record them as its first version."""
    with pool.db.reading() as session:
        dataset = catalog.dataset_by_name(session, name)
    files = write(pool.warehouse.staging(dataset.id))
    snapshot = pool.warehouse.commit(dataset.id, schema, files, replace=True, base_snapshot=None)
    rows = pool.warehouse.row_count(dataset.id, snapshot)
    columns = [ColumnInfo(f.name, f.name, types[f.name].value) for f in schema]
    record = VersionRecord(
        snapshot_id=snapshot,
        mode="replace",
        source_name="benchmarks/scale_data.py",
        source_format="parquet",
        source_encoding=None,
        source_bytes=sum(f.stat().st_size for f in files),
        rows_added=rows,
        row_count=rows,
        columns=columns,
    )
    catalog.record_version(pool.db, ADMIN, dataset.id, record)
    return rows


def prepare(rows: int, options: Options) -> Path:
    """The platform of ``rows`` rows, set up once and reused; returns its folder."""
    folder = options.data / f"rows-{rows}"
    if (folder / "ready").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    settings = settings_for(folder, options, "duckdb")
    db = Database(settings.database_url_effective)
    upgrade(db)
    auth.bootstrap(db, admin_password=ADMIN_PASSWORD)
    pool = Pool(db, settings)
    try:
        for name, title in ((LEGAL, "企业法人 (benchmark)"), (COUNTIES, "县区代码 (benchmark)")):
            spec = catalog.DatasetSpec(name=name, title=title, department=DEPARTMENT)
            catalog.create_dataset(db, ADMIN, spec)
        legal = scale_data.write_legal
        _commit(pool, LEGAL, lambda f: legal(f, rows), scale_data.SCHEMA, scale_data.TYPES)
        county_types = dict.fromkeys(scale_data.COUNTY_SCHEMA.names, ColumnType.STRING)
        counties = scale_data.write_counties
        _commit(pool, COUNTIES, lambda f: [counties(f)], scale_data.COUNTY_SCHEMA, county_types)
        quality.set_rules(db, ADMIN, LEGAL, RULES)
        summary = derived.DerivedSpec(
            name=DERIVED, title="企业县区年度汇总", sql=DERIVED_SQL, department=DEPARTMENT
        )
        derived.define(db, ADMIN, pool, summary)
    finally:
        pool.close()
        db.dispose()
    (folder / "ready").write_text(f"{time.perf_counter() - started:.1f}\n")
    return folder


def _best(runs: int, work: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def measure(rows: int, engine: str, options: Options) -> dict[str, Any]:
    """Times of both jobs on one engine (and Spark's session start, the first time)."""
    folder = prepare(rows, options)
    settings = settings_for(folder, options, engine)
    db = Database(settings.database_url_effective)
    pool = Pool(db, settings)
    found: dict[str, Any] = {}
    try:
        if engine == "spark":
            start = time.perf_counter()
            spark_session(settings).sql("SELECT 1").collect()
            found["session"] = time.perf_counter() - start  # ~0 once started in this process
        with db.reading() as session:
            dataset = catalog.dataset_by_name(session, DERIVED)
            definition = session.scalar(
                select(DerivedDefinition.id).where(DerivedDefinition.dataset_id == dataset.id)
            )
        assert definition is not None
        found["derived"] = _best(options.runs, lambda: materialise(db, ADMIN, pool, definition))
        report: dict[str, Any] = {}

        def quality_run() -> None:
            report["view"] = run_rules(pool, ADMIN, LEGAL)

        found["quality"] = _best(options.runs, quality_run)
        found["failed"] = {o["rule"]: o["failed"] for o in report["view"].results.get("rules", [])}
    finally:
        pool.close()
        db.dispose()
    return found


def _key(rows: int, engine: str) -> str:
    return f"{rows}/{engine}"


def _growth(results: dict[str, Any], rows: int, engine: str, job: str) -> str:
    """Time at ``rows`` over the time at a tenth of the rows (1.0 per 10x would be constant)."""
    before = results.get(_key(rows // 10, engine))
    if before is None or rows % 10:
        return ""
    return f"{min(results[_key(rows, engine)][job]) / min(before[job]):.1f}x"


def table(results: dict[str, Any]) -> list[str]:
    """The figures as a Markdown table, rows ascending, DuckDB then Spark."""
    lines = [
        "| rows | engine | job | best (s) | runs (s) | DuckDB/Spark | growth per 10x rows |",
        "|---:|---|---|---:|---|---:|---:|",
    ]
    keyed = sorted((int(k.split("/")[0]), ENGINES.index(k.split("/")[1]), k) for k in results)
    for rows, _, key in keyed:
        engine = key.split("/")[1]
        for job in JOBS:
            times = results[key][job]
            other = results.get(_key(rows, "spark"))
            ratio = ""
            if engine == "duckdb" and other is not None:
                share = min(times) / min(other[job])
                ratio = f"{share:.3f} (1:{1 / share:.0f})"
            runs = ", ".join(f"{t:.2f}" for t in times)
            lines.append(
                f"| {rows:,} | {engine} | {job} | {min(times):.2f} | {runs} | {ratio} | "
                f"{_growth(results, rows, engine, job)} |"
            )
    return lines


def plot(results: dict[str, Any], path: Path) -> None:
    """Seconds against rows, log-log, one line per engine and job."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=120)
    for engine in ENGINES:
        for job in JOBS:
            points = sorted(
                (int(k.split("/")[0]), min(v[job]))
                for k, v in results.items()
                if k.split("/")[1] == engine
            )
            if points:
                xs, ys = zip(*points, strict=True)
                style = "-" if engine == "duckdb" else "--"
                marker = "o" if job == "derived" else "s"
                axes.plot(xs, ys, style, marker=marker, label=f"{engine} {job}")
    counts = sorted({int(k.split("/")[0]) for k in results})
    if len(counts) > 1:  # a guide of slope 1: time proportional to rows
        lowest = min(min(v[job]) for v in results.values() for job in JOBS)
        guide = [lowest * c / counts[0] for c in counts]
        axes.plot(counts, guide, ":", color="grey", label="∝ rows")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("rows")
    axes.set_ylabel("seconds (best run)")
    axes.set_title("Derived dataset and quality report: DuckDB vs Spark local[2], 2 cores")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", default="1e6,1e7", help="row counts, comma-separated ('': print figures only)"
    )
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--runs", type=int, default=2, help="runs per job; the best is kept")
    parser.add_argument("--data", type=Path, default=Path("/tmp/cityhub-scale"))
    parser.add_argument("--results", type=Path, help="default: DATA/scale-results.json")
    parser.add_argument("--plot", type=Path, help="write a PNG plot here")
    parser.add_argument("--memory", default="8GB", help="DuckDB memory limit")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    parser.add_argument("--master", default="local[2]", help="Spark master")
    parser.add_argument("--driver-memory", default="8g", help="Spark driver memory")
    parser.add_argument("--partitions", type=int, default=8, help="Spark shuffle partitions")
    parser.add_argument(
        "--max-result-size",
        help="spark.driver.maxResultSize (the platform keeps Spark's 1g; 0: no limit)",
    )
    args = parser.parse_args()
    if args.max_result_size is not None:  # read when the JVM starts, before the session's own
        os.environ["PYSPARK_SUBMIT_ARGS"] = (
            f"--conf spark.driver.maxResultSize={args.max_result_size} pyspark-shell"
        )
    options = Options(
        args.data, args.runs, args.memory, args.threads, args.master, args.driver_memory,
        args.partitions,
    )  # fmt: skip
    counts = [int(float(r)) for r in args.rows.split(",") if r]  # "": table and plot only
    engines = [e for e in args.engines.split(",") if e]
    path = args.results or args.data / "scale-results.json"
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    for rows in counts:
        started = time.perf_counter()
        ready = (args.data / f"rows-{rows}" / "ready").exists()
        prepare(rows, options)
        print(
            f"{rows:,} rows: platform {'reused' if ready else 'set up'} "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        for engine in engines:
            found = measure(rows, engine, options)
            results[_key(rows, engine)] = found
            session = f", session start {found['session']:.1f} s" if "session" in found else ""
            print(
                f"  {engine}: derived {min(found['derived']):.2f} s, "
                f"quality {min(found['quality']):.2f} s{session}",
                flush=True,
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(results, indent=1, ensure_ascii=False))
        reports = [results[k]["failed"] for k in results if k.startswith(f"{rows}/")]
        if len(reports) > 1:
            same = all(r == reports[0] for r in reports)
            print(f"  reports agree across engines: {'yes' if same else 'NO'}", flush=True)
    print(f"Spark {args.master}, driver {args.driver_memory}; DuckDB {args.threads} threads, "
          f"{args.memory}; best of {args.runs}")  # fmt: skip
    print("\n".join(table(results)))
    if args.plot:
        plot(results, args.plot)
        print(f"plot written to {args.plot}")


if __name__ == "__main__":
    main()
