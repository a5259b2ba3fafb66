"""Comparison and arithmetic operators over typed values.

Semantics worth knowing:

- Comparing with ``null``: ``eq null`` is ``IS NULL``, ``ne null`` is ``IS NOT NULL``, the
  order comparisons are false. Otherwise SQL's three-valued logic applies: a comparison with
  a missing value is unknown, and a row is kept only where the filter is true.
- ``result`` and JSON paths take the type of the other operand (``result gt 10`` compares the
  numeric column, ``result eq 'on'`` the text column); values of another type never match.
- A date compared with a date-time stands for its first instant in UTC.
- ``div`` of two whole numbers truncates (OData integer division); a zero divisor gives null.
- Date-time arithmetic with durations: constants are folded (``now() sub duration'P1D'``), a
  column can be shifted by a constant duration; subtracting two columns is not supported.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, false, literal, not_, true
from sqlalchemy.sql.elements import ColumnElement

from cityhub.sensing.sta.query.sqlfuncs import arith, shift_time
from cityhub.sensing.sta.query.typed import (
    Errors,
    Type,
    Value,
    as_datetime,
    bind,
    constant,
)

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_COMPARABLE = {Type.NUMBER, Type.STRING, Type.BOOLEAN, Type.DATETIME, Type.DATE, Type.TIME}


def settle_pair(left: Value, right: Value, errors: Errors) -> tuple[Value, Value]:
    """Give polymorphic operands (result, JSON paths) the type of the other side."""
    if left.poly is not None and right.poly is not None:
        left = left.settled()
        right = right.typed(left.type)
    elif left.poly is not None and right.type is not Type.NULL:
        left = left.typed(right.type)
    elif right.poly is not None and left.type is not Type.NULL:
        right = right.typed(left.type)
    if Type.NULL not in (left.type, right.type):
        for value, other in ((left, right), (right, left)):
            if value.poly is not None:
                raise unsettled(value, other.type, errors)
    return left, right


def unsettled(value: Value, wanted: Type, errors: Errors) -> Exception:
    """The error of a polymorphic value that cannot be a ``wanted``."""
    assert value.poly is not None
    what = value.poly.what
    if not value.poly.columns:
        return errors.at(
            value.pos,
            f"{what} is a JSON object: use one of its keys ({what}/name) or compare it with null",
        )
    return errors.at(
        value.pos, f"{what} holds numbers, strings or booleans, it cannot be used as a {wanted}"
    )


def compare(op: str, left: Value, right: Value, errors: Errors) -> ColumnElement[bool]:
    """``left op right`` as a SQL condition (or a constant true/false)."""
    left, right = settle_pair(left, right, errors)
    if Type.NULL in (left.type, right.type):
        return _compare_null(op, left, right)
    left, right = _coerce(left, right)
    if left.type != right.type or left.type not in _COMPARABLE | {Type.DURATION}:
        raise errors.at(left.pos, f"cannot compare a {left.type} with a {right.type}")
    if left.is_const and right.is_const:
        return true() if _COMPARE[op](left.const, right.const) else false()
    if left.type is Type.DURATION:
        raise errors.at(left.pos, "durations can only be compared when both are constants")
    left_sql = bind(left, right.sql, errors)
    right_sql = bind(right, left.sql, errors)
    result: ColumnElement[bool] = _COMPARE[op](left_sql, right_sql)
    return result


def _compare_null(op: str, left: Value, right: Value) -> ColumnElement[bool]:
    other = right if left.type is Type.NULL else left
    if op not in ("eq", "ne"):
        return false()
    if other.type is Type.NULL:
        return true() if op == "eq" else false()
    if other.poly is not None:
        test = other.poly.null
    elif other.point is not None:
        test = other.point[0].is_(None)
    elif other.sql is not None:
        test = other.sql.is_(None)
    else:
        test = false()  # a constant is never null
    return test if op == "eq" else not_(test)


def _coerce(left: Value, right: Value) -> tuple[Value, Value]:
    """A constant date meeting a date-time becomes the date-time of its first instant."""
    if {left.type, right.type} == {Type.DATETIME, Type.DATE}:
        date_side = left if left.type is Type.DATE else right
        if date_side.is_const:
            promoted = constant(as_datetime(date_side.const), Type.DATETIME, date_side.pos)
            return (promoted, right) if date_side is left else (left, promoted)
    return left, right


def arithmetic(op: str, left: Value, right: Value, errors: Errors) -> Value:
    """``left op right`` for ``add sub mul div mod``."""
    left, right = left.typed(Type.NUMBER), right.typed(Type.NUMBER)
    for value in (left, right):
        if value.poly is not None:
            raise unsettled(value, Type.NUMBER, errors)
    if Type.NULL in (left.type, right.type):
        return constant(None, Type.NULL, left.pos)
    if left.type is Type.NUMBER and right.type is Type.NUMBER:
        integral = left.integral and right.integral
        sql = arith(op, bind(left, None, errors), bind(right, None, errors), integral=integral)
        return Value(Type.NUMBER, sql, integral=integral, pos=left.pos)
    return _time_arithmetic(op, left, right, errors)


def _time_arithmetic(op: str, left: Value, right: Value, errors: Errors) -> Value:
    kinds = (left.type, right.type)
    if op == "add" and kinds == (Type.DURATION, Type.DATETIME):
        left, right, kinds = right, left, (Type.DATETIME, Type.DURATION)
    shifts = {(Type.DATETIME, Type.DURATION), (Type.DATE, Type.DURATION)}
    sums = {*shifts, (Type.DURATION, Type.DURATION)}
    differences = {(Type.DATETIME, Type.DATETIME), (Type.DATE, Type.DATE)}
    if (op == "add" and kinds in sums) or (op == "sub" and kinds in sums | differences):
        if left.is_const and right.is_const:
            return _fold_time(op, left, right, errors)
        if kinds == (Type.DATETIME, Type.DURATION) and right.is_const:
            seconds = right.const.total_seconds() * (1 if op == "add" else -1)
            assert left.sql is not None
            return Value(Type.DATETIME, shift_time(left.sql, literal(seconds)), pos=left.pos)
        raise errors.at(
            left.pos, f"{op} of a {left.type} and a {right.type} works on constants only"
        )
    raise errors.at(left.pos, f"cannot {op} a {left.type} and a {right.type}")


def _fold_time(op: str, left: Value, right: Value, errors: Errors) -> Value:
    a: datetime | timedelta = as_datetime(left.const) if left.type is Type.DATE else left.const
    b: datetime | timedelta = as_datetime(right.const) if right.type is Type.DATE else right.const
    try:
        folded = a + b if op == "add" else a - b  # type: ignore[operator]
    except OverflowError:
        raise errors.at(left.pos, "the date-time falls outside the years 1 to 9999") from None
    if isinstance(folded, datetime):
        try:
            folded.astimezone(UTC)  # binding converts to UTC: it must stay in range
        except OverflowError:
            raise errors.at(left.pos, "the date-time falls outside the years 1 to 9999") from None
        return constant(folded, Type.DATETIME, left.pos)
    return constant(folded, Type.DURATION, left.pos)


def negate(value: Value, errors: Errors) -> Value:
    """``-value``."""
    value = value.typed(Type.NUMBER)
    if value.poly is not None:
        raise unsettled(value, Type.NUMBER, errors)
    if value.type is Type.NULL:
        return value
    if value.is_const and value.type in (Type.NUMBER, Type.DURATION):
        try:
            return constant(-value.const, value.type, value.pos)
        except OverflowError:
            raise errors.at(value.pos, "the duration is too long") from None
    if value.type is not Type.NUMBER:
        raise errors.at(value.pos, f"cannot negate a {value.type}")
    zero = literal(0, Integer())
    sql = arith("sub", zero, bind(value, None, errors), integral=value.integral)
    return Value(Type.NUMBER, sql, integral=value.integral, pos=value.pos)
