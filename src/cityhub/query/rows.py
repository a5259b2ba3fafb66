"""The row API's query language: column filters with operators, sort, projection, paging.

Filters arrive as ``column__op=value`` pairs (Datasette's convention); values are converted to the
column's type here and bound as parameters, never spliced into the SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cityhub.catalog.vocab import ColumnType
from cityhub.errors import InvalidInput

OPERATORS = {
    "eq": "=",
    "ne": "<>",
    "lt": "<",
    "lte": "<=",
    "gt": ">",
    "gte": ">=",
    "like": "LIKE",
    "in": "IN",
    "isnull": "IS NULL",
}
MAX_LIMIT = 10_000
# Parameters of the row API that are not filters.
RESERVED = frozenset({"version", "_sort", "_select", "_limit", "_offset", "_format"})


@dataclass(frozen=True)
class Filter:
    """One condition: ``column op value``."""

    column: str
    op: str
    value: str


@dataclass(frozen=True)
class RowQuery:
    """What the row API was asked for."""

    filters: tuple[Filter, ...] = ()
    sort: tuple[str, ...] = ()  # column names, '-' prefix for descending
    select: tuple[str, ...] = ()
    limit: int = 100
    offset: int = 0
    version: int | None = None


@dataclass(frozen=True)
class BuiltQuery:
    """SQL for one page and for the total count, with their parameters."""

    page_sql: str
    count_sql: str
    params: list[Any] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


def parse_filter(key: str, value: str) -> Filter:
    """``name__op`` and a value as a Filter; a bare ``name`` means equality."""
    column, _, op = key.rpartition("__")
    if not column:
        column, op = key, "eq"
    if op not in OPERATORS:
        raise InvalidInput(
            f"unknown operator {op!r} in {key!r}; use one of {', '.join(OPERATORS)}",
            details={"parameter": key},
        )
    return Filter(column, op, value)


def row_query_from(
    params: Iterable[tuple[str, str]],
    *,
    sort: str = "",
    select: str = "",
    limit: int = 100,
    offset: int = 0,
    version: int | None = None,
) -> RowQuery:
    """A query from the row API's parameters, the same for the API and the dataset page.

    Each ``(key, value)`` pair whose key is not ``RESERVED`` is a ``column__op=value`` filter;
    ``sort`` and ``select`` are comma-separated column lists (``-`` before a column: descending).
    """
    return RowQuery(
        filters=tuple(parse_filter(key, value) for key, value in params if key not in RESERVED),
        sort=tuple(s for s in sort.split(",") if s),
        select=tuple(s for s in select.split(",") if s),
        limit=limit,
        offset=offset,
        version=version,
    )


def _convert(value: str, kind: ColumnType, where: str) -> Any:
    try:
        if kind is ColumnType.INTEGER:
            return int(value)
        if kind is ColumnType.FLOAT:
            return float(value)
        if kind is ColumnType.BOOLEAN:
            if value.lower() not in {"true", "false", "1", "0"}:
                raise ValueError(value)
            return value.lower() in {"true", "1"}
        if kind is ColumnType.DATE:
            return date.fromisoformat(value)
        if kind is ColumnType.TIMESTAMP:
            return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{where}: {value!r} is not a valid {kind.value}",
            details={"parameter": where, "value": value},
        ) from None
    return value


def build(relation: str, types: dict[str, ColumnType], query: RowQuery, quote: Any) -> BuiltQuery:
    """SQL over ``relation`` for the query; every column must be one of ``types``."""
    if not 0 <= query.limit <= MAX_LIMIT or query.offset < 0:
        raise InvalidInput(
            f"limit must be 0-{MAX_LIMIT}, offset at least 0", details={"parameter": "limit"}
        )

    def known(column: str, where: str) -> str:
        if column not in types:
            raise InvalidInput(
                f"{where}: no column {column!r}", details={"parameter": where, "column": column}
            )
        return str(quote(column))

    selected = list(query.select) or list(types)
    select_list = ", ".join(known(c, "_select") for c in selected)
    conditions: list[str] = []
    params: list[Any] = []
    for f in query.filters:
        where = f"{f.column}__{f.op}"
        column = known(f.column, where)
        kind = types[f.column]
        if f.op == "isnull":
            conditions.append(
                f"{column} IS {'' if f.value.lower() in {'true', '1', ''} else 'NOT '}NULL"
            )
        elif f.op == "in":
            values = [_convert(v.strip(), kind, where) for v in f.value.split(",")]
            params.extend(values)
            conditions.append(f"{column} IN ({', '.join('?' for _ in values)})")
        elif f.op == "like":
            params.append(f.value)
            conditions.append(f"CAST({column} AS VARCHAR) LIKE ?")
        else:
            params.append(_convert(f.value, kind, where))
            conditions.append(f"{column} {OPERATORS[f.op]} ?")
    where_sql = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    order = [
        f"{known(s.removeprefix('-'), '_sort')} {'DESC' if s.startswith('-') else 'ASC'}"
        for s in query.sort
    ]
    order_sql = f" ORDER BY {', '.join(order)}" if order else ""
    page_sql = (
        f"SELECT {select_list} FROM {quote(relation)}{where_sql}{order_sql} "
        f"LIMIT {query.limit} OFFSET {query.offset}"
    )
    count_sql = f"SELECT count(*) FROM {quote(relation)}{where_sql}"
    return BuiltQuery(page_sql, count_sql, params, selected)
