"""Typed intermediate values of the filter compiler.

A ``Value`` is either a constant (a Python value, bound only once the other operand's SQL
type is known, so that a datetime meets a UTC column with the right conversion) or SQL. Two
kinds of SQL are polymorphic — an Observation's ``result`` (stored in typed columns) and a
JSON path (``properties/depth``) — and take the type the other operand asks for.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, String, and_, literal
from sqlalchemy.sql.elements import ColumnElement, False_, True_

from cityhub.db.base import UTCDateTime
from cityhub.errors import InvalidInput
from cityhub.sensing.sta.query.nodes import Geometry
from cityhub.sensing.sta.query.sqlfuncs import json_bool, json_is_null, json_number, json_text

INT64 = 2**63

# The row source of a query: ``aliased(entity.model)``. Typed loosely because SQLAlchemy's
# stubs type an alias as the model class itself.
Source = Any


class Type(StrEnum):
    """What a value is, as far as the compiler knows."""

    NUMBER = "number"
    STRING = "string"
    BOOLEAN = "boolean"
    DATETIME = "date-time"
    DATE = "date"
    TIME = "time of day"
    DURATION = "duration"
    GEOMETRY = "geometry"
    NULL = "null"
    ANY = "JSON value"  # result or a JSON path: typed by what it meets


@dataclass(frozen=True)
class Poly:
    """A polymorphic SQL value: typed columns (``result``) or a JSON path.

    ``columns`` maps a type to its SQL; ``null`` is true when there is no value at all;
    ``default`` is the type used when nothing else decides (``result`` is a number first).
    """

    columns: dict[Type, ColumnElement[Any]]
    null: ColumnElement[bool]
    default: Type
    what: str  # for messages: "result", "properties/depth"

    def sort_keys(self) -> list[ColumnElement[Any]]:
        """Keys that order the values: numbers among numbers, then text, then booleans."""
        return [self.columns[t] for t in (Type.NUMBER, Type.STRING, Type.BOOLEAN)]


def json_poly(column: ColumnElement[Any], keys: tuple[str, ...], what: str) -> Poly:
    """The value at ``keys`` in a JSON column."""
    return Poly(
        {
            Type.NUMBER: json_number(column, keys),
            Type.STRING: json_text(column, keys),
            Type.BOOLEAN: json_bool(column, keys),
        },
        json_is_null(column, keys),
        Type.STRING,
        what,
    )


def result_poly(number: Any, boolean: Any, string: Any, json_column: Any) -> Poly:
    """An Observation's result from its typed columns."""
    return Poly(
        {Type.NUMBER: number, Type.STRING: string, Type.BOOLEAN: boolean},
        and_(number.is_(None), boolean.is_(None), string.is_(None), json_is_null(json_column, ())),
        Type.NUMBER,
        "result",
    )


@dataclass(frozen=True)
class Value:
    """One compiled operand.

    Exactly one of: ``sql`` (with ``type``), ``poly``, ``point`` (a stored Point's x and y)
    or a constant (``const``, or ``shape`` for a geometry literal). ``integral`` marks
    numbers known to be whole (integer arithmetic). ``pos`` is where it was written.
    """

    type: Type
    sql: ColumnElement[Any] | None = None
    const: Any = None
    integral: bool = False
    poly: Poly | None = None
    point: tuple[ColumnElement[Any], ColumnElement[Any]] | None = None
    shape: Geometry | None = None
    pos: int = field(default=-1, compare=False)

    @property
    def is_const(self) -> bool:
        """A constant: no SQL, no columns."""
        return self.sql is None and self.poly is None and self.point is None

    def typed(self, wanted: Type) -> Value:
        """A polymorphic value as ``wanted`` (other values are returned unchanged)."""
        if self.poly is None or wanted not in self.poly.columns:
            return self
        return Value(wanted, self.poly.columns[wanted], pos=self.pos)

    def settled(self) -> Value:
        """A polymorphic value as its default type."""
        return self.typed(self.poly.default) if self.poly is not None else self


def constant(value: Any, type_: Type, pos: int, *, shape: Geometry | None = None) -> Value:
    """A constant value; Python numbers are checked to fit the databases."""
    integral = isinstance(value, int) and not isinstance(value, bool)
    if integral and not -INT64 <= value < INT64:
        value, integral = float(value), False
    return Value(type_, const=value, integral=integral, shape=shape, pos=pos)


def bind(value: Value, like: ColumnElement[Any] | None, error: Errors) -> ColumnElement[Any]:
    """SQL of a value; a constant is bound with the SQL type of ``like`` where that matters."""
    if value.sql is not None:
        return value.sql
    if value.poly is not None:
        return value.settled().sql  # type: ignore[return-value]
    if value.point is not None:
        raise error.at(value.pos, "a geometry can only be used in geo functions")
    const = value.const
    match value.type:
        case Type.NUMBER:
            if isinstance(const, int) and not isinstance(const, bool):
                return literal(const, BigInteger())
            return literal(float(const), Float())
        case Type.STRING:
            if "\x00" in const:
                raise error.at(value.pos, "a string may not contain the NUL character")
            return literal(const, String())
        case Type.BOOLEAN:
            return literal(bool(const), Boolean())
        case Type.DATETIME:
            return literal(const, like.type if like is not None else UTCDateTime())
        case Type.DATE:
            return literal(const.isoformat(), String())  # compared with utc_date_text
        case Type.TIME:
            return literal(seconds_of_day(const), Float())  # compared with utc_time_seconds
        case Type.NULL:
            return literal(None)
    raise error.at(value.pos, f"a {value.type} cannot be used here")


def boolean(sql: ColumnElement[bool], pos: int) -> Value:
    """A condition as a value; SQL ``true``/``false`` constants become Python constants.

    SQLAlchemy refuses ``true() > x``, and ``ORDER BY 1`` would name a column: constants must
    stay constants.
    """
    if isinstance(sql, True_ | False_):
        return constant(isinstance(sql, True_), Type.BOOLEAN, pos)
    return Value(Type.BOOLEAN, sql, pos=pos)


def seconds_of_day(value: time) -> float:
    """A time of day as seconds since midnight, as ``utc_time_seconds`` computes it."""
    whole = value.hour * 3600 + value.minute * 60 + value.second
    return whole + value.microsecond / 1e6


def as_datetime(value: date | datetime) -> datetime:
    """A date as its first instant in UTC; datetimes unchanged."""
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def python_number(value: Any) -> int | float:
    """A constant number as int or float (Decimal literals become floats)."""
    if isinstance(value, Decimal):
        return float(value)
    return value  # type: ignore[no-any-return]


def with_pos(value: Value, pos: int) -> Value:
    """The value marked as written at ``pos``."""
    return replace(value, pos=pos)


@dataclass(frozen=True)
class Errors:
    """Builds the errors of one option (``$filter`` or ``$expand`` for nested ones)."""

    option: str

    def at(self, position: int, message: str) -> InvalidInput:
        """``InvalidInput`` naming the option and the position."""
        where = f" (at position {position})" if position >= 0 else ""
        return InvalidInput(
            f"{self.option}: {message}{where}",
            details={"option": self.option, "position": position},
        )


DURATION_ZERO = timedelta(0)
