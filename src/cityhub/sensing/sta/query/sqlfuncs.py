"""SQL constructs whose text differs between SQLite and PostgreSQL, compiled per dialect.

The filter compiler builds dialect-independent expressions from these; SQLAlchemy renders
them for the engine at hand. Timestamps are read in UTC on both: SQLite stores naive UTC text
(``YYYY-MM-DD HH:MM:SS.ffffff``), PostgreSQL ``timestamptz``, which is moved to UTC with
``timezone('UTC', …)`` so that the session's time zone never matters. JSON keys and date
parts are rendered into the SQL text, never bound: they come from a fixed list or from
identifiers the lexer allows (letters, digits, ``_ . @ $``), checked again here.

Constructs that hold such text carry it as a literal-column clause, so it is part of
SQLAlchemy's statement cache key (two different JSON keys never share a cached statement).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Boolean, Float, Integer, String, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine

from cityhub.db.base import UTCDateTime

_SAFE_KEY = re.compile(r"[A-Za-z0-9_@$.]+")
DATE_PARTS = ("year", "month", "day", "hour", "minute", "second")
_SQLITE_PART = {"year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M"}


def _text(element: Any) -> str:
    """The raw text of a literal-column clause."""
    return str(element.name)


def _args(element: FunctionElement[Any]) -> list[Any]:
    return list(element.clauses.clauses)


def _sql(compiler: SQLCompiler, clause: Any, **kw: Any) -> str:
    return str(compiler.process(clause, **kw))


class _Construct(FunctionElement[Any]):
    inherit_cache = True


# --- date and time parts in UTC ------------------------------------------------------------


class utc_part(_Construct):
    """``year`` … ``second`` (integers) or ``fraction`` (seconds' fraction) of a timestamp."""

    inherit_cache = True

    def __init__(self, part: str, timestamp: ColumnElement[Any]) -> None:
        if part not in (*DATE_PARTS, "fraction"):
            raise ValueError(part)
        self.type: TypeEngine[Any] = Float() if part == "fraction" else Integer()
        super().__init__(literal_column(f"'{part}'"), timestamp)


def _sqlite_fraction(ts: str) -> str:
    # The stored text ends in ".ffffff"; strftime('%f') would keep milliseconds only.
    return f"CAST('0' || substr({ts}, 20) AS REAL)"


@compiles(utc_part, "sqlite")
def _utc_part_sqlite(element: utc_part, compiler: SQLCompiler, **kw: Any) -> str:
    part_clause, timestamp = _args(element)
    part = _text(part_clause).strip("'")
    ts = _sql(compiler, timestamp, **kw)
    if part == "fraction":
        return _sqlite_fraction(ts)
    if part == "second":
        return f"CAST(strftime('%S', {ts}) AS INTEGER)"
    return f"CAST(strftime('{_SQLITE_PART[part]}', {ts}) AS INTEGER)"


@compiles(utc_part, "postgresql")
def _utc_part_postgresql(element: utc_part, compiler: SQLCompiler, **kw: Any) -> str:
    part_clause, timestamp = _args(element)
    part = _text(part_clause).strip("'")
    utc = f"timezone('UTC', {_sql(compiler, timestamp, **kw)})"
    if part == "fraction":
        return (
            f"CAST(mod(CAST(EXTRACT(MICROSECONDS FROM {utc}) AS NUMERIC), 1000000) / 1000000.0 "
            "AS DOUBLE PRECISION)"
        )
    return f"CAST(FLOOR(EXTRACT({part.upper()} FROM {utc})) AS INTEGER)"


class utc_date_text(_Construct):
    """The UTC calendar date of a timestamp as ``YYYY-MM-DD`` text (compares like dates)."""

    inherit_cache = True

    type = String()


@compiles(utc_date_text, "sqlite")
def _utc_date_sqlite(element: utc_date_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({_sql(compiler, element.clauses, **kw)})"


@compiles(utc_date_text, "postgresql")
def _utc_date_postgresql(element: utc_date_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char(timezone('UTC', {_sql(compiler, element.clauses, **kw)}), 'YYYY-MM-DD')"


class utc_time_seconds(_Construct):
    """The UTC time of day of a timestamp as seconds since midnight (compares like times)."""

    inherit_cache = True

    type = Float()


@compiles(utc_time_seconds, "sqlite")
def _utc_time_sqlite(element: utc_time_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    ts = _sql(compiler, element.clauses, **kw)
    return (
        f"(CAST(strftime('%H', {ts}) AS INTEGER) * 3600 + CAST(strftime('%M', {ts}) AS INTEGER)"
        f" * 60 + CAST(strftime('%S', {ts}) AS INTEGER) + {_sqlite_fraction(ts)})"
    )


@compiles(utc_time_seconds, "postgresql")
def _utc_time_postgresql(element: utc_time_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    ts = _sql(compiler, element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM CAST(timezone('UTC', {ts}) AS TIME)) AS DOUBLE PRECISION)"


class shift_time(_Construct):
    """A timestamp moved by a number of seconds (``phenomenonTime add duration'PT1H'``)."""

    inherit_cache = True

    type = UTCDateTime()


@compiles(shift_time, "sqlite")
def _shift_sqlite(element: shift_time, compiler: SQLCompiler, **kw: Any) -> str:
    timestamp, seconds = (_sql(compiler, a, **kw) for a in _args(element))
    # Same text layout as stored values (microseconds padded), so text comparison still works.
    return (
        f"(strftime('%Y-%m-%d %H:%M:%f', {timestamp}, printf('%+.3f seconds', {seconds})) || '000')"
    )


@compiles(shift_time, "postgresql")
def _shift_postgresql(element: shift_time, compiler: SQLCompiler, **kw: Any) -> str:
    timestamp, seconds = (_sql(compiler, a, **kw) for a in _args(element))
    return f"({timestamp} + CAST({seconds} AS DOUBLE PRECISION) * INTERVAL '1 second')"


# --- JSON paths ----------------------------------------------------------------------------


class _JsonConstruct(_Construct):
    """Base of the JSON accessors: a JSON column and keys rendered into the SQL text."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[Any], keys: tuple[str, ...]) -> None:
        for key in keys:
            if not _SAFE_KEY.fullmatch(key):
                raise ValueError(f"unsafe JSON key {key!r}")
        super().__init__(column, *(literal_column(f"'{key}'") for key in keys))


class json_number(_JsonConstruct):
    """The number at a JSON path, NULL when the value there is not a number."""

    inherit_cache = True

    type = Float()


class json_text(_JsonConstruct):
    """The string at a JSON path, NULL when the value there is not a string."""

    inherit_cache = True

    type = String()


class json_bool(_JsonConstruct):
    """The boolean at a JSON path, NULL when the value there is not a boolean."""

    inherit_cache = True

    type = Boolean()


class json_is_null(_JsonConstruct):
    """True when a JSON path leads nowhere or to JSON ``null`` (or the column is NULL)."""

    inherit_cache = True

    type = Boolean()


def _json_parts(element: _JsonConstruct, compiler: SQLCompiler, **kw: Any) -> tuple[str, list[str]]:
    column, *keys = _args(element)
    return _sql(compiler, column, **kw), [_text(key).strip("'") for key in keys]


@compiles(json_number, "sqlite")
@compiles(json_text, "sqlite")
@compiles(json_bool, "sqlite")
@compiles(json_is_null, "sqlite")
def _json_sqlite(element: _JsonConstruct, compiler: SQLCompiler, **kw: Any) -> str:
    column, keys = _json_parts(element, compiler, **kw)
    path = "'$" + "".join(f'."{key}"' for key in keys) + "'"
    kind = f"json_type({column}, {path})"
    value = f"json_extract({column}, {path})"
    if isinstance(element, json_number):
        return f"(CASE WHEN {kind} IN ('integer', 'real') THEN {value} END)"
    if isinstance(element, json_text):
        return f"(CASE WHEN {kind} = 'text' THEN {value} END)"
    if isinstance(element, json_bool):
        return f"(CASE {kind} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)"
    return f"(coalesce({kind}, 'null') = 'null')"


@compiles(json_number, "postgresql")
@compiles(json_text, "postgresql")
@compiles(json_bool, "postgresql")
@compiles(json_is_null, "postgresql")
def _json_postgresql(element: _JsonConstruct, compiler: SQLCompiler, **kw: Any) -> str:
    column, keys = _json_parts(element, compiler, **kw)
    column = f"CAST({column} AS JSON)"  # also right if the column is ever made JSONB
    listed = "".join(f", '{key}'" for key in keys)
    node = f"json_extract_path({column}{listed})" if keys else column
    kind = f"json_typeof({node})"
    text = f"json_extract_path_text({column}{listed})" if keys else f"({column} #>> '{{}}')"
    if isinstance(element, json_number):
        return f"(CASE WHEN {kind} = 'number' THEN CAST({text} AS DOUBLE PRECISION) END)"
    if isinstance(element, json_text):
        return f"(CASE WHEN {kind} = 'string' THEN {text} END)"
    if isinstance(element, json_bool):
        return f"(CASE WHEN {kind} = 'boolean' THEN CAST({text} AS BOOLEAN) END)"
    return f"(coalesce({kind}, 'null') = 'null')"


# --- strings and numbers -------------------------------------------------------------------


class str_position(_Construct):
    """1-based position of ``needle`` in ``haystack`` (0 when absent): ``(haystack, needle)``."""

    inherit_cache = True

    type = Integer()


@compiles(str_position, "sqlite")
def _position_sqlite(element: str_position, compiler: SQLCompiler, **kw: Any) -> str:
    haystack, needle = (_sql(compiler, a, **kw) for a in _args(element))
    return f"instr({haystack}, {needle})"


@compiles(str_position, "postgresql")
def _position_postgresql(element: str_position, compiler: SQLCompiler, **kw: Any) -> str:
    haystack, needle = (_sql(compiler, a, **kw) for a in _args(element))
    return f"strpos({haystack}, {needle})"


class num_floor(_Construct):
    """The largest integer not above a number (SQLite without its optional math functions)."""

    inherit_cache = True

    type = Float()


class num_ceiling(_Construct):
    """The smallest integer not below a number."""

    inherit_cache = True

    type = Float()


class num_round(_Construct):
    """A number rounded to the nearest integer, halves away from zero (as OData says)."""

    inherit_cache = True

    type = Float()


@compiles(num_floor, "sqlite")
@compiles(num_ceiling, "sqlite")
def _floor_ceiling_sqlite(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    value = _sql(compiler, element.clauses, **kw)
    whole = f"CAST({value} AS INTEGER)"
    if isinstance(element, num_floor):
        return f"({whole} - ({value} < {whole}))"
    return f"({whole} + ({value} > {whole}))"


@compiles(num_floor, "postgresql")
def _floor_postgresql(element: num_floor, compiler: SQLCompiler, **kw: Any) -> str:
    return f"floor({_sql(compiler, element.clauses, **kw)})"


@compiles(num_ceiling, "postgresql")
def _ceiling_postgresql(element: num_ceiling, compiler: SQLCompiler, **kw: Any) -> str:
    return f"ceil({_sql(compiler, element.clauses, **kw)})"


@compiles(num_round, "sqlite")
def _round_sqlite(element: num_round, compiler: SQLCompiler, **kw: Any) -> str:
    return f"round({_sql(compiler, element.clauses, **kw)})"


@compiles(num_round, "postgresql")
def _round_postgresql(element: num_round, compiler: SQLCompiler, **kw: Any) -> str:
    # round(double precision) rounds halves to even; numeric rounds them away from zero.
    return f"round(CAST({_sql(compiler, element.clauses, **kw)} AS NUMERIC))"


class arith(_Construct):
    """``left op right`` for ``add sub mul div mod``, the same on both databases.

    ``integral`` operands (ids, integer literals, date parts) keep integer semantics (``div``
    truncates); others are computed in floating point. A zero divisor gives NULL instead of
    an error. PostgreSQL computes integers in NUMERIC, so no bigint overflow can fail a query.
    """

    inherit_cache = True

    def __init__(
        self, op: str, left: ColumnElement[Any], right: ColumnElement[Any], *, integral: bool
    ) -> None:
        if op not in ("add", "sub", "mul", "div", "mod"):
            raise ValueError(op)
        self.type = Integer() if integral else Float()
        kind = "int" if integral else "float"
        super().__init__(literal_column(f"'{op}'"), literal_column(f"'{kind}'"), left, right)


_SYMBOL = {"add": "+", "sub": "-", "mul": "*"}


@compiles(arith, "sqlite")
def _arith_sqlite(element: arith, compiler: SQLCompiler, **kw: Any) -> str:
    op_clause, kind_clause, left_clause, right_clause = _args(element)
    op, kind = _text(op_clause).strip("'"), _text(kind_clause).strip("'")
    left, right = _sql(compiler, left_clause, **kw), _sql(compiler, right_clause, **kw)
    if kind == "float":
        left = f"CAST({left} AS REAL)"
    if op in _SYMBOL:
        return f"({left} {_SYMBOL[op]} {right})"
    divisor = f"NULLIF({right}, 0)"
    if op == "div":
        return f"({left} / {divisor})"
    # The sign follows the dividend, as in C and in PostgreSQL's mod().
    return f"({left} - {right} * CAST({left} / {divisor} AS INTEGER))"


@compiles(arith, "postgresql")
def _arith_postgresql(element: arith, compiler: SQLCompiler, **kw: Any) -> str:
    op_clause, kind_clause, left_clause, right_clause = _args(element)
    op, kind = _text(op_clause).strip("'"), _text(kind_clause).strip("'")
    cast = "NUMERIC" if kind == "int" else "DOUBLE PRECISION"
    left = f"CAST({_sql(compiler, left_clause, **kw)} AS {cast})"
    right = f"CAST({_sql(compiler, right_clause, **kw)} AS {cast})"
    if op in _SYMBOL:
        return f"({left} {_SYMBOL[op]} {right})"
    divisor = f"NULLIF({right}, 0)"
    if op == "div":
        return f"trunc({left} / {divisor})" if kind == "int" else f"({left} / {divisor})"
    if kind == "int":
        return f"mod({left}, {divisor})"
    return f"({left} - {right} * trunc({left} / {divisor}))"


# SQLite refuses expressions nested more than 1000 deep, and parses "a OR b OR c …" as a
# left-deep tree. Long lists are therefore rendered as groups of at most GROUP items, nested:
# a thousand terms make a tree about 2 × 32 deep instead of 1000.
GROUP = 32


def _grouped(parts: list[str], separator: str) -> str:
    while len(parts) > GROUP:
        parts = [
            "(" + separator.join(parts[i : i + GROUP]) + ")" for i in range(0, len(parts), GROUP)
        ]
    return "(" + separator.join(parts) + ")"


class sum_of(_Construct):
    """``a + b + c …`` of integers, for any number of terms."""

    inherit_cache = True
    type = Integer()


@compiles(sum_of)
def _sum_of(element: sum_of, compiler: SQLCompiler, **kw: Any) -> str:
    terms = [_sql(compiler, term, **kw) for term in _args(element)]
    return _grouped(terms or ["0"], " + ")


class any_of(_Construct):
    """``a OR b OR …`` for any number of conditions."""

    inherit_cache = True
    type = Boolean()


class all_of(_Construct):
    """``a AND b AND …`` for any number of conditions."""

    inherit_cache = True
    type = Boolean()


@compiles(any_of)
@compiles(all_of)
def _logical(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    separator = " OR " if isinstance(element, any_of) else " AND "
    parts = [f"({_sql(compiler, part, **kw)})" for part in _args(element)]
    return _grouped(parts, separator)
