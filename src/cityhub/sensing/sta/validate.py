"""Check a SensorThings entity body and turn its properties into column values.

Every error is InvalidInput whose ``details["path"]`` locates the value inside the request
body, e.g. ``Datastreams[0].unitOfMeasurement`` or ``Locations[1].location.coordinates``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, inspect

from cityhub.errors import InvalidInput
from cityhub.sensing.sta import values
from cityhub.sensing.sta.entities import EntityType, Kind, Property

MAX_ID = 2**63 - 1
_OBJECT_PROPERTIES = frozenset({"properties", "parameters"})  # JSON, but objects only
_UNIT_KEYS = frozenset({"name", "symbol", "definition"})


def at(prefix: str, name: str) -> str:
    """The path of ``name`` inside the entity at ``prefix`` ("" for the body itself)."""
    return f"{prefix}.{name}" if prefix else name


def invalid(message: str, path: str, **details: Any) -> InvalidInput:
    """InvalidInput naming ``path``."""
    return InvalidInput(
        f"{path}: {message}" if path else message, details={"path": path, **details}
    )


@dataclass
class Body:
    """An entity body split into properties and navigation properties; annotations
    (``@iot.id``, ``@iot.selfLink``, ``X@iot.navigationLink`` …) are dropped."""

    properties: dict[str, Any] = field(default_factory=dict)
    relations: dict[str, Any] = field(default_factory=dict)


def split_body(entity_type: EntityType, body: Any, path: str) -> Body:
    """Sort the keys of ``body``; InvalidInput for a non-object or an unknown key."""
    if not isinstance(body, dict):
        raise invalid(f"a {entity_type.name} must be a JSON object", path)
    split = Body()
    for key, value in body.items():
        if not isinstance(key, str):  # pragma: no cover - JSON keys are strings
            raise invalid("keys must be strings", path)
        if "@iot." in key:
            continue
        if key in entity_type.properties:
            split.properties[key] = value
        elif key in entity_type.relations:
            split.relations[key] = value
        else:
            raise invalid(
                f"{entity_type.name} has no property {key!r}", at(path, key), property=key
            )
    return split


def link_id(value: Any, path: str) -> int | None:
    """The id of a ``{"@iot.id": X}`` reference (other keys may come along), None for an
    object without ``@iot.id``; InvalidInput for a non-object or an id that is no integer."""
    if not isinstance(value, dict):
        raise invalid("a related entity must be a JSON object", path)
    if "@iot.id" not in value:
        return None
    return entity_id(value["@iot.id"], at(path, "@iot.id"))


def entity_id(value: Any, path: str) -> int:
    """An entity id: a positive integer (a string of digits is accepted too)."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise invalid("an id is a positive integer", path, value=value)
    return value


def property_values(
    entity_type: EntityType, given: dict[str, Any], path: str, *, complete: bool
) -> dict[str, Any]:
    """Model attribute → value for the properties in ``given``.

    ``complete`` (create, PUT): required properties must be there and absent optional ones
    become None. Otherwise (PATCH) only the given ones are returned. Results are skipped: they
    depend on the Datastream and are checked by the caller.
    """
    columns: dict[str, Any] = {}
    for name, prop in entity_type.properties.items():
        if prop.kind is Kind.RESULT:
            continue
        here = at(path, name)
        if name not in given or given[name] is None:
            if prop.required and (name in given or complete):
                raise invalid(f"{name} is mandatory for a {entity_type.name}", here)
            if name in given or complete:
                columns.update(dict.fromkeys(prop.columns))
            continue
        columns.update(_convert(entity_type, prop, given[name], here))
    return columns


def _convert(entity_type: EntityType, prop: Property, value: Any, path: str) -> dict[str, Any]:
    kind = prop.kind
    if kind in (Kind.TEXT, Kind.URI):
        return {prop.columns[0]: _text(entity_type, prop, value, path)}
    if kind is Kind.JSON:
        if prop.name in _OBJECT_PROPERTIES and not isinstance(value, dict):
            raise invalid(f"{prop.name} must be a JSON object", path)
        if not values.is_json(value):
            raise invalid("not a JSON value (numbers must be finite)", path)
        return {prop.columns[0]: value}
    if kind is Kind.OBJECT:
        return {prop.columns[0]: _unit(value, path)}
    if kind is Kind.GEOMETRY:
        values.check_geometry(value, path)
        return {prop.columns[0]: value}
    if kind is Kind.INSTANT:
        return {prop.columns[0]: values.parse_instant(value, path)}
    if kind is Kind.INTERVAL:
        return dict(zip(prop.columns, values.parse_interval(value, path), strict=True))
    start, end = values.parse_time(value, path)  # Kind.TIME
    return {prop.columns[0]: start, prop.columns[1]: end}


def _text(entity_type: EntityType, prop: Property, value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise invalid(f"{prop.name} must be a string", path, value=value)
    if "\x00" in value:
        raise invalid("NUL characters are not allowed", path)
    if prop.kind is Kind.URI and not value.strip():
        raise invalid(f"{prop.name} must be a non-empty URI", path)
    column_type = inspect(entity_type.model).columns[prop.columns[0]].type
    if isinstance(column_type, String) and column_type.length and len(value) > column_type.length:
        raise invalid(f"longer than {column_type.length} characters", path)
    if prop.name == "observationType" and value not in values.OBSERVATION_TYPES:
        raise invalid(
            "unknown observationType; use one of the OGC-OM 2.0 codes",
            path,
            allowed=sorted(values.OBSERVATION_TYPES),
        )
    return value


def _unit(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid("unitOfMeasurement must be an object {name, symbol, definition}", path)
    for key, item in value.items():
        if key not in _UNIT_KEYS:
            raise invalid(f"unitOfMeasurement has no field {key!r}", at(path, key))
        if item is not None and not isinstance(item, str):
            raise invalid(f"{key} must be a string or null", at(path, key))
    return value


def check_encoding(columns: dict[str, Any], path: str) -> None:
    """Locations and FeaturesOfInterest hold GeoJSON: their encodingType must say so."""
    encoding = columns.get("encoding_type")
    if encoding is not None and encoding not in values.GEOJSON_ENCODINGS:
        raise invalid(
            "encodingType must be application/geo+json (or application/vnd.geo+json)",
            at(path, "encodingType"),
            value=encoding,
        )


def derive_columns(entity_type: EntityType, columns: dict[str, Any], path: str) -> None:
    """Add the columns the server derives from the given ones: a Location's or a
    FeatureOfInterest's point coordinates (``x``/``y``), after checking its encodingType."""
    geometry = {"Location": "location", "FeatureOfInterest": "feature"}.get(entity_type.name)
    if geometry is None:
        return
    check_encoding(columns, path)
    if geometry in columns:
        point = values.point_of(columns[geometry])
        columns["x"], columns["y"] = point if point is not None else (None, None)
