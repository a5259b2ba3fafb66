"""Change SensorThings entities: PATCH (merge), PUT (replace) and JSON Patch (RFC 6902).

An update body holds properties and ``@iot.id`` bindings only (OGC 18-088 §10.3): a binding
replaces a to-one relation (``{"Datastream": {"@iot.id": 2}}``) or adds to a to-many one; a
Thing's Locations are replaced, as FROST-Server does, and recorded in a HistoricalLocation. A
related object with ``@iot.id`` is a binding whatever else it carries (frost-sta-client sends
full states on PUT); one without is an inline entity and refused.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from cityhub.errors import NotFound
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    HistoricalLocationLocation,
    Observation,
)
from cityhub.sensing.observations import refresh_latest, result_columns, result_from_columns
from cityhub.sensing.sta import values
from cityhub.sensing.sta.create import Creator
from cityhub.sensing.sta.entities import ENTITY_TYPES, EntityType, Kind, Relation, entity_set
from cityhub.sensing.sta.json_patch import apply_patch
from cityhub.sensing.sta.validate import (
    at,
    derive_columns,
    invalid,
    link_id,
    property_values,
    split_body,
)
from cityhub.sensing.sta.write_context import WriteContext

ACTION = "sta.update"
_RESULT_COLUMNS = ("result_type", "result_number", "result_boolean", "result_string", "result_json")


def load(context: WriteContext, entity_type: EntityType, entity_id: int) -> Any:
    """The row of the entity; NotFound if there is none. Checks write access to it."""
    row = context.session.get(entity_type.model, entity_id)
    if row is None:
        raise NotFound(
            f"no {entity_type.name} with id {entity_id}",
            details={"path": entity_type.set_name, "id": entity_id},
        )
    context.allow_existing(entity_type.set_name, entity_id, ACTION)
    return row


def document(entity_type: EntityType, row: Any) -> dict[str, Any]:
    """The entity's properties as SensorThings JSON (the document JSON Patch works on)."""
    doc: dict[str, Any] = {}
    for name, prop in entity_type.properties.items():
        stored = [getattr(row, column) for column in prop.columns]
        if prop.kind is Kind.RESULT:
            doc[name] = result_from_columns(*stored)
        elif prop.kind is Kind.INSTANT:
            doc[name] = None if stored[0] is None else values.format_instant(stored[0])
        elif prop.kind in (Kind.INTERVAL, Kind.TIME):
            doc[name] = None if stored[0] is None else values.format_time(stored[0], stored[1])
        else:
            doc[name] = stored[0]
    return doc


def update_in(
    context: WriteContext, set_name: str, entity_id: int, body: Any, *, replace: bool
) -> None:
    """PATCH (``replace`` False) or PUT the entity within ``context``."""
    entity_type = entity_set(set_name)
    row = load(context, entity_type, entity_id)
    _apply(context, entity_type, row, body, replace=replace)


def json_patch_in(context: WriteContext, set_name: str, entity_id: int, operations: Any) -> None:
    """Apply RFC 6902 ``operations`` to the entity's JSON, then store it as a PUT would."""
    entity_type = entity_set(set_name)
    row = load(context, entity_type, entity_id)
    patched = apply_patch(document(entity_type, row), operations)
    _apply(context, entity_type, row, patched, replace=True)


def _apply(
    context: WriteContext, entity_type: EntityType, row: Any, body: Any, *, replace: bool
) -> None:
    split = split_body(entity_type, body, "")
    columns = property_values(entity_type, split.properties, "", complete=replace)
    derive_columns(entity_type, columns, "")
    if entity_type.name == "Observation" and columns.get("phenomenon_time_start") is None:
        columns.pop("phenomenon_time_start", None)  # PUT without it keeps the stored time
        columns.pop("phenomenon_time_end", None)
    old_datastream: int = getattr(row, "datastream_id", 0)
    for name, value in split.relations.items():
        _bind(context, entity_type, row, entity_type.relations[name], value, at("", name))
    if entity_type.name == "Observation":
        _observation_result(context, row, split.properties, columns, replace=replace)
    if entity_type.name == "Location" and "location" in columns:
        # FeaturesOfInterest made from the old place stay with their Observations; the next
        # Observation without one gets a FeatureOfInterest of the new place.
        context.session.execute(
            update(FeatureOfInterest)
            .where(FeatureOfInterest.location_id == row.id)
            .values(location_id=None)
        )
    for column, value in columns.items():
        setattr(row, column, value)
    context.session.flush()
    if entity_type.name == "Observation":
        refresh_latest(context.session, {old_datastream, row.datastream_id})
    context.audit(
        ACTION,
        entity_type.name,
        row.id,
        replace=replace,
        properties=sorted(split.properties),
        relations=sorted(split.relations),
    )


def _observation_result(
    context: WriteContext,
    row: Observation,
    given: dict[str, Any],
    columns: dict[str, Any],
    *,
    replace: bool,
) -> None:
    observation_type = context.session.scalar(
        select(Datastream.observation_type).where(Datastream.id == row.datastream_id)
    )
    assert observation_type is not None
    if "result" in given:
        result = given["result"]
    elif replace:
        raise invalid("result is mandatory for an Observation", "result")
    else:  # the Datastream may have changed: the stored result must still fit
        result = result_from_columns(*(getattr(row, c) for c in _RESULT_COLUMNS))
    if not values.result_fits(observation_type, result):
        raise invalid(
            f"result must be {values.expected_result(observation_type)} for this "
            "Datastream's observationType",
            "result",
            observationType=observation_type,
        )
    columns.update(zip(_RESULT_COLUMNS, result_columns(result), strict=True))


def _bind(
    context: WriteContext,
    owner: EntityType,
    row: Any,
    relation: Relation,
    value: Any,
    path: str,
) -> None:
    target = ENTITY_TYPES[relation.target]
    if relation.shape == "fk":
        target_id = _binding(context, target, value, path)
        if relation.column == "thing_id" or relation.column == "datastream_id":
            context.allow_existing(target.set_name, target_id, ACTION)
        setattr(row, relation.column, target_id)
        return
    if not isinstance(value, list):
        raise invalid(f'{relation.name} must be a list of {{"@iot.id": …}}', path)
    ids = [_binding(context, target, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if relation.shape == "reverse":
        creator = Creator(context)
        for target_id in ids:
            creator.adopt(relation, row.id, target.set_name, target_id)
    elif owner.name == "Thing":
        context.set_locations(row.id, set(ids))
    elif owner.name == "Location" and relation.name == "Things":
        context.allow_things(set(ids), ACTION, "Thing")
        for thing_id in ids:
            context.set_locations(thing_id, {row.id})
    else:
        pairs = (
            {(row.id, i) for i in ids}
            if owner.name == "HistoricalLocation"
            else {(i, row.id) for i in ids}
        )
        for history_id, _ in pairs:
            context.allow_existing("HistoricalLocations", history_id, ACTION)
        existing = {
            (history_id, location_id)
            for history_id, location_id in context.session.execute(
                select(
                    HistoricalLocationLocation.historical_location_id,
                    HistoricalLocationLocation.location_id,
                ).where(
                    HistoricalLocationLocation.historical_location_id.in_({h for h, _ in pairs})
                )
            )
        }
        new_pairs = sorted(pairs - existing)
        if new_pairs:
            context.session.execute(
                insert(HistoricalLocationLocation),
                [{"historical_location_id": h, "location_id": loc} for h, loc in new_pairs],
            )


def _binding(context: WriteContext, target: EntityType, value: Any, path: str) -> int:
    target_id = link_id(value, path)
    if target_id is None:
        raise invalid(
            'an update may bind related entities by {"@iot.id": …} only, not create them',
            path,
        )
    if not context.exists(target.set_name, target_id):
        raise invalid(f"no such entity: {target.name} {target_id}", path, id=target_id)
    return target_id
