"""One page of a collection: ``@iot.count``, ``value`` and ``@iot.nextLink``.

Options apply in the standard's order: ``$filter`` → ``$count`` → ``$orderby`` → ``$skip`` →
``$top``, then ``$select`` and ``$expand`` on the page. One row more than ``$top`` is read to
learn whether a next page exists, so no count is needed for the nextLink.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import ColumnElement, func, select

from cityhub.sensing.sta import joins
from cityhub.sensing.sta.expand import expand
from cityhub.sensing.sta.query import QueryOptions
from cityhub.sensing.sta.read_context import (
    Params,
    Reader,
    Scope,
    Source,
    alias,
    conditions,
    order,
)
from cityhub.sensing.sta.serialise import check_select, columns, entity_json

PAGING = ("$top", "$skip")
URL_SAFE = "$/(),'"  # kept as they are in nextLinks, for people reading them


def where(reader: Reader, scope: Scope, source: Source, options: QueryOptions) -> list[Any]:
    """Visibility, ``$filter`` and, for a navigated collection, membership in the parent."""
    found: list[ColumnElement[bool]] = conditions(reader, scope.entity, source, options)
    parent = scope.parent
    if parent is not None:
        found.append(joins.members(parent.relation, parent.entity.set_name, [parent.key], source))
    return found


def count_of(reader: Reader, source: Source, condition: list[Any]) -> int:
    """How many rows of ``source`` match ``condition`` (``$count`` ignores paging)."""
    query = select(func.count()).select_from(source).where(*condition)
    return int(reader.session.scalar(query) or 0)


def next_link(url: str, params: Params, top: int, skip: int) -> str:
    """The URL of the next page: the same options with ``$skip`` advanced by ``$top``."""
    kept = [(k, v) for k, v in params if k.lower() not in PAGING]
    kept += [("$top", str(top)), ("$skip", str(skip + top))]
    return f"{url}?{urlencode(kept, quote_via=quote, safe=URL_SAFE)}"


def rows_of(
    reader: Reader, scope: Scope, options: QueryOptions, selected: frozenset[str] | None
) -> tuple[list[dict[str, Any]], bool, int | None]:
    """The page's rows (model attribute names as keys), whether more follow, and the count
    when ``$count=true``."""
    entity = scope.entity
    source = alias(entity)
    condition = where(reader, scope, source, options)
    count = count_of(reader, source, condition) if options.count else None
    query = (
        select(*columns(entity, selected, source))
        .where(*condition)
        .order_by(*order(entity, source, options))
        .offset(options.skip)
        .limit(options.top + 1)
    )
    rows = [dict(row) for row in reader.session.execute(query).mappings()]
    return rows[: options.top], len(rows) > options.top, count


def collection(
    reader: Reader, scope: Scope, options: QueryOptions, url: str, params: Params
) -> dict[str, Any]:
    """One page of the collection ``scope`` addresses, as SensorThings JSON."""
    entity = scope.entity
    selected = check_select(entity, options.select)
    rows, more, count = rows_of(reader, scope, options, selected)
    values = [entity_json(entity, row, reader.links, selected) for row in rows]
    expand(reader, entity, rows, values, options.expand)
    body: dict[str, Any] = {}
    if count is not None:
        body["@iot.count"] = count
    body["value"] = values
    if more:
        body["@iot.nextLink"] = next_link(url, params, options.top, options.skip)
    return body
