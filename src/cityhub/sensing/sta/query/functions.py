"""String, date and math functions of ``$filter``.

With constant arguments a function is computed here (``tolower('A')``, ``year(now())``);
otherwise it becomes SQL that runs the same on SQLite and PostgreSQL. Date parts of stored
timestamps are taken in UTC (the database keeps UTC; ``totaloffsetminutes`` of a stored value
is 0). ``tolower``/``toupper`` change ASCII letters on SQLite and all letters on PostgreSQL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Integer, case, cast, func
from sqlalchemy.sql.elements import ColumnElement

from cityhub.sensing.sta.query.operators import arithmetic, unsettled
from cityhub.sensing.sta.query.sqlfuncs import (
    num_ceiling,
    num_floor,
    num_round,
    str_position,
    utc_date_text,
    utc_part,
    utc_time_seconds,
)
from cityhub.sensing.sta.query.typed import Errors, Type, Value, bind, constant

STRING_FUNCTIONS = frozenset(
    {"substringof", "endswith", "startswith", "length", "indexof", "substring", "tolower",
     "toupper", "trim", "concat"}
)  # fmt: skip
DATE_FUNCTIONS = frozenset(
    {"year", "month", "day", "hour", "minute", "second", "fractionalseconds", "date", "time",
     "totaloffsetminutes", "now", "mindatetime", "maxdatetime"}
)  # fmt: skip
MATH_FUNCTIONS = frozenset({"round", "floor", "ceiling"})
INT32_MAX = 2**31 - 1


def _expect(value: Value, wanted: Type, name: str, errors: Errors) -> Value:
    value = value.typed(wanted)
    if value.poly is not None:
        raise unsettled(value, wanted, errors)
    if value.type not in (wanted, Type.NULL):
        raise errors.at(value.pos, f"{name}() needs a {wanted}, not a {value.type}")
    return value


# --- strings -------------------------------------------------------------------------------


def string_function(name: str, args: Sequence[Value], pos: int, errors: Errors) -> Value:
    """A string function; ``substring``'s 2nd and 3rd arguments are numbers."""
    texts = [_expect(args[0], Type.STRING, name, errors)]
    if name == "substring":
        texts += [_expect(arg, Type.NUMBER, name, errors) for arg in args[1:]]
        for number in texts[1:]:
            if number.type is Type.NUMBER and not number.integral:
                raise errors.at(number.pos, "substring() needs whole numbers (ids, lengths …)")
    else:
        texts += [_expect(arg, Type.STRING, name, errors) for arg in args[1:]]
    if any(arg.type is Type.NULL for arg in texts):
        return constant(None, Type.NULL, pos)
    if all(arg.is_const for arg in texts):
        return _fold_string(name, [arg.const for arg in texts], pos, errors)
    sql = [bind(arg, None, errors) for arg in texts]
    result_type, integral = Type.STRING, False
    if name in ("substringof", "startswith", "endswith"):
        result_type = Type.BOOLEAN
    if name in ("length", "indexof"):
        result_type, integral = Type.NUMBER, True
    return Value(result_type, _string_sql(name, sql, texts, errors), integral=integral, pos=pos)


def _string_sql(
    name: str, sql: list[ColumnElement[Any]], args: list[Value], errors: Errors
) -> ColumnElement[Any]:
    first = sql[0]
    if name == "substringof":  # substringof(needle, haystack)
        return str_position(sql[1], first) > 0
    if name == "startswith":
        return func.substr(first, 1, func.length(sql[1])) == sql[1]
    if name == "endswith":
        start = func.length(first) - func.length(sql[1]) + 1
        return (func.length(sql[1]) <= func.length(first)) & (func.substr(first, start) == sql[1])
    if name == "length":
        return func.length(first)
    if name == "indexof":
        return str_position(first, sql[1]) - 1
    if name == "substring":
        # OData counts from 0, SQL from 1. Both are clamped to what PostgreSQL's substr()
        # takes (int4, no negative length) and to the meaning they have when folded here.
        one = constant(1, Type.NUMBER, args[1].pos)
        start = _clamp(bind(arithmetic("add", args[1], one, errors), None, errors), 1)
        return func.substr(first, start, *(_clamp(length, 0) for length in sql[2:]))
    if name == "concat":
        return first.concat(sql[1])
    sql_name = {"tolower": "lower", "toupper": "upper", "trim": "trim"}[name]
    return getattr(func, sql_name)(first)  # type: ignore[no-any-return]


def _clamp(number: ColumnElement[Any], least: int) -> ColumnElement[Any]:
    clamped = case((number < least, least), (number > INT32_MAX, INT32_MAX), else_=number)
    return cast(clamped, Integer)


def _fold_string(name: str, args: list[Any], pos: int, errors: Errors) -> Value:
    first = args[0]
    folds: dict[str, Callable[[], tuple[Any, Type]]] = {
        "substringof": lambda: (args[0] in args[1], Type.BOOLEAN),
        "startswith": lambda: (first.startswith(args[1]), Type.BOOLEAN),
        "endswith": lambda: (first.endswith(args[1]), Type.BOOLEAN),
        "length": lambda: (len(first), Type.NUMBER),
        "indexof": lambda: (first.find(args[1]), Type.NUMBER),
        "tolower": lambda: (first.lower(), Type.STRING),
        "toupper": lambda: (first.upper(), Type.STRING),
        "trim": lambda: (first.strip(" "), Type.STRING),
        "concat": lambda: (first + args[1], Type.STRING),
        "substring": lambda: (_substring(first, args[1:]), Type.STRING),
    }
    value, result_type = folds[name]()
    return constant(value, result_type, pos)


def _substring(text: str, numbers: list[Any]) -> str:
    start = max(numbers[0], 0)
    if len(numbers) == 1:
        return text[start:]
    return text[start : start + max(numbers[1], 0)]


# --- dates and times -----------------------------------------------------------------------


def date_function(name: str, args: Sequence[Value], pos: int, errors: Errors) -> Value:
    """A date function; stored timestamps are read in UTC."""
    if name == "now":
        return constant(datetime.now(UTC), Type.DATETIME, pos)
    if name == "mindatetime":
        return constant(datetime(1, 1, 1, tzinfo=UTC), Type.DATETIME, pos)
    if name == "maxdatetime":
        return constant(datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), Type.DATETIME, pos)
    value = args[0].typed(Type.DATETIME)
    if value.type is Type.NULL:
        return value
    if value.type is Type.DATE and value.is_const and name in ("year", "month", "day"):
        return constant(getattr(value.const, name), Type.NUMBER, pos)
    if value.type is not Type.DATETIME or value.poly is not None:
        raise errors.at(value.pos, f"{name}() needs a date-time, not a {value.type}")
    if value.is_const:
        return _fold_date(name, value.const, pos)
    assert value.sql is not None
    column = value.sql
    if name == "date":
        return Value(Type.DATE, utc_date_text(column), pos=pos)
    if name == "time":
        return Value(Type.TIME, utc_time_seconds(column), pos=pos)
    if name == "totaloffsetminutes":
        return Value(Type.NUMBER, case((column.is_(None), None), else_=0), integral=True, pos=pos)
    if name == "fractionalseconds":
        return Value(Type.NUMBER, utc_part("fraction", column), pos=pos)
    return Value(Type.NUMBER, utc_part(name, column), integral=True, pos=pos)


def _fold_date(name: str, value: datetime, pos: int) -> Value:
    if name == "date":
        return constant(value.date(), Type.DATE, pos)
    if name == "time":
        return constant(value.time(), Type.TIME, pos)
    if name == "totaloffsetminutes":
        offset = value.utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        return constant(minutes, Type.NUMBER, pos)
    if name == "fractionalseconds":
        return constant(Decimal(value.microsecond) / 1_000_000, Type.NUMBER, pos)
    return constant(getattr(value, name), Type.NUMBER, pos)


# --- math ----------------------------------------------------------------------------------


def math_function(name: str, args: Sequence[Value], pos: int, errors: Errors) -> Value:
    """``round`` (halves away from zero), ``floor`` and ``ceiling``."""
    value = _expect(args[0], Type.NUMBER, name, errors)
    if value.type is Type.NULL:
        return value
    if value.is_const:
        number = Decimal(value.const)
        if name == "round":
            folded = int(number.to_integral_value(rounding=ROUND_HALF_UP))
        else:
            folded = math.floor(number) if name == "floor" else math.ceil(number)
        return constant(folded, Type.NUMBER, pos)
    if value.integral:
        return Value(Type.NUMBER, value.sql, integral=True, pos=pos)
    column = bind(value, None, errors)
    sql = {"round": num_round, "floor": num_floor, "ceiling": num_ceiling}[name](column)
    return Value(Type.NUMBER, sql, pos=pos)
