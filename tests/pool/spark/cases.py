"""Awkward data and the queries the equivalence suite runs on both engines."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# Floats may differ in the last bits (summation order differs between engines).
FLOAT_TOLERANCE = 1e-9

ROWS: list[dict[str, Any]] = [
    {"id": 1, "county": "东昌府区", "name": "张三", "n": 10, "x": 1.5, "d": date(2024, 1, 7),
     "ts": datetime(2024, 1, 7, 23, 59, 59), "ok": True, "code": "371502199001011234"},
    {"id": 2, "county": "临清市", "name": None, "n": 0, "x": -2.25, "d": date(2024, 2, 29),
     "ts": datetime(2024, 2, 29, 0, 0, 0), "ok": False, "code": "abc"},
    {"id": 3, "county": "东昌府区", "name": "李四", "n": -7, "x": 0.0, "d": date(2023, 12, 31),
     "ts": datetime(2023, 12, 31, 12, 30, 0), "ok": None, "code": None},
    {"id": 4, "county": None, "name": "O'Brien", "n": None, "x": None, "d": None, "ts": None,
     "ok": True, "code": "12"},
    {"id": 5, "county": "茌平区", "name": "王五", "n": 3, "x": 1e15, "d": date(2024, 3, 4),
     "ts": datetime(2024, 3, 4, 8, 0, 0), "ok": False, "code": "91371500MA3C8XXX0X"},
    {"id": 6, "county": "临清市", "name": "", "n": 2**40, "x": 2.5, "d": date(2024, 3, 10),
     "ts": datetime(2024, 3, 10, 1, 2, 3), "ok": True, "code": "  padded  "},
]  # fmt: skip

SCHEMA = pa.schema(
    [
        ("id", pa.int64()), ("county", pa.string()), ("name", pa.string()), ("n", pa.int64()),
        ("x", pa.float64()), ("d", pa.date32()), ("ts", pa.timestamp("us")), ("ok", pa.bool_()),
        ("code", pa.string()),
    ]
)  # fmt: skip

# (case id, DuckDB SQL over the view "t"); each must give the same rows on both engines.
QUERIES: list[tuple[str, str]] = [
    ("select-all", 'SELECT * FROM "t" ORDER BY id'),
    ("null-ordering", 'SELECT id, name FROM "t" ORDER BY name, id'),
    ("null-ordering-desc", 'SELECT id, n FROM "t" ORDER BY n DESC, id'),
    ("division", 'SELECT id, n / 2, x / n, n / x, 1 / 0, -1 / 0, 0 / 0 FROM "t" ORDER BY id'),
    ("nested-division", 'SELECT id, (n / x) / (x / 2) FROM "t" ORDER BY id'),
    ("integer-division", 'SELECT id, n // 3, n % 3 FROM "t" WHERE n IS NOT NULL ORDER BY id'),
    ("dayofweek", 'SELECT id, dayofweek(d), isodow(d), dayofyear(d), week(d) FROM "t" ORDER BY id'),
    (
        "date-parts",
        'SELECT id, year(d), month(d), day(d), quarter(ts), hour(ts), minute(ts) FROM "t" ORDER BY id',
    ),
    (
        "date-trunc",
        "SELECT id, date_trunc('month', d), date_trunc('hour', ts) FROM \"t\" ORDER BY id",
    ),
    (
        "strftime",
        "SELECT id, strftime(ts, '%Y-%m-%d %H:%M:%S'), strftime(d, '%Y年%m月') FROM \"t\" ORDER BY id",
    ),
    ("date-diff", "SELECT id, date_diff('day', DATE '2024-01-01', d) FROM \"t\" ORDER BY id"),
    ("last-day", 'SELECT id, last_day(d) FROM "t" ORDER BY id'),
    (
        "strings",
        'SELECT id, length(county), upper(name), lower(code), substring(county, 2, 2), left(county, 1), right(code, 2) FROM "t" ORDER BY id',
    ),
    (
        "concat",
        "SELECT id, concat(county, '-', name), county || name, concat_ws('/', county, name) FROM \"t\" ORDER BY id",
    ),
    (
        "trim-replace",
        "SELECT id, trim(code), replace(county, '区', 'District') , reverse(name) FROM \"t\" ORDER BY id",
    ),
    ("like", "SELECT id FROM \"t\" WHERE county LIKE '%区' OR name ILIKE 'o%' ORDER BY id"),
    (
        "regex",
        "SELECT id, regexp_matches(code, '^[0-9]+$'), regexp_full_match(code, '[0-9]{2}'), regexp_replace(code, '[0-9]', '#', 'g'), regexp_extract(code, '([0-9]{4})', 1) FROM \"t\" ORDER BY id",
    ),
    ("strpos", "SELECT id, strpos(code, '1'), starts_with(code, '37') FROM \"t\" ORDER BY id"),
    (
        "casts",
        'SELECT id, CAST(n AS VARCHAR), CAST(n AS DOUBLE), TRY_CAST(code AS BIGINT), CAST(ok AS VARCHAR), CAST(d AS VARCHAR) FROM "t" ORDER BY id',
    ),
    (
        "case-coalesce",
        "SELECT id, CASE WHEN n > 0 THEN 'pos' WHEN n < 0 THEN 'neg' ELSE 'zero-or-null' END, coalesce(name, county, '无'), nullif(n, 0) FROM \"t\" ORDER BY id",
    ),
    (
        "numbers",
        'SELECT id, abs(n), round(x), round(x, 1), floor(x), ceil(x), sign(n), greatest(n, 1), least(x, 0) FROM "t" ORDER BY id',
    ),
    (
        "aggregate",
        'SELECT county, count(*), count(name), sum(n), avg(x), min(d), max(ts), count(DISTINCT name) FROM "t" GROUP BY county ORDER BY county',
    ),
    ("aggregate-empty", 'SELECT count(*), sum(n), avg(x), max(name) FROM "t" WHERE id < 0'),
    ("group-empty", 'SELECT county, count(*) FROM "t" WHERE id < 0 GROUP BY county'),
    (
        "statistics",
        'SELECT stddev_samp(x), stddev_pop(x), var_samp(n), var_pop(n), median(x) FROM "t"',
    ),
    (
        "bool-aggregates",
        'SELECT county, bool_or(ok), bool_and(ok), count_if(ok) FROM "t" GROUP BY county ORDER BY county',
    ),
    ("filter-clause", 'SELECT count(*) FILTER (WHERE ok), sum(n) FILTER (WHERE x > 0) FROM "t"'),
    ("arg-max", 'SELECT arg_max(name, n), arg_min(id, x) FROM "t"'),
    (
        "windows",
        'SELECT id, row_number() OVER (PARTITION BY county ORDER BY id), rank() OVER (ORDER BY ok, id), sum(n) OVER (PARTITION BY county ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), lag(id) OVER (ORDER BY id), lead(name, 2) OVER (ORDER BY id) FROM "t" ORDER BY id',
    ),
    ("window-share", 'SELECT id, n / sum(n) OVER () FROM "t" ORDER BY id'),
    (
        "qualify",
        'SELECT county, id, upper(name) FROM "t" QUALIFY row_number() OVER (PARTITION BY county ORDER BY id DESC) = 1 ORDER BY county',
    ),
    (
        "cte-join",
        'WITH c AS (SELECT county, count(*) AS k FROM "t" GROUP BY county) SELECT t.id, c.k FROM "t" JOIN c ON t.county = c.county ORDER BY t.id',
    ),
    (
        "left-join-nulls",
        'SELECT a.id, b.id FROM "t" a LEFT JOIN "t" b ON a.n = b.n + 1 ORDER BY a.id, b.id',
    ),
    (
        "union-except",
        'SELECT county FROM "t" UNION SELECT name FROM "t" EXCEPT SELECT \'李四\' ORDER BY 1',
    ),
    (
        "in-subquery",
        'SELECT id FROM "t" WHERE n IN (SELECT n FROM "t" WHERE n > 0) AND id NOT IN (3, 4) ORDER BY id',
    ),
    (
        "between-distinct",
        "SELECT DISTINCT county FROM \"t\" WHERE d BETWEEN DATE '2024-01-01' AND DATE '2024-03-04' ORDER BY county",
    ),
    ("limit-offset", 'SELECT id FROM "t" ORDER BY id LIMIT 2 OFFSET 3'),
    (
        "having",
        'SELECT county, sum(x) AS s FROM "t" GROUP BY county HAVING count(*) > 1 ORDER BY s',
    ),
    ("chinese-compare", "SELECT id FROM \"t\" WHERE county = '临清市' ORDER BY id"),
    (
        "list-index",
        'SELECT id, [10, 20, 30][1], [10, 20, 30][-1], [10, 20, 30][id], [10, 20, 30][0], [10, 20, 30][id - 3] FROM "t" ORDER BY id',
    ),
    ("list-slice", 'SELECT id, [1, 2, 3, 4][2:3], [1, 2, 3, 4][1:id] FROM "t" ORDER BY id'),
    (
        "lambda-struct",
        "SELECT id, list_transform([{'p': id * 2, 'q': n}], lambda k: k.p + coalesce(k.q, 0))[1] FROM \"t\" ORDER BY id",
    ),
    (
        "bits",
        'SELECT id, bit_count(n), (id >> 1) & 1, (1::BIGINT << id) - 1 FROM "t" WHERE n IS NOT NULL ORDER BY id',
    ),
    (
        "top-n",
        'SELECT list_sort(list_distinct(min(county, 3) FILTER (WHERE id > 1)))[1:2], min(x, 2) FROM "t"',
    ),
    (
        "sorted-list",
        'SELECT county, list(name ORDER BY name) FROM "t" GROUP BY county ORDER BY county',
    ),
    (
        "translate-repeat",
        "SELECT id, translate(code, '0123', 'abc'), repeat('*', length(name)), chr(12288) || county FROM \"t\" ORDER BY id",
    ),
    (
        "regex-groups",
        "SELECT id, regexp_replace(code, '([0-9])([0-9])', '\\2\\1$', 'g'), regexp_replace(county, '市|区', '-', 'gi'), regexp_extract(code, '[0-9]+'), regexp_extract(code, '([0-9]{2})([0-9]{2})', ['a', 'b']) FROM \"t\" ORDER BY id",
    ),
    ("levenshtein", "SELECT id, levenshtein(coalesce(name, ''), '张三') FROM \"t\" ORDER BY id"),
    (
        "unquoted-chinese-names",
        'SELECT 县区, count(*) AS 数量 FROM (SELECT county AS 县区 FROM "t") WHERE 县区 IS NOT NULL '
        "GROUP BY 县区 ORDER BY 数量 DESC, 县区",
    ),
    (
        # IN (subquery) as a value, in the forms quality plans use (sets without NULLs). Spark
        # answers FALSE where DuckDB answers NULL (a NULL on the left, or a NULL in the set and
        # no match), so a plan guards the NULL and coalesces: the same on both engines.
        "in-subquery-flags",
        'SELECT id, n IS NULL OR n IN (SELECT n FROM "t" WHERE id > 4), '
        'code IS NULL OR NOT coalesce(code IN (SELECT code FROM "t" WHERE id < 3), false), '
        'NOT coalesce(name IN (SELECT name FROM "t" WHERE id > 3), false) FROM "t" ORDER BY id',
    ),
    (
        # hash() differs between engines (DuckDB's UBIGINT, Spark's rewrite): only what the
        # platform relies on must agree: non-negative, equal for equal values, distinct enough.
        "hash-groups",
        "SELECT count(DISTINCT hash(code)), count(DISTINCT code), min(hash(code)) >= 0, "
        "count_if(hash(county) = hash(county)), "
        'count_if(hash(code) IN (SELECT hash(code) FROM "t" WHERE id < 4)) FROM "t"',
    ),
]


def write_table(
    folder: Path, rows: Sequence[dict[str, Any]] = ROWS, name: str = "t.parquet"
) -> Path:
    """The rows as one Parquet file, written the way the pool writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    pq.write_table(pa.Table.from_pylist(list(rows), schema=SCHEMA), path)
    return path


def normalise(value: Any) -> Any:
    """A value as both engines' results can be compared: floats rounded, NaN as a marker."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return value
        return float(f"{value:.12g}")
    if isinstance(value, Decimal):
        return normalise(float(value))
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, list | tuple):
        return tuple(normalise(v) for v in value)
    return value


def rows_of(results: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Result rows with every value normalised."""
    return [tuple(normalise(v) for v in row) for row in results]
