"""The vendored GS1 EPCIS 2.0 JSON Schema, compiled with fastjsonschema and resolved locally.

Two semantics-preserving rewrites make validation several times faster (measured in
``tests/trace/epcis/test_schema.py``, which also checks that the rewritten and the
original schema accept and reject the same events):

* an event is checked against the definition for its ``type`` directly, which is what the
  ``if``/``then`` chain of ``EPCIS-Document-Event`` selects anyway;
* nested ``anyOf`` lists are flattened and their string ``enum`` branches merged and tried
  first, so the common case (a standard field name, a bare CBV word) needs no exception.

A failing value is validated again with a detailed validator to say where and why.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

import fastjsonschema

BASE = "https://gs1.github.io/EPCIS/JSON-Schema/"
EVENT_SCHEMA = BASE + "EPCIS-Event-JSON-Schema.json"
DOCUMENT_SCHEMA = BASE + "EPCIS-Document-JSON-Schema.json"
_DEFINITION = {
    "ObjectEvent": "schemas/ObjectEvent-JSON-Schema.json#/definitions/ObjectEvent",
    "AggregationEvent": "schemas/AggregationEvent-JSON-Schema.json#/definitions/AggregationEvent",
    "TransformationEvent": (
        "schemas/TransformationEvent-JSON-Schema.json#/definitions/TransformationEvent"
    ),
    "TransactionEvent": "schemas/TransactionEvent-JSON-Schema.json#/definitions/TransactionEvent",
    "AssociationEvent": "schemas/AssociationEvent-JSON-Schema.json#/definitions/AssociationEvent",
}
EVENT_TYPES = frozenset(_DEFINITION)
_EXTENDED = "schemas/event-definitions-JSON-Schema.json#/definitions/Extended-Event"
_DRAFT7 = "http://json-schema.org/draft-07/schema#"
Validator = Callable[[Any], Any]


def _absolutise(node: Any, base: str) -> Any:
    """Make every ``$ref`` absolute so subschemas can be moved between files."""
    if isinstance(node, dict):
        return {
            k: urljoin(base, v) if k == "$ref" else _absolutise(v, base) for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolutise(item, base) for item in node]
    return node


@cache
def original_resources() -> dict[str, dict[str, Any]]:
    """The vendored schema files by ``$id``, with absolute ``$ref`` values."""
    root = resources.files("cityhub.trace.epcis").joinpath("schema")
    files = [p for p in root.iterdir() if p.name.endswith(".json")]
    files += [p for p in root.joinpath("schemas").iterdir() if p.name.endswith(".json")]
    out = {}
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        out[doc["$id"]] = _absolutise(doc, doc["$id"])
    return out


def _resolve(store: Mapping[str, Any], ref: str) -> Any:
    uri, fragment = urldefrag(ref)
    node = store[uri]
    for part in unquote(fragment).split("/")[1:]:
        node = node[part]
    return node


def _flatten(node: Any, store: Mapping[str, Any]) -> Any:
    if isinstance(node, list):
        return [_flatten(item, store) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _flatten(value, store) for key, value in node.items()}
    if "anyOf" in node:
        branches: list[Any] = []
        todo = list(node["anyOf"])
        while todo:
            branch = todo.pop(0)
            target = _resolve(store, branch["$ref"]) if set(branch) == {"$ref"} else branch
            if isinstance(target, dict) and set(target) == {"anyOf"}:
                # anyOf(anyOf(a, b), c) = anyOf(a, b, c)
                todo = list(_flatten(target, store)["anyOf"]) + todo
                continue
            branches.append(branch)
        enums = [b for b in branches if set(b) == {"type", "enum"} and b["type"] == "string"]
        rest = [b for b in branches if b not in enums]
        if enums:  # anyOf(enum a, enum b, c) = anyOf(enum a+b, c), and try the cheap one first
            rest.insert(0, {"type": "string", "enum": [word for b in enums for word in b["enum"]]})
        node["anyOf"] = rest
    return node


@cache
def optimised_resources() -> dict[str, dict[str, Any]]:
    """The schema files after the anyOf rewrite (see the module docstring)."""
    store = original_resources()
    return {uri: _flatten(doc, store) for uri, doc in store.items()}


def _compile(ref: str, store: Mapping[str, Any], detailed: bool) -> Validator:
    def handler(uri: str) -> Any:
        return store[urldefrag(uri)[0]]

    root = {"$schema": _DRAFT7, "$ref": ref}
    validator: Validator = fastjsonschema.compile(
        root, handlers={"https": handler}, detailed_exceptions=detailed
    )
    return validator


def _shell_store() -> dict[str, Any]:
    """Schemas for a document whose events are checked one by one (any object passes here)."""
    store = dict(optimised_resources())
    events = json.loads(json.dumps(store[EVENT_SCHEMA]))
    events["definitions"]["EPCIS-Document-Event"] = {"type": "object"}
    store[EVENT_SCHEMA] = events
    return store


@cache
def event_validator(
    event_type: str, *, detailed: bool = False, optimised: bool = True
) -> Validator:
    """Validator of one event type (an unknown type gets the Extended-Event definition)."""
    store = optimised_resources() if optimised else original_resources()
    return _compile(BASE + _DEFINITION.get(event_type, _EXTENDED), store, detailed)


def warm_up() -> None:
    """Compile the event validators now (about 0.1 s each) rather than on the first event."""
    for event_type in EVENT_TYPES:
        event_validator(event_type)


@cache
def full_event_validator() -> Validator:
    """The unmodified ``EPCIS-Document-Event`` definition (for equivalence tests)."""
    return _compile(
        EVENT_SCHEMA + "#/definitions/EPCIS-Document-Event", original_resources(), False
    )


@cache
def document_shell_validator(*, detailed: bool = False) -> Validator:
    """``EPCISDocument`` without checking its events."""
    return _compile(DOCUMENT_SCHEMA + "#/definitions/epcisDocument", _shell_store(), detailed)


@cache
def subschema_validator(definition_json: str) -> Validator:
    """A validator for a fragment taken from an error (e.g. a ``propertyNames`` schema)."""
    store = optimised_resources()
    definition = json.loads(definition_json)

    def handler(uri: str) -> Any:
        return store[urldefrag(uri)[0]]

    validator: Validator = fastjsonschema.compile(
        {"$schema": _DRAFT7, **definition}, handlers={"https": handler}
    )
    return validator
