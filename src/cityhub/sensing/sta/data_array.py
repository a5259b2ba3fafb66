"""``$resultFormat=dataArray`` (OGC 18-088 §13): Observations as rows of values per Datastream.

The page is chosen exactly as for the ordinary format (``$filter``, ``$orderby``, ``$skip``,
``$top``, ``$count``); ``$select`` names the components, in order. The Observations are
grouped by Datastream in the order they come, one ``{"Datastream@iot.navigationLink",
"components", "dataArray@iot.count", "dataArray"}`` per Datastream. ``$expand`` is refused.
"""

from __future__ import annotations

from typing import Any

from cityhub.errors import InvalidInput
from cityhub.sensing.sta.entities import ENTITY_TYPES
from cityhub.sensing.sta.page import next_link, rows_of
from cityhub.sensing.sta.query import QueryOptions
from cityhub.sensing.sta.read_context import Params, Reader, Scope
from cityhub.sensing.sta.serialise import ID, property_value

DEFAULT_COMPONENTS = ("id", "phenomenonTime", "resultTime", "result")
OBSERVATIONS = ENTITY_TYPES["Observations"]
DATASTREAMS = ENTITY_TYPES["Datastreams"]


def components_of(options: QueryOptions) -> tuple[str, ...]:
    """The components: ``$select`` in its order, else id, phenomenonTime, resultTime, result."""
    chosen = options.select or DEFAULT_COMPONENTS
    for name in chosen:
        if name != ID and name not in OBSERVATIONS.properties:
            raise InvalidInput(
                f"$select: {name!r} is not a property of Observation (dataArray components "
                "are properties)",
                details={"option": "$select", "property": name},
            )
    return tuple(chosen)


def data_array(
    reader: Reader, scope: Scope, options: QueryOptions, url: str, params: Params
) -> dict[str, Any]:
    """One page of Observations in the dataArray format."""
    if scope.entity is not OBSERVATIONS:
        raise InvalidInput(
            "$resultFormat=dataArray applies to Observations only",
            details={"option": "$resultFormat"},
        )
    if options.expand:
        raise InvalidInput(
            "$expand is not allowed with $resultFormat=dataArray",
            details={"option": "$expand"},
        )
    components = components_of(options)
    rows, more, count = rows_of(reader, scope, options, frozenset(components))
    groups: dict[int, list[list[Any]]] = {}
    for row in rows:
        values = [
            row[ID] if name == ID else property_value(OBSERVATIONS.properties[name], row)
            for name in components
        ]
        groups.setdefault(row["datastream_id"], []).append(values)
    body: dict[str, Any] = {}
    if count is not None:
        body["@iot.count"] = count
    body["value"] = [
        {
            "Datastream@iot.navigationLink": reader.links.entity(DATASTREAMS, datastream_id),
            "components": list(components),
            "dataArray@iot.count": len(array),
            "dataArray": array,
        }
        for datastream_id, array in groups.items()
    ]
    if more:
        body["@iot.nextLink"] = next_link(url, params, options.top, options.skip)
    return body
