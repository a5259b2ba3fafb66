"""Geo functions over stored Points (x/y) and WKT literals, on a real database.

L1 is Point(116 36.5), L2 Point(117 37), L3 a Polygon (x/y NULL: matches nothing).
"""

from __future__ import annotations

import pytest

from cityhub.sensing.sta.query.geo import point_in_polygon
from cityhub.sensing.sta.query.nodes import Polygon
from cityhub.sensing.sta.query.parser import parse_filter
from tests.sensing.sta.query.conftest import World

WEST = "geography'POLYGON((115 36, 116.5 36, 116.5 37, 115 37, 115 36))'"
# A square around both points with a hole around L1.
HOLED = (
    "geography'POLYGON((115 36, 118 36, 118 38, 115 38, 115 36), "
    "(115.5 36.2, 116.5 36.2, 116.5 36.8, 115.5 36.8, 115.5 36.2))'"
)
# A "U" open to the north: L1 (116 36.5) lies in its base, L2 (117 37) in its right arm;
# (116 37.5) would be in the notch, outside.
U_SHAPE = (
    "geometry'POLYGON((115 36, 118 36, 118 38, 116.8 38, 116.8 36.8, 115.6 36.8, 115.6 38, "
    "115 38, 115 36))'"
)


@pytest.mark.parametrize(
    ("set_name", "text", "expected"),
    [
        ("Locations", f"st_within(location, {WEST})", ["L1"]),
        ("Locations", f"st_within(location, {HOLED})", ["L2"]),
        ("Locations", f"st_within(location, {U_SHAPE})", ["L1", "L2"]),
        ("Locations", f"not st_within(location, {WEST})", ["L2", "L3"]),
        ("Locations", f"st_contains({WEST}, location)", ["L1"]),
        ("Locations", f"st_intersects(location, {WEST})", ["L1"]),
        ("Locations", f"geo.intersects({WEST}, location)", ["L1"]),
        ("Locations", f"st_disjoint(location, {WEST})", ["L2"]),  # L3 is not a point
        ("Locations", "geo.intersects(location, geography'POINT(117 37)')", ["L2"]),
        ("Locations", "st_equals(location, geography'POINT(116 36.5)')", ["L1"]),
        ("Locations", "st_within(location, geography'POINT(116 36.5)')", ["L1"]),
        ("Locations", "st_equals(location, geography'LINESTRING(0 0, 1 1)')", []),
        ("Locations", "st_within(geography'POLYGON((0 0, 1 0, 1 1, 0 0))', location)", []),
        ("Locations", "geo.distance(location, geography'POINT(116 36)') lt 0.6", ["L1"]),
        ("Locations", "geo.distance(location, geography'POINT(116 36)') gt 1", ["L2"]),
        ("Locations", "geo.distance(location, geography'POINT(116 36.5)') eq 0", ["L1"]),
        ("Locations", "geo.distance(location, location) eq 0", ["L1", "L2"]),
        ("Locations", "geo.distance(location, geography'SRID=4326;POINT(113 32.5)') eq 5", ["L1"]),
        ("Locations", "geo.length(location) eq 0", ["L1", "L2"]),
        (
            "Locations",
            "geo.distance(geography'POINT(0 0)', geography'POINT(3 4)') eq 5",
            ["L1", "L2", "L3"],
        ),
        ("Locations", "geo.length(geography'LINESTRING(0 0, 3 4, 3 5)') eq 6", ["L1", "L2", "L3"]),
        (
            "Locations",
            "st_within(geography'POINT(1 1)', geography'POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))')",
            ["L1", "L2", "L3"],
        ),
        (
            "Locations",
            "st_within(geography'POINT(3 1)', geography'POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))')",
            [],
        ),
        (
            "Locations",
            "st_equals(geography'POINT(1 2)', geography'POINT(1 2 7)')",
            ["L1", "L2", "L3"],
        ),
        ("Things", f"st_within(Locations/location, {WEST})", ["T1"]),
        ("Things", "geo.distance(Locations/location, geography'POINT(117 37)') lt 0.1", ["T2"]),
        ("FeaturesOfInterest", f"st_within(feature, {WEST})", ["F1"]),
        (
            "Observations",
            "geo.distance(FeatureOfInterest/feature, geography'POINT(116 36.5)') eq 0",
            ["O1", "O2", "O4"],
        ),
    ],
)
def test_geo_functions(world: World, set_name: str, text: str, expected: list[str]) -> None:
    assert world.matching(set_name, text) == expected


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        ((116.0, 36.5), True),
        ((116.9, 37.0), True),
        ((116.0, 37.5), False),  # in the notch
        ((119.0, 37.0), False),
        ((114.0, 36.5), False),
    ],
)
def test_constant_point_in_polygon_agrees_with_the_sql(
    point: tuple[float, float], inside: bool
) -> None:
    literal = parse_filter(f"st_within(geography'POINT(0 0)', {U_SHAPE})")
    polygon = literal.args[1].shape  # type: ignore[union-attr]
    assert isinstance(polygon, Polygon)
    assert point_in_polygon(point, polygon) is inside


def test_a_polygon_of_many_vertices_runs(world: World) -> None:
    import math

    ring = [
        (
            116.0 + 0.3 * math.cos(2 * math.pi * i / 998),
            36.5 + 0.3 * math.sin(2 * math.pi * i / 998),
        )
        for i in range(998)
    ]
    wkt = ", ".join(f"{x!r} {y!r}" for x, y in [*ring, ring[0]])
    assert world.matching("Locations", f"st_within(location, geography'POLYGON(({wkt}))')") == [
        "L1"
    ]
