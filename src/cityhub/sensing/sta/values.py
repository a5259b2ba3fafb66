"""Parse and format SensorThings values: ISO 8601 instants and intervals, GeoJSON, results.

Times are aware UTC datetimes inside cityhub. Input may carry any offset (``+08:00``,
``-0700``, ``Z``); a time without an offset is taken as UTC, as FROST-Server does. Output is
always UTC with a ``Z``, with fractional seconds only when there are some, so that a formatted
value parses back to the same datetime.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from cityhub.errors import InvalidInput

OM = "http://www.opengis.net/def/observationType/OGC-OM/2.0/"
OM_MEASUREMENT = OM + "OM_Measurement"
OM_COUNT = OM + "OM_CountObservation"
OM_TRUTH = OM + "OM_TruthObservation"
OM_CATEGORY = OM + "OM_CategoryObservation"
OM_OBSERVATION = OM + "OM_Observation"
OBSERVATION_TYPES = frozenset({OM_MEASUREMENT, OM_COUNT, OM_TRUTH, OM_CATEGORY, OM_OBSERVATION})

GEOJSON_ENCODINGS = frozenset({"application/geo+json", "application/vnd.geo+json"})


# --- times ---------------------------------------------------------------------------------


def parse_instant(text: Any, field: str) -> datetime:
    """An ISO 8601 instant as an aware UTC datetime; InvalidInput naming ``field`` otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(
            f"{field} must be an ISO 8601 time (a string)", details={"path": field, "value": text}
        )
    try:
        parsed = datetime.fromisoformat(text.strip())
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(
            f"{field} is not an ISO 8601 time: {text!r}", details={"path": field, "value": text}
        ) from None


def parse_time(text: Any, field: str) -> tuple[datetime, datetime | None]:
    """An ISO 8601 instant ``(t, None)`` or interval ``start/end`` as ``(start, end)``."""
    if isinstance(text, str) and "/" in text:
        start_text, _, end_text = text.partition("/")
        start = parse_instant(start_text, field)
        end = parse_instant(end_text, field)
        if end < start:
            raise InvalidInput(
                f"{field}: the interval ends before it starts", details={"path": field}
            )
        return start, end
    return parse_instant(text, field), None


def parse_interval(text: Any, field: str) -> tuple[datetime, datetime]:
    """An ISO 8601 interval ``start/end``; an instant is accepted as an empty interval."""
    start, end = parse_time(text, field)
    return start, start if end is None else end


def format_instant(dt: datetime) -> str:
    """``2024-06-01T08:00:00Z``; ``.123Z`` for milliseconds, six digits for finer fractions."""
    utc = dt.astimezone(UTC) if dt.tzinfo is not None else dt
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if len(text) < 19:  # strftime does not pad years below 1000 on every platform
        text = f"{utc.year:04d}" + text[text.index("-") :]
    micro = utc.microsecond
    if micro % 1000 == 0 and micro:
        text += f".{micro // 1000:03d}"
    elif micro:
        text += f".{micro:06d}"
    return text + "Z"


def format_time(start: datetime, end: datetime | None) -> str:
    """An instant, or ``start/end`` when ``end`` is given."""
    if end is None:
        return format_instant(start)
    return f"{format_instant(start)}/{format_instant(end)}"


# --- GeoJSON -------------------------------------------------------------------------------


def point_of(geojson: Any) -> tuple[float, float] | None:
    """The (x, y) of a GeoJSON Point, or of a Feature whose geometry is a Point; else None."""
    if not isinstance(geojson, dict):
        return None
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
        if not isinstance(geojson, dict):
            return None
    if geojson.get("type") != "Point":
        return None
    coordinates = geojson.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None
    x, y = coordinates[0], coordinates[1]
    if not (_is_number(x) and _is_number(y)):
        return None
    return float(x), float(y)


def check_geometry(value: Any, field: str) -> None:
    """Raise InvalidInput (naming ``field`` and the inner position) unless ``value`` is valid
    GeoJSON: a geometry, a Feature or a FeatureCollection with well-shaped coordinates."""
    if not isinstance(value, dict):
        raise InvalidInput(f"{field} must be a GeoJSON object", details={"path": field})
    kind = value.get("type")
    if kind == "Feature":
        _check_geometry_object(value.get("geometry"), f"{field}.geometry")
        props = value.get("properties")
        if props is not None and not isinstance(props, dict):
            raise InvalidInput(
                f"{field}.properties must be an object", details={"path": f"{field}.properties"}
            )
        return
    if kind == "FeatureCollection":
        features = value.get("features")
        if not isinstance(features, list):
            raise InvalidInput(
                f"{field}.features must be a list", details={"path": f"{field}.features"}
            )
        for index, feature in enumerate(features):
            inner = f"{field}.features[{index}]"
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                raise InvalidInput(f"{inner} must be a Feature", details={"path": inner})
            check_geometry(feature, inner)
        return
    _check_geometry_object(value, field)


_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2}
_DEPTH["MultiPolygon"] = 3


def _check_geometry_object(value: Any, field: str) -> None:
    if not isinstance(value, dict):
        raise InvalidInput(f"{field} must be a GeoJSON geometry", details={"path": field})
    kind = value.get("type")
    if kind == "GeometryCollection":
        geometries = value.get("geometries")
        if not isinstance(geometries, list):
            raise InvalidInput(
                f"{field}.geometries must be a list", details={"path": f"{field}.geometries"}
            )
        for index, geometry in enumerate(geometries):
            _check_geometry_object(geometry, f"{field}.geometries[{index}]")
        return
    if kind not in _DEPTH:
        raise InvalidInput(
            f"{field}: unknown GeoJSON type {kind!r}", details={"path": f"{field}.type"}
        )
    _check_coordinates(kind, value.get("coordinates"), f"{field}.coordinates")


def _check_coordinates(kind: str, coordinates: Any, field: str) -> None:
    def fail(why: str) -> InvalidInput:
        return InvalidInput(f"{field}: {why}", details={"path": field, "type": kind})

    def positions(items: Any, minimum: int, ring: bool) -> None:
        if not isinstance(items, list) or len(items) < minimum:
            raise fail(f"needs a list of at least {minimum} positions")
        for item in items:
            position(item)
        if ring and items[0][:2] != items[-1][:2]:
            raise fail("a polygon ring must end where it starts")

    def position(item: Any) -> None:
        if not isinstance(item, list) or not 2 <= len(item) <= 3:
            raise fail("a position is a list of 2 or 3 numbers")
        if not all(_is_number(n) for n in item):
            raise fail("a position holds finite numbers only")

    def lists(items: Any) -> list[Any]:
        if not isinstance(items, list) or not items:
            raise fail("needs a non-empty list")
        return items

    if kind == "Point":
        position(coordinates)
    elif kind in ("MultiPoint", "LineString"):
        positions(coordinates, 1 if kind == "MultiPoint" else 2, ring=False)
    elif kind == "MultiLineString":
        for line in lists(coordinates):
            positions(line, 2, ring=False)
    elif kind == "Polygon":
        for ring in lists(coordinates):
            positions(ring, 4, ring=True)
    else:  # MultiPolygon
        for polygon in lists(coordinates):
            for ring in lists(polygon):
                positions(ring, 4, ring=True)


def _is_number(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return -_FLOAT_MAX < value < _FLOAT_MAX  # 10**400 would overflow a float
    return False


_FLOAT_MAX = 2**1023


# --- results -------------------------------------------------------------------------------


def result_fits(observation_type: str, value: Any) -> bool:
    """Whether ``value`` is a valid result for a Datastream of ``observation_type``:
    a number for OM_Measurement, an integer for OM_CountObservation, a boolean for
    OM_TruthObservation, a string for OM_CategoryObservation, any JSON for OM_Observation
    (strings never with NUL characters, which PostgreSQL text cannot hold)."""
    if observation_type == OM_MEASUREMENT:
        return _is_number(value)
    if observation_type == OM_COUNT:
        return _is_number(value) and float(value).is_integer()
    if observation_type == OM_TRUTH:
        return isinstance(value, bool)
    if observation_type == OM_CATEGORY:
        return isinstance(value, str) and "\x00" not in value
    if isinstance(value, str):
        return "\x00" not in value
    return is_json(value)


def expected_result(observation_type: str) -> str:
    """What ``result_fits`` wants for ``observation_type``, for error messages."""
    return {
        OM_MEASUREMENT: "a number",
        OM_COUNT: "an integer",
        OM_TRUTH: "a boolean",
        OM_CATEGORY: "a string (a category URI)",
    }.get(observation_type, "a JSON value")


def is_json(value: Any) -> bool:
    """Whether ``value`` is plain JSON data: finite numbers, strings, booleans, null, and
    lists and string-keyed objects of those."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(is_json(v) for v in value)
    return value is None or isinstance(value, str | int | bool)
