"""Writes a syntax tree back as ``$filter`` text that parses to an equal tree.

Used to build ``@iot.nextLink`` URLs of expanded collections and by the property tests
(print, re-parse, compare). Parentheses are added only where precedence needs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from cityhub.sensing.sta.query.model import OrderItem
from cityhub.sensing.sta.query.nodes import (
    PRECEDENCE,
    UNARY_PRECEDENCE,
    Binary,
    BoolLit,
    Call,
    DateLit,
    DateTimeLit,
    DurationLit,
    Expr,
    GeoLit,
    Logical,
    NullLit,
    NumberLit,
    Path,
    StringLit,
    TimeLit,
    Unary,
)
from cityhub.sensing.sta.query.wkt import format_wkt

_ATOM = 100  # precedence of literals, paths and calls: never parenthesised


def to_text(expr: Expr) -> str:
    """The ``$filter`` text of ``expr``."""
    if isinstance(expr, Binary):
        level = PRECEDENCE[expr.op]
        # Left-associative: an operand of the same level needs parentheses on the right only.
        left = _operand(expr.left, level, same_level_ok=True)
        right = _operand(expr.right, level, same_level_ok=False)
        return f"{left} {expr.op} {right}"
    if isinstance(expr, Logical):
        level = PRECEDENCE[expr.op]
        return f" {expr.op} ".join(
            _operand(item, level, same_level_ok=False) for item in expr.operands
        )
    if isinstance(expr, Unary):
        inner = _operand(expr.operand, UNARY_PRECEDENCE, same_level_ok=True)
        if expr.op == "not":
            return f"not {inner}"
        # "-5" would read back as the number -5 (and "-2024-06-01" as nothing valid).
        if not (inner[0].isalpha() or inner.startswith("(")):
            inner = f"({inner})"
        return f"-{inner}"
    if isinstance(expr, Call):
        return f"{expr.name}({', '.join(to_text(arg) for arg in expr.args)})"
    if isinstance(expr, Path):
        return "/".join(expr.segments)
    return literal_text(expr)


def orderby_text(items: Iterable[OrderItem]) -> str:
    """The ``$orderby`` text of order items (``phenomenonTime desc,id``)."""
    return ",".join(f"{to_text(item.expr)}{' desc' if item.descending else ''}" for item in items)


def _precedence(expr: Expr) -> int:
    if isinstance(expr, Binary | Logical):
        return PRECEDENCE[expr.op]
    if isinstance(expr, Unary):
        return UNARY_PRECEDENCE
    if isinstance(expr, NumberLit) and expr.value < 0:
        return UNARY_PRECEDENCE  # "-5" reads like a negation
    return _ATOM


def _operand(expr: Expr, level: int, *, same_level_ok: bool) -> str:
    text = to_text(expr)
    inner = _precedence(expr)
    if inner < level or (inner == level and not same_level_ok):
        return f"({text})"
    return text


def literal_text(expr: Expr) -> str:
    """The text of a literal node."""
    if isinstance(expr, StringLit):
        return "'" + expr.value.replace("'", "''") + "'"
    if isinstance(expr, NumberLit):
        return str(expr.value)
    if isinstance(expr, BoolLit):
        return "true" if expr.value else "false"
    if isinstance(expr, NullLit):
        return "null"
    if isinstance(expr, DateTimeLit | DateLit | TimeLit):
        return expr.value.isoformat()
    if isinstance(expr, DurationLit):
        return f"duration'{format_duration(expr.value)}'"
    if isinstance(expr, GeoLit):
        return f"{'geography' if expr.geography else 'geometry'}'{format_wkt(expr.shape)}'"
    raise TypeError(f"not a literal: {expr!r}")


def format_duration(value: timedelta) -> str:
    """ISO 8601 text of a duration in days, hours, minutes and seconds (``-P1DT2H``)."""
    sign = "-" if value < timedelta(0) else ""
    micros = abs(value) // timedelta(microseconds=1)
    seconds, micro = divmod(micros, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    clock = f"{second}.{micro:06d}".rstrip("0").rstrip(".") if micro else str(second)
    return f"{sign}P{days}DT{hour}H{minute}M{clock}S"
