"""Reading SensorThings data: a resource path and query options in, a JSON document out.

``read`` resolves the path (``paths``) step by step — each entity on the way must exist and be
visible to the caller, so ``Things(1)/Datastreams`` of a Thing one may not see is a 404, not an
empty list — and answers one of: a page of a collection (``page``, or ``data_array`` with
``$resultFormat=dataArray``), one entity, a property, its ``$value``, or ``$ref`` links.
``access.visibility`` is applied to every query, the expanded ones included (``expand``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import InvalidInput, NotFound
from cityhub.sensing.access import visibility
from cityhub.sensing.sta import joins
from cityhub.sensing.sta.data_array import data_array
from cityhub.sensing.sta.entities import EntityType
from cityhub.sensing.sta.expand import expand
from cityhub.sensing.sta.page import collection
from cityhub.sensing.sta.paths import ResourcePath, Step, parse_path
from cityhub.sensing.sta.query import QueryOptions, check_options, parse_options
from cityhub.sensing.sta.read_context import Params, Parent, Reader, Scope
from cityhub.sensing.sta.serialise import (
    Links,
    check_select,
    columns,
    entity_json,
    property_value,
    raw_value,
)


@dataclass(frozen=True)
class Reply:
    """The answer: a JSON document, the text of a ``$value``, or nothing (204)."""

    body: Any
    status: int = 200
    text: bool = False


def read(
    db: Database,
    actor: Actor,
    path_text: str,
    params: Params,
    *,
    links: Links,
    max_top: int,
    default_top: int,
) -> Reply:
    """Answer ``GET <service root>/<path_text>?<params>`` for ``actor``."""
    path = parse_path(path_text)
    options = parse_options(dict(params), max_top=max_top, default_top=default_top)
    check_options(path.last.entity, options)
    with db.reading() as session:
        reader = Reader(session, actor, links, max_top, default_top)
        scope = resolve(reader, path.steps)
        if path.prop is not None:
            return _property(reader, scope, path)
        url = f"{links.root}/{path_text.rstrip('/')}"
        if path.ref:
            return Reply(_references(reader, scope, options, url, params))
        if scope.key is not None:
            return Reply(_one(reader, scope, options))
        if options.result_format is not None:
            return Reply(data_array(reader, scope, options, url, params))
        return Reply(collection(reader, scope, options, url, params))


def resolve(reader: Reader, steps: Sequence[Step]) -> Scope:
    """The entity or collection the ``steps`` of a path address; NotFound for any entity on
    the way that is missing or that the caller may not see."""
    first = steps[0]
    scope = Scope(first.entity)
    if first.key is not None:
        scope = Scope(first.entity, _require(reader, first.entity, first.key))
    for step in steps[1:]:
        scope = _navigate(reader, scope, step)
    return scope


def locate(db: Database, actor: Actor, steps: Sequence[Step]) -> Scope | None:
    """``resolve`` in a session of its own, for writes (None for no steps)."""
    if not steps:
        return None
    with db.reading() as session:
        return resolve(Reader(session, actor, Links(""), 1, 1), steps)


def _navigate(reader: Reader, parent: Scope, step: Step) -> Scope:
    assert parent.key is not None and step.relation is not None
    relation = step.relation
    if not relation.many:
        owner: Any = parent.entity.model
        held = reader.session.scalar(
            select(getattr(owner, relation.column)).where(owner.id == parent.key)
        )
        if held is None:
            raise NotFound(
                f"{parent.entity.name} {parent.key} has no {relation.name}",
                details={"path": relation.name},
            )
        return Scope(step.entity, _require(reader, step.entity, held))
    if step.key is None:
        return Scope(step.entity, parent=Parent(parent.entity, parent.key, relation))
    member = joins.members(relation, parent.entity.set_name, [parent.key], step.entity.model)
    return Scope(step.entity, _require(reader, step.entity, step.key, member))


def _require(reader: Reader, entity: EntityType, key: int, member: Any = None) -> int:
    model: Any = entity.model
    query = select(model.id).where(
        model.id == key, visibility(entity.set_name, model, reader.actor)
    )
    if member is not None:
        query = query.where(member)
    if reader.session.scalar(query) is None:
        raise NotFound(f"no {entity.name} {key}", details={"entity": entity.name, "id": key})
    return key


def _one(reader: Reader, scope: Scope, options: QueryOptions) -> dict[str, Any]:
    entity = scope.entity
    selected = check_select(entity, options.select)
    row = _row(reader, scope, selected)
    body = entity_json(entity, row, reader.links, selected)
    expand(reader, entity, [row], [body], options.expand)
    return body


def _row(reader: Reader, scope: Scope, selected: frozenset[str] | None) -> dict[str, Any]:
    entity = scope.entity
    model: Any = entity.model
    query = select(*columns(entity, selected)).where(model.id == scope.key)
    found = reader.session.execute(query).mappings().first()
    if found is None:  # deleted since the path was resolved
        raise NotFound(f"no {entity.name} {scope.key}", details={"id": scope.key})
    return dict(found)


def _property(reader: Reader, scope: Scope, path: ResourcePath) -> Reply:
    assert path.prop is not None
    prop = scope.entity.properties[path.prop]
    value = property_value(prop, _row(reader, scope, frozenset({prop.name})))
    name = prop.name
    for key in path.keys:
        if not isinstance(value, dict) or key not in value:
            raise NotFound(f"{name} has no member {key!r}", details={"path": key})
        value, name = value[key], key
    if value is None:
        return Reply(None, status=204)
    if path.value:
        return Reply(raw_value(value), text=True)
    return Reply({name: value})


def _references(
    reader: Reader, scope: Scope, options: QueryOptions, url: str, params: Params
) -> dict[str, Any]:
    entity = scope.entity
    if scope.key is not None:
        return {"@iot.selfLink": reader.links.entity(entity, scope.key)}
    if options.expand or options.select or options.result_format:
        raise InvalidInput(
            "$ref lists links only: $select, $expand and $resultFormat do not apply",
            details={"option": "$ref"},
        )
    page = collection(reader, scope, options, url, params)
    page["value"] = [{"@iot.selfLink": item["@iot.selfLink"]} for item in page["value"]]
    return page
