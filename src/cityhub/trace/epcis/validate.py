"""Validation of EPCIS events and documents: the GS1 JSON Schema, then our structural rules.

Our rules on top of the schema: one of the five standard event types; GS1 identifiers
(with valid check digits) wherever an event names objects; city business steps from our
vocabulary; ``cityhub:agriInput`` well formed, and present where the step applies an input.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from fastjsonschema import JsonSchemaValueException

from cityhub.trace.epcis.agri_input import AGRI_INPUT, check_agri_input
from cityhub.trace.epcis.errors import EpcisError
from cityhub.trace.epcis.gs1 import normalise_id
from cityhub.trace.epcis.schema import EVENT_TYPES, document_shell_validator, event_validator
from cityhub.trace.epcis.schema_errors import json_path, schema_error
from cityhub.trace.epcis.vocab import CITY_VOCAB, DEFAULT_NAMESPACES, EPCIS_CONTEXT_URL, step_word

_ID_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
_NEEDS_INPUT = frozenset({"pesticide_applying", "fertilising"})


def _structure_error(rule: str, path: str, zh: str, en: str) -> EpcisError:
    return EpcisError(en, rule=rule, path=path, reason_zh=zh, reason_en=en)


def _check_id(value: Any, path: str, steps: list[str | int]) -> None:
    try:
        normalise_id(value)
    except EpcisError as exc:
        where = json_path(path, steps)  # built only on failure: this runs for every object
        raise _structure_error(
            "identifier_not_gs1",
            where,
            "须为 GS1 标识（数字链接或 EPC URN，校验位正确）",
            f"{where} must be a GS1 identifier: {exc.details['reason_en']}",
        ) from exc


def _check_identifiers(event: Mapping[str, Any], path: str) -> None:
    if "parentID" in event:
        _check_id(event["parentID"], path, ["parentID"])
    for name in _ID_LISTS:
        for i, value in enumerate(event.get(name, ())):
            _check_id(value, path, [name, i])
    for name in _QUANTITY_LISTS:
        for i, element in enumerate(event.get(name, ())):
            _check_id(element["epcClass"], path, [name, i, "epcClass"])


def _check_steps(event: Mapping[str, Any], path: str) -> str | None:
    step = event.get("bizStep")
    if step is None:
        return None
    word = step_word(step)
    if word is None and step.startswith(CITY_VOCAB):
        raise _structure_error(
            "unknown_biz_step",
            json_path(path, ["bizStep"]),
            "未知的本市业务步骤",
            "unknown city bizStep",
        )
    return word


def _check_schema(event: Mapping[str, Any], path: str) -> None:
    event_type = event["type"]
    try:
        event_validator(event_type)(event)
    except JsonSchemaValueException:
        try:
            event_validator(event_type, detailed=True)(event)
        except JsonSchemaValueException as exc:
            raise schema_error(event, exc, path) from None
        raise  # the detailed validator must agree; if it does not, fail loudly


def validate_event(event: Mapping[str, Any], *, path: str = "$") -> None:
    """Check one EPCIS event against the GS1 schema and our rules; EpcisError names the path."""
    if type(event) is not dict and not isinstance(event, Mapping):
        raise _structure_error(
            "schema", path, "事件须为 JSON 对象", "an event must be a JSON object"
        )
    event_type = event.get("type")
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        raise _structure_error(
            "unknown_event_type",
            json_path(path, ["type"]),
            "事件类型须为 ObjectEvent、AggregationEvent、TransformationEvent、"
            "AssociationEvent 或 TransactionEvent",
            f"unknown event type {event_type!r}",
        )
    _check_schema(event, path)
    _check_identifiers(event, path)
    word = _check_steps(event, path)
    agri = event.get(AGRI_INPUT)
    if agri is None and word in _NEEDS_INPUT:
        raise _structure_error(
            "agri_input_missing",
            json_path(path, [AGRI_INPUT]),
            "施肥、施药事件须记录投入品（cityhub:agriInput）",
            "fertilising and pesticide events need cityhub:agriInput",
        )
    if agri is not None:
        where = f'{path}["{AGRI_INPUT}"]'
        check_agri_input(agri, where, pesticide=word == "pesticide_applying")


def document_namespaces(doc: Mapping[str, Any]) -> dict[str, str]:
    """Prefixes a document's @context declares (inline objects only)."""
    context = doc.get("@context")
    out: dict[str, str] = {}
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, Mapping):
            out.update(
                {k: v for k, v in entry.items() if isinstance(v, str) and not k.startswith("@")}
            )
    return out


def validate_document(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Validate an EPCISDocument and return (copies of) its events, each validated.

    Prefixes the document declares beyond the standard ones are copied into each event's
    own ``@context``: a signed event then still names its extensions without the document.
    """
    if not isinstance(doc, Mapping) or doc.get("type") != "EPCISDocument":
        raise _structure_error(
            "schema", "$.type", "须为 EPCISDocument", "expected an object with type EPCISDocument"
        )
    try:
        document_shell_validator()(doc)
    except JsonSchemaValueException:
        try:
            document_shell_validator(detailed=True)(doc)
        except JsonSchemaValueException as exc:
            raise schema_error(doc, exc, "$") from None
        raise
    extra = {
        prefix: iri
        for prefix, iri in document_namespaces(doc).items()
        if DEFAULT_NAMESPACES.get(prefix) != iri
    }
    events = []
    for i, event in enumerate(doc["epcisBody"]["eventList"]):
        validate_event(event, path=f"$.epcisBody.eventList[{i}]")
        copied = copy.deepcopy(dict(event))
        if extra and "@context" not in copied:
            copied["@context"] = [EPCIS_CONTEXT_URL, dict(extra)]
        events.append(copied)
    return events
