"""Identifier validation (``valid_sql``, ``valid_mask``) against a plain scan and a Python loop.

    python benchmarks/validators.py                      # 10M ID numbers and 10M credit codes
    python benchmarks/validators.py --rows 1000000 --python-rows 100000

For each kind the script writes a Parquet file of generated values — 88 % valid as written,
2 % valid after normalising (a leading space, a lower-case x or full-width digits), 10 % invalid
(one wrong check character) — and times, in the same run:

- the plain scan: ``SELECT count(*) FILTER (WHERE length(v) = 18) FROM read_parquet(…)``;
- ``SELECT count(*) FILTER (WHERE <valid_sql>) FROM read_parquet(…)``;
- ``valid_mask`` (NumPy over Arrow) over the column read in 1M-row batches, reading included
  (values outside the plain fast path, here the 2 % written differently, take the Python validator);
- ``validate(kind, v)`` in a Python loop over the first ``--python-rows`` values (already in
  memory: only the loop is timed).

The generated check characters are computed here, independently of ``cityhub.registry``; the
Python and SQL counts over the Python sample are printed side by side as a cross-check.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cityhub.registry.arrow import valid_mask
from cityhub.registry.codes import CREDIT_ALPHABET, CREDIT_WEIGHTS, ID_CHECK, ID_WEIGHTS
from cityhub.registry.regions import table
from cityhub.registry.sql import valid_sql
from cityhub.registry.validators import validate

FULLWIDTH_DIGITS = "０１２３４５６７８９"


def _weighted(column: str, alphabet: str, weights: tuple[int, ...], start: int = 1) -> str:
    return " + ".join(
        f"(strpos('{alphabet}', substr({column}, {start + i}, 1)) - 1) * {w}"
        for i, w in enumerate(weights)
    )


def _counties() -> str:
    codes = [r.code for r in table().values() if r.level == "county" and r.current]
    return "[" + ",".join(f"'{c}'" for c in codes) + "]"


def _mutate(valid: str, alphabet: str) -> str:
    """SQL: 88 % as is, 2 % written differently but valid, 10 % with a wrong check character."""
    wrong = f"substr('{alphabet[1:] + alphabet[0]}', strpos('{alphabet}', right({valid}, 1)), 1)"
    return (
        f"CASE WHEN u < 0.88 THEN {valid} "
        f"WHEN u < 0.8866 THEN ' ' || {valid} "
        f"WHEN u < 0.8933 THEN lower({valid}) "
        f"WHEN u < 0.90 THEN translate({valid}, '0123456789', '{FULLWIDTH_DIGITS}') "
        f"ELSE left({valid}, 17) || {wrong} END"
    )


def generate_ids(path: Path, rows: int) -> None:
    """ID numbers of current county codes, born 1940-2005."""
    body = (
        f"{_counties()}[1 + floor(random() * len({_counties()}))::INT] "
        "|| strftime(DATE '1940-01-01' + floor(random() * 23700)::INT, '%Y%m%d') "
        "|| lpad(floor(random() * 1000)::INT::VARCHAR, 3, '0')"
    )
    check = f"substr('{ID_CHECK}', ({_weighted('b', '0123456789', ID_WEIGHTS)}) % 11 + 1, 1)"
    duckdb.execute(
        f"COPY (SELECT {_mutate('(b || c)', '0123456789X')} AS v FROM ("
        f"SELECT b, {check} AS c, random() AS u FROM (SELECT {body} AS b FROM range({rows}))"
        f")) TO '{path}' (FORMAT parquet)"
    )


def generate_credit_codes(path: Path, rows: int) -> None:
    """Credit codes of enterprises (91), individual businesses (92), cooperatives (93) …"""
    random_char = f"substr('{CREDIT_ALPHABET}', 1 + floor(random() * 31)::INT, 1)"
    prefix = (
        "['91','91','91','91','91','92','92','93','12','52','Y1'][1 + floor(random() * 11)::INT]"
    )
    org = " || ".join([random_char] * 8)
    org_check = (
        "substr('0X987654321', "
        f"({_weighted('o', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', (3, 7, 9, 10, 5, 8, 4, 2))})"
        " % 11 + 1, 1)"
    )
    region = f"{_counties()}[1 + floor(random() * len({_counties()}))::INT]"
    body = f"SELECT {prefix} || {region} AS p, {org} AS o FROM range({rows})"
    total = _weighted("b", CREDIT_ALPHABET, CREDIT_WEIGHTS)
    check = f"substr('{CREDIT_ALPHABET}', (31 - ({total}) % 31) % 31 + 1, 1)"
    bodies = f"SELECT p || o || {org_check} AS b FROM ({body})"
    duckdb.execute(
        f"COPY (SELECT {_mutate('(b || c)', CREDIT_ALPHABET)} AS v FROM ("
        f"SELECT b, {check} AS c, random() AS u FROM ({bodies})"
        f")) TO '{path}' (FORMAT parquet)"
    )


def _timed(sql: str, repeat: int) -> tuple[float, int]:
    best, result = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        row = duckdb.execute(sql).fetchone()
        best = min(best, time.perf_counter() - started)
        result = int(row[0]) if row else 0
    return best, result


def _timed_arrow(kind: str, path: Path, repeat: int) -> tuple[float, int]:
    """``valid_mask`` over the column read as 1M-row Arrow batches, reading included."""
    best, result = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        reader = pq.ParquetFile(path).iter_batches(batch_size=1 << 20, columns=["v"])
        result = sum(pc.sum(valid_mask(kind, batch.column(0))).as_py() or 0 for batch in reader)
        best = min(best, time.perf_counter() - started)
    return best, result


def measure(kind: str, path: Path, rows: int, python_rows: int) -> None:
    """Print the four timings and their ratios for one kind."""
    source = f"read_parquet('{path}')"
    scan, _ = _timed(f"SELECT count(*) FILTER (WHERE length(v) = 18) FROM {source}", 3)
    check, valid = _timed(f"SELECT count(*) FILTER (WHERE {valid_sql(kind, 'v')}) FROM {source}", 2)
    arrow, arrow_valid = _timed_arrow(kind, path, 3)
    sample = [
        r[0] for r in duckdb.execute(f"SELECT v FROM {source} LIMIT {python_rows}").fetchall()
    ]
    started = time.perf_counter()
    python_valid = sum(validate(kind, value).valid for value in sample)
    python = time.perf_counter() - started
    (sql_sample_valid,) = duckdb.execute(
        f"SELECT count(*) FILTER (WHERE {valid_sql(kind, 'v')}) FROM "
        f"(SELECT v FROM {source} LIMIT {python_rows})"
    ).fetchone() or (0,)
    python_rate = len(sample) / python
    print(f"{kind}: {rows:,} rows, {valid:,} valid ({valid / rows:.1%})")
    print(f"  plain scan (length = 18)   {scan:8.2f} s  {rows / scan:14,.0f} rows/s")
    print(f"  valid_sql in DuckDB        {check:8.2f} s  {rows / check:14,.0f} rows/s")
    print(f"  valid_mask, NumPy (+read)  {arrow:8.2f} s  {rows / arrow:14,.0f} rows/s")
    print(
        f"  Python validate() loop     {python * rows / len(sample):8.2f} s  "
        f"{python_rate:14,.0f} rows/s (timed over {len(sample):,} rows)"
    )
    print(f"  valid_sql / plain scan     {check / scan:8.1f} x the time")
    print(f"  valid_mask / plain scan    {arrow / scan:8.1f} x the time")
    print(f"  Python loop / valid_sql    {(rows / python_rate) / check:8.1f} x the time")
    print(f"  sample: Python {python_valid:,} valid, SQL {sql_sample_valid:,} valid")
    print(f"  whole column: SQL {valid:,} valid, NumPy {arrow_valid:,} valid")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--python-rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=0, help="DuckDB threads (0: all cores)")
    args = parser.parse_args()
    if args.threads:
        duckdb.execute(f"SET threads = {args.threads}")
    (threads,) = duckdb.execute("SELECT current_setting('threads')").fetchone() or (0,)
    print(f"DuckDB {duckdb.__version__}, {threads} threads")
    with tempfile.TemporaryDirectory() as directory:
        for kind, generate in (("id_card", generate_ids), ("credit_code", generate_credit_codes)):
            path = Path(directory) / f"{kind}.parquet"
            started = time.perf_counter()
            generate(path, args.rows)
            print(f"generated {path.name} in {time.perf_counter() - started:.1f} s")
            measure(kind, path, args.rows, min(args.python_rows, args.rows))


if __name__ == "__main__":
    main()
