"""Which lots and containers an event refers to, and how (for leaf ``batch`` lines and recall)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cityhub.trace.epcis.agri_input import AGRI_INPUT
from cityhub.trace.epcis.gs1 import normalise_id

# Lots (LGTIN), serialised items (SGTIN) and containers (SSCC); a bare GTIN, a location
# or an asset identifier names no traceable batch.
_TRACEABLE = re.compile(r"^https://id\.gs1\.org/(00/\d{18}|01/\d{14}/(10|21)/[^/]+)$")


@dataclass(frozen=True)
class EventLots:
    """Canonical lot, item and container URIs an event names, sorted.

    ``created``: what the event brings into existence (ObjectEvent ADD, TransformationEvent
    outputs, the parent of an AggregationEvent ADD); ``used``: every other one, the input
    lot of ``cityhub:agriInput`` included. ``inputs``/``outputs`` (transformations) and
    ``parents``/``children`` (aggregations, associations) say the role.
    """

    created: tuple[str, ...]
    used: tuple[str, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    parents: tuple[str, ...]
    children: tuple[str, ...]

    @property
    def referenced(self) -> tuple[str, ...]:
        """Every lot the event refers to, sorted (one leaf ``batch`` line each)."""
        return tuple(sorted(set(self.created) | set(self.used)))


def _ids(values: Iterable[Any]) -> tuple[str, ...]:
    out = {normalise_id(value) for value in values}
    return tuple(sorted(uri for uri in out if _TRACEABLE.match(uri)))


def _classes(event: Mapping[str, Any], *names: str) -> list[Any]:
    return [q["epcClass"] for name in names for q in event.get(name, ())]


def event_lots(event: Mapping[str, Any]) -> EventLots:
    """The lots an (already validated) event refers to; EpcisError for a non-GS1 identifier."""
    kind, action = event.get("type"), event.get("action")
    parents = _ids([event["parentID"]] if "parentID" in event else [])
    children = _ids([*event.get("childEPCs", ()), *_classes(event, "childQuantityList")])
    inputs = _ids([*event.get("inputEPCList", ()), *_classes(event, "inputQuantityList")])
    outputs = _ids([*event.get("outputEPCList", ()), *_classes(event, "outputQuantityList")])
    objects = _ids([*event.get("epcList", ()), *_classes(event, "quantityList")])
    agri = event.get(AGRI_INPUT)
    agri_lot = _ids([agri["lot"]] if isinstance(agri, Mapping) and "lot" in agri else [])
    created: tuple[str, ...] = ()
    if kind == "ObjectEvent" and action == "ADD":
        created = objects
    elif kind == "TransformationEvent":
        created = outputs
    elif kind == "AggregationEvent" and action == "ADD":
        created = parents
    everything = {*parents, *children, *inputs, *outputs, *objects, *agri_lot}
    used = tuple(sorted(everything - set(created)))
    return EventLots(created, used, inputs, outputs, parents, children)
