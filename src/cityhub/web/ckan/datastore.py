"""The DataStore: ``datastore_search`` (row API or SQL sandbox) and ``datastore_search_sql``.

Field dicts carry the data dictionary; records come in each ``records_format`` CKAN knows.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from cityhub import catalog
from cityhub.catalog import ColumnType, DatasetColumn
from cityhub.errors import InvalidInput
from cityhub.pool.engine import quote
from cityhub.pool.service import Readable, read_rows, readable, run_sql
from cityhub.query.rows import MAX_LIMIT, Filter, RowQuery
from cityhub.web.ckan.envelope import Call, action, required
from cityhub.web.ckan.params import as_bool, as_dict, as_int, as_list, invalid, scalar

DATASTORE_MAX = 32_000
DATASTORE_TYPES = dict(zip(ColumnType, (
    "text", "int8", "float8", "bool", "date", "timestamp", "text",
), strict=True))  # fmt: skip
SQL_TYPES = {bool: "bool", int: "int8", float: "float8", Decimal: "numeric", date: "date"}
SQL_TYPES[datetime] = "timestamp"
_SORT_COLUMN = re.compile(r'("(?:[^"]|"")+"|\S+)(?:\s+(asc|desc))?', re.IGNORECASE)


@action(reads=True)
def datastore_search(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Rows of a resource: filters, q, fields, sort, limit/offset; personal columns masked."""
    source = readable(call.pool, call.actor, required(data, "resource_id"), None, "dataset.read")
    types = source.types
    fields = [c for c, _ in column_names(data.get("fields"), "fields", types)] or list(types)
    filters = as_dict(data.get("filters"), "filters")
    if set(filters) - set(types):
        unknown = ", ".join(sorted(set(filters) - set(types)))
        raise InvalidInput(f"filters: no column {unknown}", details={"field": "filters"})
    query = RowQuery(
        filters=_row_filters(filters),
        sort=tuple(f"-{c}" if d else c for c, d in column_names(data.get("sort"), "sort", types)),
        select=tuple(fields),
        limit=min(as_int(data.get("limit"), "limit", 100), DATASTORE_MAX),  # CKAN caps
        offset=as_int(data.get("offset"), "offset", 0),
        version=source.version.number,
    )
    q = data.get("q")
    q = as_dict(q, "q") if isinstance(q, str) and q.lstrip().startswith("{") else q
    # The row API cannot say OR; q (and IN lists of values with commas) go through the sandbox.
    if q or _lists_need_sql(filters):
        query = replace(query, limit=min(query.limit, call.pool.settings.query_max_rows))
        rows, total = _search_sql(call, source, query, filters, q)
    else:
        rows, total = _search_rows(call, source, query)
    rid = source.dataset.resource_uuid
    link = f"/api/3/action/datastore_search?resource_id={rid}&limit={query.limit}&offset="
    result: dict[str, Any] = {
        "resource_id": rid,
        "fields": datastore_fields(fields, types, source.dataset.columns),
        "records": records(fields, rows, str(data.get("records_format") or "objects")),
        "filters": filters,
        "limit": query.limit,
        "offset": query.offset,
        "_links": {"start": f"{link}0", "next": f"{link}{query.offset + query.limit}"},
    }
    if as_bool(data.get("include_total"), "include_total", True):
        result |= {"total": total, "total_was_estimated": False}
    return result | ({"q": q} if q else {})


def _lists_need_sql(filters: dict[str, Any]) -> bool:
    """Whether an IN list cannot be the row API's comma-separated ``in`` value."""
    lists = [[scalar(v) for v in value] for value in filters.values() if isinstance(value, list)]
    return any(not values or any("," in v or v != v.strip() for v in values) for values in lists)


def _row_filters(filters: dict[str, Any]) -> tuple[Filter, ...]:
    """Equality filters in the row API's terms: a list is IN, null is IS NULL."""
    return tuple(
        Filter(column, "isnull", "true")
        if value is None
        else Filter(column, "in", ",".join(map(scalar, value)))
        if isinstance(value, list)
        else Filter(column, "eq", scalar(value))
        for column, value in filters.items()
    )


def _search_rows(call: Call, source: Readable, query: RowQuery) -> tuple[list[Any], int]:
    """Rows through the row API, in pages of its largest limit, all of one version."""
    rows: list[Any] = []
    while True:
        wanted = min(MAX_LIMIT, query.limit - len(rows))
        page_query = replace(query, limit=wanted, offset=query.offset + len(rows))
        page = read_rows(call.pool, call.actor, source.dataset.name, page_query)
        rows += page.rows
        if len(rows) >= query.limit or len(page.rows) < wanted:
            return rows, page.total


def _search_sql(
    call: Call, source: Readable, query: RowQuery, filters: dict[str, Any], q: Any
) -> tuple[list[Any], int]:
    """Rows through the SQL sandbox: q is a substring of any text column (or of named ones)."""
    conditions = [
        f"{quote(c)} IS NULL"
        if v is None
        else f"{quote(c)} IN ({', '.join(map(literal, as_list(v, c))) or 'NULL'})"
        for c, v in filters.items()
    ]
    text = [c for c, t in source.types.items() if t is catalog.ColumnType.STRING]
    searches = q.items() if isinstance(q, dict) else [(None, w) for w in str(q or "").split()]
    for column, word in searches:
        if column is not None and column not in source.types:
            raise InvalidInput(f"q: no column {column!r}", details={"field": "q"})
        found = [
            f"contains(lower(CAST({quote(c)} AS VARCHAR)), lower({literal(word)}))"
            for c in ([column] if column is not None else text)
        ]
        conditions.append(" OR ".join(found) or "FALSE")
    table = quote(source.dataset.resource_uuid)  # run_sql knows each table by its resource id
    where = f" WHERE {' AND '.join(f'({c})' for c in conditions)}" if conditions else ""
    order = ", ".join(
        f"{quote(s.lstrip('-'))} {'DESC' if s[0] == '-' else 'ASC'}" for s in query.sort
    )
    sql = f"SELECT {', '.join(map(quote, query.select))} FROM {table}{where}"
    sql += f"{' ORDER BY ' + order if order else ''} LIMIT {query.limit} OFFSET {query.offset}"
    page = run_sql(call.pool, call.actor, sql, aliases="resource_id")
    count = f"SELECT count(*) FROM {table}{where}"
    return page.rows, int(run_sql(call.pool, call.actor, count, aliases="resource_id").rows[0][0])


@action(reads=True)
def datastore_search_sql(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """One SELECT; tables are dataset names or resource ids written as quoted identifiers."""
    sql = required(data, "sql")
    results = run_sql(call.pool, call.actor, sql, aliases="resource_id")
    columns = results.columns
    result: dict[str, Any] = {
        "sql": sql,
        "records": records(columns, results.rows, "objects"),
        "fields": [
            {"id": c, "type": sql_type(row[i] for row in results.rows)}
            for i, c in enumerate(columns)
        ],
    }
    if results.truncated:  # CKAN sends the key only when rows were cut
        result["records_truncated"] = True
    return result


# --- fields and records -----------------------------------------------------------------------


def datastore_fields(
    names: list[str], types: dict[str, ColumnType], columns: list[DatasetColumn]
) -> list[dict[str, Any]]:
    """DataStore field dicts, with the data dictionary (label, description) in ``info``."""
    described = {c.name: (c.label, c.description) for c in columns}
    return [
        {"id": n, "type": DATASTORE_TYPES[types[n]]}
        | {"info": dict(zip(("label", "notes"), described.get(n, ("", "")), strict=True))}
        for n in names
    ]


def column_names(value: Any, name: str, known: Iterable[str]) -> list[tuple[str, bool]]:
    """The columns of ``fields`` or ``sort`` (``"a, b desc"`` or a list), checked; True: desc."""
    listed = not isinstance(value, str) or value.lstrip().startswith("[")
    found, columns = [], set(known)
    for item in as_list(value, name) if listed else value.split(","):
        if not str(item).strip():
            continue
        match = _SORT_COLUMN.fullmatch(str(item).strip())
        column = match.group(1) if match else str(item)
        column = column[1:-1].replace('""', '"') if column.startswith('"') else column
        if match is None or column not in columns:
            raise invalid(name, f"no column {str(item).strip()!r}")
        found.append((column, (match.group(2) or "").lower() == "desc"))
    return found


def plain(value: Any) -> Any:
    """A record value as JSON: times as ISO text, decimals as numbers, NaN as null."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return float(value) if math.isfinite(value) else None
    return value if value is None or isinstance(value, str | int | bool) else str(value)


def records(names: list[str], rows: list[tuple[Any, ...]], records_format: str) -> Any:
    """Rows in a DataStore ``records_format``: objects, lists, csv or tsv (no header)."""
    if records_format == "objects":
        return [dict(zip(names, map(plain, row), strict=True)) for row in rows]
    if records_format == "lists":
        return [[plain(v) for v in row] for row in rows]
    if records_format not in {"csv", "tsv"}:
        raise invalid("records_format", "must be objects, lists, csv or tsv")
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter="," if records_format == "csv" else "\t", lineterminator="\n"
    )
    writer.writerows([["" if v is None else plain(v) for v in row] for row in rows])
    return out.getvalue()


def sql_type(values: Iterable[Any]) -> str:
    """The DataStore type of a result column, from its first non-null value."""
    return next((SQL_TYPES.get(type(v), "text") for v in values if v is not None), "text")


def literal(value: Any) -> str:
    """A value as a SQL string literal (the engine casts it to the column's type)."""
    return "'" + scalar(value).replace("'", "''") + "'"
