"""``$expand``: related entities inline, with their own options, level by level.

A level is read for a whole page of parents at once, never one query per parent:

- a relation to one entity (``Observation/Datastream``) by the ids the parents hold, in one
  ``IN`` query per chunk of ids;
- a collection (``Thing/Datastreams``) as a ``UNION ALL`` of one small query per parent, each
  with its own ``ORDER BY … LIMIT`` — ``$top`` is per parent, and each branch walks an index
  (the Observations of a Datastream by time) instead of ranking every child of every parent
  with a window function. One statement covers ``BRANCHES`` parents.

Each expanded collection gets ``Name@iot.count`` (with ``$count=true``) and
``Name@iot.nextLink`` when the parent has more children than the page shows. Visibility
applies to every level.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import func, select, union_all

from cityhub.errors import InvalidInput
from cityhub.sensing.access import visibility
from cityhub.sensing.sta import joins
from cityhub.sensing.sta.entities import ENTITY_TYPES, EntityType, Relation
from cityhub.sensing.sta.query import Expand, QueryOptions, to_text
from cityhub.sensing.sta.read_context import Reader, alias, conditions, order
from cityhub.sensing.sta.serialise import check_select, columns, entity_json

BRANCHES = 100  # parents per UNION ALL statement (SQLite allows 500 compound terms)
IDS_PER_QUERY = 1000  # ids per IN list
PARENT = "expand_parent"
URL_SAFE = "$/(),'"


def expand(
    reader: Reader,
    entity: EntityType,
    rows: Sequence[dict[str, Any]],
    bodies: Sequence[dict[str, Any]],
    expands: Sequence[Expand],
) -> None:
    """Add the expanded relations of ``expands`` to ``bodies`` (the JSON of ``rows``)."""
    if not rows:
        return
    for item in expands:
        relation = entity.relations.get(item.relation)
        if relation is None:
            raise InvalidInput(
                f"$expand: {entity.name} has no navigation property {item.relation!r}",
                details={"option": "$expand", "property": item.relation},
            )
        if relation.many:
            _collections(reader, entity, relation, rows, bodies, item.options)
        else:
            _single(reader, relation, rows, bodies, item.options)


def _single(
    reader: Reader,
    relation: Relation,
    rows: Sequence[dict[str, Any]],
    bodies: Sequence[dict[str, Any]],
    options: QueryOptions,
) -> None:
    target = ENTITY_TYPES[relation.target]
    source = alias(target)
    selected = check_select(target, options.select)
    ids = sorted({row[relation.column] for row in rows if row[relation.column] is not None})
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids, IDS_PER_QUERY):
        query = select(*columns(target, selected, source)).where(
            source.id.in_(chunk), visibility(target.set_name, source, reader.actor)
        )
        for mapping in reader.session.execute(query).mappings():
            found[mapping["id"]] = dict(mapping)
    shown = {key: entity_json(target, row, reader.links, selected) for key, row in found.items()}
    expand(reader, target, list(found.values()), list(shown.values()), options.expand)
    for row, body in zip(rows, bodies, strict=True):
        held = row[relation.column]
        if held in shown:
            body[relation.name] = shown[held]


def _collections(
    reader: Reader,
    entity: EntityType,
    relation: Relation,
    rows: Sequence[dict[str, Any]],
    bodies: Sequence[dict[str, Any]],
    options: QueryOptions,
) -> None:
    target = ENTITY_TYPES[relation.target]
    selected = check_select(target, options.select)
    parent_ids = sorted({row["id"] for row in rows})
    children: dict[int, list[dict[str, Any]]] = defaultdict(list)
    counts: dict[int, int] = {}
    for chunk in _chunks(parent_ids, BRANCHES):
        _read_children(reader, target, relation, chunk, options, selected, children)
        if options.count:
            counts.update(_count_children(reader, target, relation, chunk, options))
    name = relation.name
    all_rows: list[dict[str, Any]] = []
    all_bodies: list[dict[str, Any]] = []
    for row, body in zip(rows, bodies, strict=True):
        parent_id = row["id"]
        kids = children.get(parent_id, [])
        more = len(kids) > options.top
        kids = kids[: options.top]
        shown = [entity_json(target, kid, reader.links, selected) for kid in kids]
        if options.count:
            body[f"{name}@iot.count"] = counts.get(parent_id, 0)
        body[name] = shown
        if more:
            url = reader.links.navigation(entity, parent_id, name)
            body[f"{name}@iot.nextLink"] = f"{url}?{next_query(options)}"
        all_rows.extend(kids)
        all_bodies.extend(shown)
    expand(reader, target, all_rows, all_bodies, options.expand)


def _read_children(
    reader: Reader,
    target: EntityType,
    relation: Relation,
    parent_ids: list[int],
    options: QueryOptions,
    selected: frozenset[str] | None,
    into: dict[int, list[dict[str, Any]]],
) -> None:
    """Up to ``$top + 1`` children of each parent (one more tells that a next page exists)."""
    branches = []
    for parent_id in parent_ids:
        source = alias(target)
        base, key = joins.with_parent_key(
            relation, select(*columns(target, selected, source)), source
        )
        branch = (
            base.add_columns(key.label(PARENT))
            .where(key == parent_id, *conditions(reader, target, source, options))
            .order_by(*order(target, source, options))
            .offset(options.skip)
            .limit(options.top + 1)
        )
        branches.append(select(branch.subquery()))
    query = branches[0] if len(branches) == 1 else union_all(*branches)
    # UNION ALL keeps each branch's rows in order; the parent column sorts them out.
    for mapping in reader.session.execute(query).mappings():
        row = dict(mapping)
        into[row.pop(PARENT)].append(row)


def _count_children(
    reader: Reader,
    target: EntityType,
    relation: Relation,
    parent_ids: list[int],
    options: QueryOptions,
) -> dict[int, int]:
    source = alias(target)
    base, key = joins.with_parent_key(
        relation, select(func.count(source.id)).select_from(source), source
    )
    query = (
        base.add_columns(key)
        .where(key.in_(parent_ids), *conditions(reader, target, source, options))
        .group_by(key)
    )
    return {parent: int(n) for n, parent in reader.session.execute(query)}


def next_query(options: QueryOptions) -> str:
    """The query string of the next page of an expanded collection."""
    pairs = option_pairs(options, paging=False)
    pairs += [("$top", str(options.top)), ("$skip", str(options.skip + options.top))]
    return urlencode(pairs, quote_via=quote, safe=URL_SAFE)


def option_pairs(options: QueryOptions, *, paging: bool = True) -> list[tuple[str, str]]:
    """``options`` written back as query parameters (those that differ from the defaults)."""
    pairs: list[tuple[str, str]] = []
    if options.filter is not None:
        pairs.append(("$filter", to_text(options.filter)))
    if options.orderby:
        terms = (
            f"{to_text(item.expr)} {'desc' if item.descending else 'asc'}"
            for item in options.orderby
        )
        pairs.append(("$orderby", ",".join(terms)))
    if options.count:
        pairs.append(("$count", "true"))
    if options.select:
        pairs.append(("$select", ",".join(options.select)))
    if options.expand:
        pairs.append(("$expand", ",".join(_expand_text(item) for item in options.expand)))
    if paging and options.top_given:
        pairs.append(("$top", str(options.top)))
    if paging and options.skip:
        pairs.append(("$skip", str(options.skip)))
    return pairs


def _expand_text(item: Expand) -> str:
    nested = option_pairs(item.options)
    if not nested:
        return item.relation
    return f"{item.relation}({';'.join(f'{name}={value}' for name, value in nested)})"


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
