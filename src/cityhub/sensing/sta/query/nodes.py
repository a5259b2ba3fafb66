"""The syntax tree of a ``$filter`` (and of ``$orderby`` expressions), as frozen dataclasses.

Every node remembers ``pos``, the 0-based offset in the option's text where it starts, so that
the compiler can name a position when a well-formed expression is still wrong (comparing a
date with a string). ``pos`` takes no part in equality: the same filter written with other
spacing gives equal trees.

``and``/``or`` are n-ary (``Logical``) so that a filter like ``id eq 1 or id eq 2 or …`` with
hundreds of terms stays a flat node instead of a tree hundreds of levels deep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class Node:
    """Base of all nodes; ``pos`` is where the node starts in the option's text."""

    pos: int = field(default=-1, compare=False, kw_only=True, repr=False)


# --- geometry of WKT literals -------------------------------------------------------------

Coord = tuple[float, float]


@dataclass(frozen=True)
class Point:
    """A WKT ``POINT(x y)``."""

    x: float
    y: float


@dataclass(frozen=True)
class LineString:
    """A WKT ``LINESTRING(x y, …)`` (at least two points)."""

    points: tuple[Coord, ...]


@dataclass(frozen=True)
class Polygon:
    """A WKT ``POLYGON((x y, …), (hole …))``: closed rings, the first one the shell."""

    rings: tuple[tuple[Coord, ...], ...]


Geometry = Point | LineString | Polygon


# --- literals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StringLit(Node):
    """``'text'`` (``''`` inside stands for one quote)."""

    value: str


@dataclass(frozen=True)
class NumberLit(Node):
    """An integer (``int``) or a decimal (``Decimal``, kept exact as written)."""

    value: int | Decimal


@dataclass(frozen=True)
class BoolLit(Node):
    """``true`` or ``false``."""

    value: bool


@dataclass(frozen=True)
class NullLit(Node):
    """``null``."""


@dataclass(frozen=True)
class DateTimeLit(Node):
    """An ISO 8601 date and time; always timezone-aware (no offset given means UTC)."""

    value: datetime


@dataclass(frozen=True)
class DateLit(Node):
    """An ISO 8601 date ``2024-06-01``."""

    value: date


@dataclass(frozen=True)
class TimeLit(Node):
    """A time of day ``08:30:00`` (OData ``timeOfDayValue``)."""

    value: time


@dataclass(frozen=True)
class DurationLit(Node):
    """FROST's ``duration'P1DT2H'`` (days, hours, minutes and seconds only)."""

    value: timedelta


@dataclass(frozen=True)
class GeoLit(Node):
    """``geography'POINT(30 10)'`` or ``geometry'…'``; coordinates are x (longitude) then y."""

    geography: bool
    shape: Geometry


# --- expressions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Path(Node):
    """A property path: navigation properties, then a property, then JSON keys."""

    segments: tuple[str, ...]


@dataclass(frozen=True)
class Unary(Node):
    """``not x`` or ``-x``."""

    op: str  # "not" or "-"
    operand: Expr


@dataclass(frozen=True)
class Binary(Node):
    """A comparison (``eq`` … ``le``) or arithmetic (``add`` … ``mod``) between two operands."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Logical(Node):
    """``a and b and …`` or ``a or b or …`` (two or more operands)."""

    op: str  # "and" or "or"
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Call(Node):
    """A function call; ``name`` is lower case (``geo.distance``, ``startswith``)."""

    name: str
    args: tuple[Expr, ...]


Literal = (
    StringLit
    | NumberLit
    | BoolLit
    | NullLit
    | DateTimeLit
    | DateLit
    | TimeLit
    | DurationLit
    | GeoLit
)
Expr = Literal | Path | Unary | Binary | Logical | Call

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
ARITHMETIC = ("add", "sub", "mul", "div", "mod")

# Binding power of the binary operators, OData 4.0 ABNF order: or < and < eq ne < gt ge lt le
# < add sub < mul div mod. Unary ``not`` and ``-`` bind tighter than all of them.
PRECEDENCE: dict[str, int] = {
    "or": 1,
    "and": 2,
    "eq": 3,
    "ne": 3,
    "gt": 4,
    "ge": 4,
    "lt": 4,
    "le": 4,
    "add": 5,
    "sub": 5,
    "mul": 6,
    "div": 6,
    "mod": 6,
}
UNARY_PRECEDENCE = 7

# Functions by name, with the number of arguments they take (least, most). The last four
# parse, but the compiler answers that they are not supported.
FUNCTIONS: dict[str, tuple[int, int]] = {
    "substringof": (2, 2),
    "endswith": (2, 2),
    "startswith": (2, 2),
    "length": (1, 1),
    "indexof": (2, 2),
    "substring": (2, 3),
    "tolower": (1, 1),
    "toupper": (1, 1),
    "trim": (1, 1),
    "concat": (2, 2),
    "year": (1, 1),
    "month": (1, 1),
    "day": (1, 1),
    "hour": (1, 1),
    "minute": (1, 1),
    "second": (1, 1),
    "fractionalseconds": (1, 1),
    "date": (1, 1),
    "time": (1, 1),
    "totaloffsetminutes": (1, 1),
    "now": (0, 0),
    "mindatetime": (0, 0),
    "maxdatetime": (0, 0),
    "round": (1, 1),
    "floor": (1, 1),
    "ceiling": (1, 1),
    "geo.distance": (2, 2),
    "geo.length": (1, 1),
    "geo.intersects": (2, 2),
    "st_within": (2, 2),
    "st_intersects": (2, 2),
    "st_contains": (2, 2),
    "st_equals": (2, 2),
    "st_disjoint": (2, 2),
    "st_touches": (2, 2),
    "st_overlaps": (2, 2),
    "st_crosses": (2, 2),
    "st_relate": (3, 3),
}
