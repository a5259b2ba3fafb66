"""Entities as SensorThings JSON: ``@iot.id``, ``@iot.selfLink``, properties, navigation links.

Readers select the model attributes an entity needs (``columns``) as labelled columns, so
rows are plain tuples — no ORM object per entity — and ``entity_json`` turns a row into the
JSON object of OGC 18-088 §8: times formatted as ISO 8601 in UTC, the Observation result
taken from the column of its type, and a navigation link per relation. Links are absolute
under the service root (``Links``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement

from cityhub.errors import InvalidInput
from cityhub.sensing.models import ResultType
from cityhub.sensing.sta.entities import EntityType, Kind, Property
from cityhub.sensing.sta.values import format_instant, format_time

ID = "id"
_EXACT_INTEGERS = 2**53  # floats up to this size that are whole are shown as integers


@dataclass(frozen=True)
class Links:
    """Absolute URLs under the service root, e.g. ``http://host/sta/v1.1``."""

    root: str

    def entity(self, entity: EntityType, entity_id: int) -> str:
        """The selfLink of one entity: ``…/Things(1)``."""
        return f"{self.root}/{entity.set_name}({entity_id})"

    def collection(self, set_name: str) -> str:
        """The URL of an entity set: ``…/Things``."""
        return f"{self.root}/{set_name}"

    def navigation(self, entity: EntityType, entity_id: int, relation: str) -> str:
        """The navigationLink of a relation: ``…/Things(1)/Datastreams``."""
        return f"{self.entity(entity, entity_id)}/{relation}"


def check_select(entity: EntityType, names: Iterable[str]) -> frozenset[str] | None:
    """The ``$select`` names, checked against ``entity`` (None: all); ``@iot.id`` is ``id``."""
    names = tuple(names)
    if not names:
        return None
    chosen: set[str] = set()
    for raw in names:
        name = ID if raw in ("@iot.id", ID) else raw
        if name != ID and name not in entity.properties and name not in entity.relations:
            raise InvalidInput(
                f"$select: {entity.name} has no property {raw!r}",
                details={"option": "$select", "property": raw},
            )
        chosen.add(name)
    return frozenset(chosen)


def columns(
    entity: EntityType, select: frozenset[str] | None, source: Any = None
) -> list[ColumnElement[Any]]:
    """The labelled columns to read ``entity`` rows with (from ``source``, an alias of its
    model, or the model): the selected properties, and always the id and the ids of the
    related entities (navigation and ``$expand`` need them)."""
    names = {ID}
    for relation in entity.relations.values():
        if relation.shape == "fk":
            names.add(relation.column)
    for prop in entity.properties.values():
        if select is None or prop.name in select:
            names.update(prop.columns)
    model = entity.model if source is None else source
    return [getattr(model, name).label(name) for name in sorted(names)]


def property_value(prop: Property, row: Mapping[str, Any]) -> Any:
    """The JSON value of ``prop`` in ``row`` (a mapping of model attribute names)."""
    kind = prop.kind
    if kind is Kind.RESULT:
        return result_value(row, prop.columns)
    if kind is Kind.INSTANT:
        moment = row[prop.columns[0]]
        return None if moment is None else format_instant(moment)
    if kind in (Kind.INTERVAL, Kind.TIME):
        start, end = row[prop.columns[0]], row[prop.columns[1]]
        if start is None:
            return None
        if kind is Kind.INTERVAL and end is None:
            end = start
        return format_time(start, end)
    return row[prop.columns[0]]


def result_value(row: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    """An Observation's result from its typed columns (``ResultType``)."""
    type_name, number, boolean, string, document = names
    kind = row[type_name]
    if kind == ResultType.NUMBER:
        value: float | None = row[number]
        if value is not None and value.is_integer() and abs(value) <= _EXACT_INTEGERS:
            return int(value)
        return value
    if kind == ResultType.BOOLEAN:
        return row[boolean]
    if kind == ResultType.STRING:
        return row[string]
    return row[document]


def raw_value(value: Any) -> str:
    """The text of a ``$value`` response: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def entity_json(
    entity: EntityType,
    row: Mapping[str, Any],
    links: Links,
    select: frozenset[str] | None = None,
) -> dict[str, Any]:
    """The JSON object of one entity; with ``select``, only those properties (``id`` for
    ``@iot.id``) and navigation links."""
    entity_id: int = row[ID]
    body: dict[str, Any] = {}
    if select is None or ID in select:
        body["@iot.id"] = entity_id
    if select is None:
        body["@iot.selfLink"] = links.entity(entity, entity_id)
    for prop in entity.properties.values():
        if select is None or prop.name in select:
            body[prop.name] = property_value(prop, row)
    for name in entity.relations:
        if select is None or name in select:
            body[f"{name}@iot.navigationLink"] = links.navigation(entity, entity_id, name)
    return body
