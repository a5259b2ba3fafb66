"""Quality rules at scale: 10 rules over 10M rows against one plain scan of the same columns.

    python benchmarks/quality_rules.py                    # 10M rows, 3 runs each, best kept
    python benchmarks/quality_rules.py --rows 1000000 --runs 1

A legal-entity table is generated with DuckDB as Parquet files laid out as the ingest writes
them (8M rows a file, 1M-row row groups, snappy) in a temporary warehouse: 统一社会信用代码 and
公民身份号码 with correct check characters, a name, an amount, a date, a region code, a phone
number and a category, about 1% of each column invalid. A small dataset of county codes serves
the reference rule. Then, on one locked engine (``cityhub.pool.engine.Engine``, same threads):

- (a) the report query of ``cityhub.quality`` for 10 rules (two identifier checks, not_null,
  unique, range, regex, enum, reference, sql, and a region-code check);
- (b) ``SELECT count(c1), count(c2), … FROM read_parquet(…)`` over the same columns.

Both are timed in the same run; the target is (a) ≤ 3 × (b).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from cityhub.catalog import ColumnType
from cityhub.pool.engine import Engine, quote
from cityhub.quality.evaluate import evaluate, tune
from cityhub.quality.plan import Plan, Reference, Target
from cityhub.quality.rules import RuleSet
from cityhub.registry.codes import CREDIT_ALPHABET, CREDIT_WEIGHTS, ID_CHECK, ID_WEIGHTS
from cityhub.registry.credit_code import ORG_CODE_WEIGHTS

ROWS_PER_FILE = 8_000_000
REGIONS = ["371502", "371503", "371521", "371522", "371523", "371524", "371525", "371526", "371581"]
CATEGORIES = ["有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "农民专业合作社"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
TYPES = {
    "统一社会信用代码": ColumnType.STRING,
    "法定代表人身份证号": ColumnType.STRING,
    "企业名称": ColumnType.STRING,
    "注册资本": ColumnType.FLOAT,
    "成立日期": ColumnType.DATE,
    "行政区划代码": ColumnType.STRING,
    "联系电话": ColumnType.STRING,
    "企业类型": ColumnType.STRING,
}
RULES: dict[str, list[dict[str, Any]]] = {
    "rules": [
        {
            "id": "credit_valid",
            "kind": "identifier",
            "column": "统一社会信用代码",
            "params": {"kind": "credit_code"},
            "blocking": True,
        },
        {"id": "credit_unique", "kind": "unique", "column": "统一社会信用代码", "blocking": True},
        {
            "id": "id_valid",
            "kind": "identifier",
            "column": "法定代表人身份证号",
            "params": {"kind": "id_card"},
        },
        {"id": "name_present", "kind": "not_null", "column": "企业名称", "blocking": True},
        {
            "id": "capital_range",
            "kind": "range",
            "column": "注册资本",
            "params": {"min": 0, "max": 100000000},
        },
        {
            "id": "phone_format",
            "kind": "regex",
            "column": "联系电话",
            "params": {"pattern": "1[3-9][0-9]{9}"},
        },
        {"id": "type_enum", "kind": "enum", "column": "企业类型", "params": {"values": CATEGORIES}},
        {
            "id": "region_listed",
            "kind": "reference",
            "column": "行政区划代码",
            "params": {"dataset": "counties", "column": "代码"},
        },
        {
            "id": "region_valid",
            "kind": "identifier",
            "column": "行政区划代码",
            "params": {"kind": "region_code"},
        },
        {
            "id": "founded_past",
            "kind": "sql",
            "column": "成立日期",
            "params": {
                "predicate": "成立日期 <= DATE '2026-01-01' AND 成立日期 >= DATE '1949-10-01'"
            },
        },
    ]
}


def _list(values: list[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def _weighted(text: str, weights: tuple[int, ...], value: str) -> str:
    return " + ".join(
        f"{w} * {value.format(c=f'substr({text}, {i + 1}, 1)')}" for i, w in enumerate(weights)
    )


def table_sql(rows: int) -> str:
    """A SELECT generating the rows (about 1% of each column invalid)."""
    digit = "(ascii({c}) - 48)"
    credit_value = f"(instr('{CREDIT_ALPHABET}', {{c}}) - 1)"
    org_total = _weighted("org", ORG_CODE_WEIGHTS, digit)
    id_total = _weighted("idbody", ID_WEIGHTS, digit)
    credit_total = _weighted("cbody", CREDIT_WEIGHTS, credit_value)
    return f"""
    WITH base AS (
        SELECT i,
            list_element({_list(REGIONS)}, (i % {len(REGIONS)}) + 1) AS region,
            lpad(CAST(i AS VARCHAR), 8, '0') AS org,
            list_element({_list(REGIONS)}, ((i // 7) % {len(REGIONS)}) + 1)
              || strftime(DATE '1950-01-01' + CAST(hash(i) % 20000 AS INTEGER), '%Y%m%d')
              || lpad(CAST(i % 1000 AS VARCHAR), 3, '0') AS idbody
        FROM range({rows}) t(i)
    ), checked AS (
        SELECT *, '91' || region || org
            || CASE 11 - ({org_total}) % 11 WHEN 10 THEN 'X' WHEN 11 THEN '0'
               ELSE CAST(11 - ({org_total}) % 11 AS VARCHAR) END AS cbody
        FROM base
    ), coded AS (
        SELECT *,
            cbody || substr('{CREDIT_ALPHABET}', (31 - ({credit_total}) % 31) % 31 + 1, 1)
              AS credit,
            idbody || substr('{ID_CHECK}', ({id_total}) % 11 + 1, 1) AS idno
        FROM checked
    )
    SELECT
        CASE WHEN i % 100 = 7 THEN substr(credit, 1, 17) || '0'
             WHEN i % 100 = 8 THEN lpad(CAST((i - 1) AS VARCHAR), 18, '9')
             ELSE credit END AS "统一社会信用代码",
        CASE WHEN i % 100 = 11 THEN substr(idno, 1, 17) || 'Y' ELSE idno END
          AS "法定代表人身份证号",
        CASE WHEN i % 200 = 3 THEN NULL
             ELSE '聊城市' || substr('{SURNAMES}', CAST(i % 20 AS INTEGER) + 1, 1)
                  || '氏第' || i || '号企业有限公司'
        END AS "企业名称",
        CASE WHEN i % 100 = 5 THEN -1.0 ELSE (hash(i) % 10000000) / 100.0 END AS "注册资本",
        CASE WHEN i % 100 = 9 THEN DATE '2030-01-01'
             ELSE DATE '1980-01-01' + CAST(hash(i + 1) % 16000 AS INTEGER) END AS "成立日期",
        CASE WHEN i % 100 = 13 THEN '379999' ELSE region END AS "行政区划代码",
        CASE WHEN i % 100 = 17 THEN '1380000'
             ELSE '13' || lpad(CAST(hash(i) % 1000000000 AS VARCHAR), 9, '0') END AS "联系电话",
        CASE WHEN i % 100 = 19 THEN '未知'
             ELSE list_element({_list(CATEGORIES)}, (i % 5) + 1) END AS "企业类型"
    FROM coded
    """


def generate(folder: Path, rows: int) -> tuple[list[str], str]:
    """Write the dataset's files (ingest layout) and the county list; returns their paths."""
    connection = duckdb.connect()
    connection.execute(f"CREATE TABLE legal AS {table_sql(rows)}")
    files = []
    for part, start in enumerate(range(0, rows, ROWS_PER_FILE)):
        path = folder / f"part-{part:05d}.parquet"
        connection.execute(
            f"COPY (SELECT * FROM legal LIMIT {ROWS_PER_FILE} OFFSET {start}) TO '{path}' "
            "(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 1048576)"
        )
        files.append(str(path))
    counties = folder / "counties.parquet"
    connection.execute(
        f"COPY (SELECT unnest({_list(REGIONS)}) AS \"代码\") TO '{counties}' (FORMAT parquet)"
    )
    connection.close()
    return files, str(counties)


def best(runs: int, work: Callable[[], None]) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory", default="8GB")
    parser.add_argument("--explain", action="store_true", help="print the report query's plan")
    parser.add_argument(
        "--skip", action="append", default=[], metavar="RULE", help="leave a rule out (diagnosis)"
    )
    parser.add_argument(
        "--data", type=Path, help="keep the generated files here and reuse them on the next run"
    )
    args = parser.parse_args()
    chosen = {"rules": [r for r in RULES["rules"] if r["id"] not in args.skip]}

    with tempfile.TemporaryDirectory(prefix="cityhub-quality-") as tmp:
        warehouse = (args.data or Path(tmp)) / "warehouse"
        folder = warehouse / "pool" / "ds_1" / "data" / f"bench-{args.rows}"
        start = time.perf_counter()
        reused = (folder / "counties.parquet").exists()
        if reused:
            files = sorted(str(f) for f in folder.glob("part-*.parquet"))
            counties = str(folder / "counties.parquet")
        else:
            folder.mkdir(parents=True)
            files, counties = generate(folder, args.rows)
        size = sum(Path(f).stat().st_size for f in files) / 2**20
        print(
            f"{'reused' if reused else 'generated'} {args.rows:,} rows in {len(files)} files "
            f"({size:,.0f} MiB) "
            f"in {time.perf_counter() - start:.1f} s"
        )

        plan = Plan(
            RuleSet.model_validate(chosen),
            Target(tuple(files), TYPES),
            {"region_listed": Reference("counties", "代码", (counties,), ColumnType.STRING)},
        )
        engine = Engine(warehouse, memory_limit=args.memory, threads=args.threads)
        plan = tune(engine, plan)
        listed = ", ".join(f"'{f}'" for f in files)
        counts = ", ".join(f"count({quote(c)})" for c in TYPES)
        scan = f"SELECT {counts} FROM read_parquet([{listed}])"
        if args.explain:
            print(
                engine.query(
                    [], "EXPLAIN ANALYZE " + plan.stats_sql(), time_limit_ms=10**9, max_rows=100
                ).rows[0][1]
            )
        outcome = {}

        def rules() -> None:
            outcome["evaluation"] = evaluate(engine, plan)

        def baseline() -> None:
            engine.query([], scan, time_limit_ms=10**9, max_rows=1)

        baseline()  # warm the file cache for both
        scan_best, scan_times = best(args.runs, baseline)
        rules_best, rules_times = best(args.runs, rules)
        engine.close()

    evaluation = outcome["evaluation"]
    print(f"threads {args.threads}, memory limit {args.memory}, best of {args.runs}")
    for o in evaluation.outcomes:
        print(f"  {o.check.rule.id:<15} failed {o.failed:>9,}  e.g. {', '.join(o.examples[:2])}")
    print(f"score {evaluation.score}, rows failing a rule {evaluation.rows_failed:,}")
    print(
        f"(b) plain scan of {len(TYPES)} columns: {scan_best:.2f} s  "
        f"(runs: {', '.join(f'{t:.2f}' for t in scan_times)})"
    )
    print(
        f"(a) {len(chosen['rules'])} rules:                  {rules_best:.2f} s  "
        f"(runs: {', '.join(f'{t:.2f}' for t in rules_times)}, "
        f"median {statistics.median(rules_times):.2f})"
    )
    ratio = rules_best / scan_best
    print(f"ratio (a)/(b): {ratio:.2f}x (target <= 3x)")
    sys.exit(0)


if __name__ == "__main__":
    main()
