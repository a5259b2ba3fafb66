"""EPCIS Event Hash ID (CBV 2.0 §8.9): ``ni:///sha-256;<hex>?ver=CBV2.0``.

The pre-hash string concatenates ``key=value`` pieces in a canonical order; within a list
the pieces are sorted; values are normalised (``hash_values``); whatever the order does
not name (``bizTransactionList``, ``sourceList``, ``destinationList``, ``ilmd``, user
extensions, standard fields misplaced in a structure) follows, sorted, at the end of its
structure. Where the published rules and the reference implementation
(RalphTro/epcis-event-hash-generator 1.9.3) differ, the shipped reference vectors decide the
order, the published rules decide the rest; ``tests/trace/epcis/test_event_hash_divergence.py``
lists each case and why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cityhub.trace.epcis.hash_tree import Node, build
from cityhub.trace.epcis.hash_values import canonize, fix_time
from cityhub.trace.epcis.vocab import DEFAULT_NAMESPACES, VOCAB_TREE

Order = list[tuple[str, "Order | None"]]

_EPC: Order = [("epc", None)]
_QUANTITY: Order = [("quantityElement", [("epcClass", None), ("quantity", None), ("uom", None)])]
_METADATA = ["time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData"]
_METADATA += ["dataProcessingMethod", "bizRules"]
_REPORT = ["type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod"]
_REPORT += ["time", "microorganism", "chemicalSubstance", "value", "component", "stringValue"]
_REPORT += ["booleanValue", "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue"]
_REPORT += ["sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem"]
_SENSOR_ELEMENT: Order = [
    ("sensorMetadata", [(name, None) for name in _METADATA]),
    ("sensorReport", [(name, None) for name in _REPORT]),
]
# The reference's order: certificationInfo after the offset and parentID before epcList
# (the published table has neither); the three source/destination/transaction lists and
# ilmd are not in it, so they sort with the extensions, as ReferenceEventHashAlgorithm3 shows.
EVENT_ORDER: Order = [
    ("eventTime", None),
    ("eventTimeZoneOffset", None),
    ("certificationInfo", None),
    ("parentID", None),
    ("epcList", _EPC),
    ("inputEPCList", _EPC),
    ("childEPCs", _EPC),
    ("quantityList", _QUANTITY),
    ("childQuantityList", _QUANTITY),
    ("inputQuantityList", _QUANTITY),
    ("outputEPCList", _EPC),
    ("outputQuantityList", _QUANTITY),
    ("action", None),
    ("transformationID", None),
    ("bizStep", None),
    ("disposition", None),
    ("persistentDisposition", [("set", None), ("unset", None)]),
    ("readPoint", [("id", None)]),
    ("bizLocation", [("id", None)]),
    ("sensorElementList", [("sensorElement", _SENSOR_ELEMENT)]),
]
# Not part of the event's identity: recordTime and eventID (set by the hash itself),
# errorDeclaration (so a declaration still matches its event) and the JSON-LD @context.
_NOT_HASHED = frozenset({"recordTime", "eventID", "type", "errorDeclaration", "@context"})


@lru_cache(maxsize=1024)
def _is_time(name: str) -> bool:
    """As the reference: an element whose name contains "time" but not "offset" is a time."""
    lowered = name.lower()
    return "time" in lowered and "offset" not in lowered


def _element(node: Node, order: Order | None) -> str:
    """``name=value`` of one element followed by its ordered children; empty if nothing."""
    children = _ordered(node.children, order, top=False) if order else ""
    text = ""
    if node.text:
        text = node.text.strip()
        text = fix_time(text) if _is_time(node.name) else canonize(text)
        if text:
            text = "=" + text
    if text or children:
        return node.name + text + children
    return ""


def _ordered(children: list[Node], order: Order, *, top: bool) -> str:
    """Pieces of the named children in order; consumes what it used (the rest is a leftover).

    Extensions of a standard structure (readPoint, bizLocation, sensorElement, its metadata
    and reports) follow the structure's own fields; top-level ones go with the leftovers.
    """
    extensions = [] if top else [c for c in children if c.name.startswith("{")]
    by_name: dict[str, list[Node]] = {}
    for child in children:
        by_name.setdefault(child.name, []).append(child)
    consumed: set[int] = {id(c) for c in extensions}
    out = ""
    for name, sub in order:
        named = by_name.get(name)
        if not named:
            continue
        pieces = []
        for child in named:
            piece = _element(child, sub)
            if piece:
                pieces.append(piece)
            if not child.children:
                consumed.add(id(child))
        pieces.sort()
        out += "".join(pieces)
    if consumed:
        children[:] = [c for c in children if id(c) not in consumed]
    if extensions:
        out += _generic(extensions)
    return out


def _generic(children: list[Node]) -> str:
    """Every element with its name, text and children, sorted (extensions, ilmd, leftovers)."""
    pieces = []
    for child in children:
        if child.pair:
            pieces.append(child.text)
            continue
        text = child.text.strip()
        pieces.append(
            child.name + ("=" + canonize(text) if text else "") + _generic(child.children)
        )
    pieces.sort()
    return "".join(pieces)


def event_namespaces(
    event: Mapping[str, Any], namespaces: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Prefixes in force for an event: the standard ones, the event's @context, the caller's."""
    merged = dict(DEFAULT_NAMESPACES)
    context = event.get("@context")
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, Mapping):
            merged.update(
                {k: v for k, v in entry.items() if isinstance(v, str) and not k.startswith("@")}
            )
    merged.update(namespaces or {})
    return merged


def prehash(event: Mapping[str, Any], *, namespaces: Mapping[str, str] | None = None) -> str:
    """The CBV 2.0 pre-hash string of one EPCIS event (a JSON object).

    ``namespaces`` adds prefixes declared by an enclosing document's @context.
    """
    _, children = build(event, VOCAB_TREE, event_namespaces(event, namespaces))
    ordered = _ordered(children, EVENT_ORDER, top=True)
    rest = [c for c in children if c.name not in _NOT_HASHED]
    return f"eventType={event.get('type', '')}" + ordered + (_generic(rest) if rest else "")


def event_hash_id(event: Mapping[str, Any], *, namespaces: Mapping[str, str] | None = None) -> str:
    """``ni:///sha-256;<hex>?ver=CBV2.0`` of an EPCIS event.

    >>> event_hash_id({"type": "ObjectEvent", "eventTime": "2020-03-04T11:00:30+01:00",
    ...                "eventTimeZoneOffset": "+01:00", "epcList": [], "action": "OBSERVE"})[:22]
    'ni:///sha-256;db3d7a87'
    """
    digest = hashlib.sha256(prehash(event, namespaces=namespaces).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"
