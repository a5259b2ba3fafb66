"""The vendored GS1 schema: GS1's own examples pass, and our fast rewrite changes no verdict."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fastjsonschema import JsonSchemaValueException
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.trace.epcis import schema
from tests.trace.epcis.strategies import epcis_events

GS1_EXAMPLES = Path(__file__).parent / "data" / "gs1_examples"
SCHEMA_DIR = Path(schema.__file__).parent / "schema"


def _documents() -> list[dict[str, Any]]:
    docs = [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted(GS1_EXAMPLES.glob("*.jsonld"))
    ]
    return [d for d in docs if d["type"] == "EPCISDocument"]


def _events() -> list[dict[str, Any]]:
    return [e for d in _documents() for e in d["epcisBody"]["eventList"]]


def _accepts(validator: schema.Validator, value: Any) -> bool:
    try:
        validator(value)
    except JsonSchemaValueException:
        return False
    return True


def _fast_accepts(event: Any) -> bool:
    """Our dispatch as validate.py does it (after its type check)."""
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return False
    return _accepts(schema.event_validator(event["type"]), event)


def test_every_file_the_schema_references_is_vendored() -> None:
    refs = set()
    for doc in schema.original_resources().values():
        text = json.dumps(doc)
        refs |= {part.split('"')[0].split("#")[0] for part in text.split('"$ref": "')[1:]}
    assert refs <= set(schema.original_resources())
    assert (SCHEMA_DIR / "NOTICE").exists()
    assert len(list((SCHEMA_DIR / "schemas").glob("*.json"))) == 15


def test_gs1_examples_are_valid() -> None:
    events = _events()
    assert len(events) >= 50
    assert all(_accepts(schema.full_event_validator(), e) for e in events)
    assert all(_fast_accepts(e) for e in events)
    for doc in _documents():
        assert _accepts(schema.document_shell_validator(), doc)


_MUTATIONS = ["drop", "junk", "type", "string", "number", "list", "prefixed", "null"]


def _mutate(event: dict[str, Any], how: str, key: str) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    if how == "drop":
        changed.pop(key, None)
    elif how == "junk":
        changed[key + "Junk"] = 1
    elif how == "prefixed":
        changed["example:" + key] = {"a": 1}
    else:
        changed[key] = {
            "type": "FooEvent",
            "string": "x y",
            "number": 3.5,
            "list": [],
            "null": None,
        }[how]
    return changed


@settings(max_examples=300, deadline=None)
@given(data=st.data(), how=st.sampled_from(_MUTATIONS))
def test_rewrite_keeps_every_verdict_on_gs1_events(data: st.DataObject, how: str) -> None:
    event = data.draw(st.sampled_from(_events()))
    key = data.draw(st.sampled_from(sorted(event)))
    changed = _mutate(event, how, key)
    assert _fast_accepts(changed) == _accepts(schema.full_event_validator(), changed)


@settings(max_examples=100, deadline=None)
@given(event=epcis_events(), data=st.data(), how=st.sampled_from(_MUTATIONS))
def test_rewrite_keeps_every_verdict_on_generated_events(
    event: dict[str, Any], data: st.DataObject, how: str
) -> None:
    assert _fast_accepts(event) and _accepts(schema.full_event_validator(), event)
    changed = _mutate(event, how, data.draw(st.sampled_from(sorted(event))))
    assert _fast_accepts(changed) == _accepts(schema.full_event_validator(), changed)


@pytest.mark.parametrize("event_type", sorted(schema.EVENT_TYPES))
def test_optimised_and_original_definitions_agree_per_type(event_type: str) -> None:
    for event in _events():
        same_type = {**event, "type": event_type}
        fast = _accepts(schema.event_validator(event_type), same_type)
        original = _accepts(schema.event_validator(event_type, optimised=False), same_type)
        assert fast == original


def test_shell_checks_the_document_but_not_its_events() -> None:
    doc = _documents()[0]
    broken_event = copy.deepcopy(doc)
    broken_event["epcisBody"]["eventList"][0].pop("eventTime")
    assert _accepts(schema.document_shell_validator(), broken_event)
    no_date = {k: v for k, v in doc.items() if k != "creationDate"}
    assert not _accepts(schema.document_shell_validator(), no_date)


def test_warm_up_compiles_every_type() -> None:
    schema.warm_up()
    before = schema.event_validator.cache_info().hits
    for event_type in schema.EVENT_TYPES:
        schema.event_validator(event_type)
    assert schema.event_validator.cache_info().hits == before + len(schema.EVENT_TYPES)
