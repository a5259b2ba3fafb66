"""Well-known text (WKT) of the geometry literals: ``POINT``, ``LINESTRING`` and ``POLYGON``.

Only these three shapes are read — they are what SensorThings filters use in practice
(``st_within(location, geography'POLYGON((…))')``). An optional OData ``SRID=4326;`` prefix and
a third (Z) coordinate are accepted and dropped: stored points are two-dimensional.
"""

from __future__ import annotations

import math
import re

from cityhub.errors import InvalidInput
from cityhub.sensing.sta.query.nodes import Coord, Geometry, LineString, Point, Polygon

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z]+")
_SRID = re.compile(r"SRID=\d+;", re.IGNORECASE)
MAX_VERTICES = 1000  # per filter: each vertex becomes SQL terms and bound parameters
MAX_COORDINATE = 1e12  # beyond any CRS in use; keeps products in the SQL tests finite


class _Reader:
    """A cursor over the WKT text that reports errors at absolute positions."""

    def __init__(self, text: str, base: int, option: str, vertices: int) -> None:
        self.text = text
        self.at = 0
        self.base = base
        self.option = option
        self.vertices = vertices

    def fail(self, expected: str) -> InvalidInput:
        found = self.text[self.at : self.at + 10] or "the end of the literal"
        position = self.base + self.at
        return InvalidInput(
            f"{self.option}: expected {expected} at position {position} in the geometry "
            f"literal, found {found!r}",
            details={"option": self.option, "position": position},
        )

    def skip_space(self) -> None:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def expect(self, char: str) -> None:
        self.skip_space()
        if not self.text.startswith(char, self.at):
            raise self.fail(repr(char))
        self.at += 1

    def peek(self, char: str) -> bool:
        self.skip_space()
        return self.text.startswith(char, self.at)

    def number(self) -> float:
        self.skip_space()
        match = _NUMBER.match(self.text, self.at)
        if match is None:
            raise self.fail("a number")
        value = float(match.group())
        if not math.isfinite(value) or abs(value) > MAX_COORDINATE:
            raise self.fail(f"a number between -{MAX_COORDINATE:g} and {MAX_COORDINATE:g}")
        self.at = match.end()
        return value

    def coord(self) -> Coord:
        x = self.number()
        y = self.number()
        self.skip_space()
        if _NUMBER.match(self.text, self.at):
            self.number()  # a Z coordinate: points are stored in 2D
        self.vertices += 1
        if self.vertices > MAX_VERTICES:
            raise self.fail(f"at most {MAX_VERTICES} vertices in all geometries of the option")
        return (x, y)

    def coords(self) -> tuple[Coord, ...]:
        self.expect("(")
        items = [self.coord()]
        while self.peek(","):
            self.at += 1
            items.append(self.coord())
        self.expect(")")
        return tuple(items)


def parse_wkt(
    text: str, *, base: int = 0, option: str = "$filter", vertices: int = 0
) -> tuple[Geometry, int]:
    """The geometry of a WKT text and the vertex count so far (``vertices`` before it).

    Errors name ``option`` and the position ``base + offset``.
    """
    reader = _Reader(text, base, option, vertices)
    reader.skip_space()
    srid = _SRID.match(text, reader.at)
    if srid:
        reader.at = srid.end()
        reader.skip_space()
    word = _WORD.match(text, reader.at)
    if word is None:
        raise reader.fail("POINT, LINESTRING or POLYGON")
    kind = word.group().upper()
    start = reader.at
    reader.at = word.end()
    shape: Geometry
    if kind == "POINT":
        reader.expect("(")
        x, y = reader.coord()
        reader.expect(")")
        shape = Point(x, y)
    elif kind == "LINESTRING":
        points = reader.coords()
        if len(points) < 2:
            raise reader.fail("a line of at least two points")
        shape = LineString(points)
    elif kind == "POLYGON":
        reader.expect("(")
        rings = [_ring(reader)]
        while reader.peek(","):
            reader.at += 1
            rings.append(_ring(reader))
        reader.expect(")")
        shape = Polygon(tuple(rings))
    else:
        reader.at = start
        raise reader.fail("POINT, LINESTRING or POLYGON (other shapes are not supported)")
    reader.skip_space()
    if reader.at != len(text):
        raise reader.fail("the end of the geometry")
    return shape, reader.vertices


def _ring(reader: _Reader) -> tuple[Coord, ...]:
    start = reader.at
    ring = reader.coords()
    if len(ring) < 4 or ring[0] != ring[-1]:
        reader.at = start
        raise reader.fail("a closed ring of at least four points (the last equal to the first)")
    return ring


def format_wkt(shape: Geometry) -> str:
    """The WKT of a geometry, exact (``repr`` of the floats), readable by ``parse_wkt``."""

    def coords(items: tuple[Coord, ...]) -> str:
        return "(" + ", ".join(f"{x!r} {y!r}" for x, y in items) + ")"

    if isinstance(shape, Point):
        return f"POINT({shape.x!r} {shape.y!r})"
    if isinstance(shape, LineString):
        return "LINESTRING" + coords(shape.points)
    return "POLYGON(" + ", ".join(coords(ring) for ring in shape.rings) + ")"
