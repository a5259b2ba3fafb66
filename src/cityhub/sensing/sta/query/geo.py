"""Geo functions over stored Points and WKT literals, in plain SQL.

Locations and FeaturesOfInterest keep a Point's coordinates in ``x``/``y`` (NULL for other
shapes), so the functions work without PostGIS or SpatiaLite:

- ``geo.distance`` is the planar Euclidean distance in coordinate units (degrees for
  WGS 84), as FROST computes it without a geography cast — fine for ranking and for small
  radii, not a distance in metres.
- ``st_within(point, POLYGON)`` (and ``st_contains``, ``st_intersects``, ``geo.intersects``
  with a polygon) is a ray-casting point-in-polygon test, unrolled into SQL from the
  constant polygon's edges: the point is inside when a ray from it crosses an odd number of
  edges (holes included). Points exactly on an edge may fall either way.
- Point against point is coordinate equality. A stored geometry that is not a Point (x NULL)
  matches nothing. Line strings work only as constants (``geo.length``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, and_, case, false, func, literal, literal_column, not_, true
from sqlalchemy.sql.elements import ColumnElement

from cityhub.sensing.sta.query.nodes import Coord, LineString, Point, Polygon
from cityhub.sensing.sta.query.sqlfuncs import sum_of
from cityhub.sensing.sta.query.typed import Errors, Type, Value, bind, constant

GEO_FUNCTIONS = frozenset(
    {"geo.distance", "geo.length", "geo.intersects", "st_within", "st_intersects",
     "st_contains", "st_equals", "st_disjoint", "st_touches", "st_overlaps", "st_crosses",
     "st_relate"}
)  # fmt: skip
_SUPPORTED = "geo.distance, geo.length, geo.intersects, st_within, st_intersects, " \
    "st_contains, st_equals, st_disjoint"  # fmt: skip

XY = tuple[ColumnElement[Any], ColumnElement[Any]]


def geo_function(name: str, args: Sequence[Value], pos: int, errors: Errors) -> Value:
    """A geo function of points (stored or constant) and constant shapes."""
    if name in ("st_touches", "st_overlaps", "st_crosses", "st_relate"):
        raise errors.at(pos, f"{name}() is not supported; supported are {_SUPPORTED}")
    shapes = [_geometry(arg, name, errors) for arg in args]
    if any(shape.type is Type.NULL for shape in shapes):
        return constant(None, Type.NULL, pos)
    if name == "geo.distance":
        return _distance(shapes[0], shapes[1], pos, errors)
    if name == "geo.length":
        return _length(shapes[0], pos, errors)
    first, second = shapes
    if name == "st_contains":
        name, first, second = "st_within", second, first
    if name == "st_within":
        condition = _within(first, second, pos, errors)
    elif name == "st_equals":
        condition = _equals(first, second, pos, errors)
    else:  # geo.intersects, st_intersects, st_disjoint
        condition = _intersects(first, second, pos, errors)
        if name == "st_disjoint":
            condition = and_(*_not_null(first, second), not_(condition))
    return Value(Type.BOOLEAN, condition, pos=pos)


def _geometry(value: Value, name: str, errors: Errors) -> Value:
    if value.type in (Type.GEOMETRY, Type.NULL) and (value.point or value.shape or value.is_const):
        return value
    raise errors.at(
        value.pos,
        f"{name}() needs a geometry literal or a Point location (Location's location, "
        f"FeatureOfInterest's feature), not a {value.type}",
    )


def _not_null(*values: Value) -> list[ColumnElement[bool]]:
    return [v.point[0].isnot(None) for v in values if v.point is not None]


def _number(value: float) -> ColumnElement[Any]:
    # Bound, not rendered: PostgreSQL may refuse the text of subnormal numbers. The parser
    # caps the vertices of one filter, which bounds the number of parameters.
    return literal(float(value), Float())


def _coords(value: Value, errors: Errors) -> XY:
    if value.point is not None:
        return value.point
    assert isinstance(value.shape, Point)
    x = bind(constant(value.shape.x, Type.NUMBER, value.pos), None, errors)
    y = bind(constant(value.shape.y, Type.NUMBER, value.pos), None, errors)
    return x, y


def _distance(a: Value, b: Value, pos: int, errors: Errors) -> Value:
    for value in (a, b):
        if value.point is None and not isinstance(value.shape, Point):
            raise errors.at(value.pos, "geo.distance() works between points only")
    if a.shape is not None and b.shape is not None:
        assert isinstance(a.shape, Point) and isinstance(b.shape, Point)
        return constant(math.hypot(a.shape.x - b.shape.x, a.shape.y - b.shape.y), Type.NUMBER, pos)
    (ax, ay), (bx, by) = _coords(a, errors), _coords(b, errors)
    squared = (ax - bx) * (ax - bx) + (ay - by) * (ay - by)
    return Value(Type.NUMBER, func.sqrt(squared), pos=pos)


def _length(shape: Value, pos: int, errors: Errors) -> Value:
    if shape.point is not None:
        sql = case((shape.point[0].is_(None), None), else_=literal_column("0.0", Float()))
        return Value(Type.NUMBER, sql, pos=pos)
    if isinstance(shape.shape, LineString):
        points = shape.shape.points
        total = sum(math.dist(p, q) for p, q in itertools.pairwise(points))
        return constant(total, Type.NUMBER, pos)
    if isinstance(shape.shape, Point):
        return constant(0.0, Type.NUMBER, pos)
    raise errors.at(pos, "geo.length() works on line strings and points")


def _equals(a: Value, b: Value, pos: int, errors: Errors) -> ColumnElement[bool]:
    if a.shape is not None and b.shape is not None:
        return true() if a.shape == b.shape else false()
    for value in (a, b):
        if value.point is None and not isinstance(value.shape, Point):
            return false()  # a stored point never equals a line or a polygon
    (ax, ay), (bx, by) = _coords(a, errors), _coords(b, errors)
    return and_(ax == bx, ay == by)


def _within(a: Value, b: Value, pos: int, errors: Errors) -> ColumnElement[bool]:
    """``a`` within ``b``."""
    if isinstance(b.shape, Polygon):
        if a.point is not None:
            return inside(a.point, b.shape)
        if isinstance(a.shape, Point):
            return true() if point_in_polygon((a.shape.x, a.shape.y), b.shape) else false()
    a_point = a.point is not None or isinstance(a.shape, Point)
    if a_point and (b.point is not None or isinstance(b.shape, Point)):
        return _equals(a, b, pos, errors)
    if b.point is not None and isinstance(a.shape, LineString | Polygon):
        return false()  # a line or an area is never within a point
    raise errors.at(pos, "st_within() works for points within polygons or points")


def _intersects(a: Value, b: Value, pos: int, errors: Errors) -> ColumnElement[bool]:
    if a.point is None and b.point is not None:
        a, b = b, a
    if isinstance(b.shape, Polygon) and (a.point is not None or isinstance(a.shape, Point)):
        return _within(a, b, pos, errors)
    if isinstance(a.shape, Polygon) and isinstance(b.shape, Point):
        return _within(b, a, pos, errors)
    if (a.point is not None or isinstance(a.shape, Point)) and (
        b.point is not None or isinstance(b.shape, Point)
    ):
        return _equals(a, b, pos, errors)
    raise errors.at(pos, "intersection is supported between points, and points and polygons")


def _edges(polygon: Polygon) -> list[tuple[Coord, Coord]]:
    return [(ring[i], ring[i + 1]) for ring in polygon.rings for i in range(len(ring) - 1)]


def inside(point: XY, polygon: Polygon) -> ColumnElement[bool]:
    """SQL: the stored point lies inside the constant polygon (ray casting to +x).

    An edge from (xi, yi) to (xj, yj) is crossed when yi <= y < yj (either direction) and the
    edge lies right of the point at height y: x < xi + (y - yi)·dx/dy, written without the
    division (multiplied out by dy, whose sign is known) so that no slope can overflow.
    """
    x, y = point
    terms: list[ColumnElement[Any]] = []
    for (xi, yi), (xj, yj) in _edges(polygon):
        if yi == yj:
            continue  # a horizontal edge never crosses a horizontal ray
        dx, dy = xj - xi, yj - yi
        left = (x - _number(xi)) * _number(dy)
        right = (y - _number(yi)) * _number(dx)
        crosses = and_(
            y >= _number(min(yi, yj)),
            y < _number(max(yi, yj)),
            left < right if dy > 0 else left > right,
        )
        terms.append(case((crosses, 1), else_=0))
    if not terms:
        return false()
    return and_(x.isnot(None), y.isnot(None), sum_of(*terms) % 2 == 1)


def point_in_polygon(point: Coord, polygon: Polygon) -> bool:
    """The same test as ``inside``, for constants."""
    px, py = point
    crossings = 0
    for (xi, yi), (xj, yj) in _edges(polygon):
        if yi != yj and min(yi, yj) <= py < max(yi, yj):
            dx, dy = xj - xi, yj - yi
            left, right = (px - xi) * dy, (py - yi) * dx
            crossings += left < right if dy > 0 else left > right
    return crossings % 2 == 1
