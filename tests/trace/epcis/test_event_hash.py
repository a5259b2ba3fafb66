"""CBV 2.0 event hash: the reference vector, every shipped example, normalisation rules."""

from __future__ import annotations

import copy
import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.trace.epcis import event_hash_id, prehash
from cityhub.trace.epcis.event_hash import event_namespaces
from cityhub.trace.epcis.validate import document_namespaces
from tests.trace.epcis.strategies import epcis_events

EXAMPLES = Path(__file__).parent / "data" / "hash_examples"
# Hashes that depend on the generator's non-standard "ignoreFields" document member (added
# after 1.9.3, for one repository's internal fields); CBV 2.0 has no such rule.
NON_STANDARD = {"epcisDocHavingEventWithIgnoreFields", "epcisQueryDocHavingEventWithIgnoreFields"}


def _events(doc: dict[str, Any]) -> list[dict[str, Any]]:
    body = doc["epcisBody"]
    if "eventList" in body:
        events: list[dict[str, Any]] = body["eventList"]
    else:
        events = body["queryResults"]["resultsBody"]["eventList"]
    return events


def _cases() -> list[Any]:
    cases = []
    for path in sorted(EXAMPLES.glob("*.jsonld")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        hashes = path.with_suffix(".hashes").read_text().splitlines()
        pre = path.with_suffix(".prehashes")
        prehashes = pre.read_text(encoding="utf-8").splitlines() if pre.exists() else []
        for i, event in enumerate(_events(doc)):
            marks = []
            if path.stem in NON_STANDARD and i == 0:
                marks.append(pytest.mark.skip(reason="uses the non-standard ignoreFields member"))
            shipped_pre = prehashes[i] if i < len(prehashes) else None
            case = (event, document_namespaces(doc), hashes[i], shipped_pre)
            cases.append(pytest.param(*case, id=f"{path.stem}[{i}]", marks=marks))
    return cases


VECTOR = "ni:///sha-256;6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7?ver=CBV2.0"


def test_reference_vector() -> None:
    doc = json.loads((EXAMPLES / "ReferenceEventHashAlgorithm.jsonld").read_text())
    event, namespaces = doc["epcisBody"]["eventList"][0], document_namespaces(doc)
    expected = (EXAMPLES / "ReferenceEventHashAlgorithm.prehashes").read_text().strip()
    assert prehash(event, namespaces=namespaces) == expected
    assert event_hash_id(event, namespaces=namespaces) == VECTOR
    assert f"ni:///sha-256;{hashlib.sha256(expected.encode()).hexdigest()}?ver=CBV2.0" == VECTOR


@pytest.mark.parametrize(("event", "namespaces", "expected", "shipped_prehash"), _cases())
def test_shipped_examples(
    event: dict[str, Any], namespaces: dict[str, str], expected: str, shipped_prehash: str | None
) -> None:
    assert event_hash_id(event, namespaces=namespaces) == expected
    # Some shipped .prehashes files are stale; compare only those that hash to the vector.
    if shipped_prehash is not None:
        digest = hashlib.sha256(shipped_prehash.encode()).hexdigest()
        if expected == f"ni:///sha-256;{digest}?ver=CBV2.0":
            assert prehash(event, namespaces=namespaces) == shipped_prehash


def test_enough_examples_are_checked() -> None:
    assert len(_cases()) >= 40


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = [(k, _shuffled(v, rng)) for k, v in value.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        items = [_shuffled(v, rng) for v in value]
        rng.shuffle(items)
        return items
    return value


@settings(max_examples=60, deadline=None)
@given(event=epcis_events(), seed=st.integers(0, 2**32))
def test_hash_ignores_key_and_list_order(event: dict[str, Any], seed: int) -> None:
    assert event_hash_id(_shuffled(event, random.Random(seed))) == event_hash_id(event)


@settings(max_examples=60, deadline=None)
@given(event=epcis_events(), ignored=st.sampled_from(["eventID", "recordTime", "errorDeclaration"]))
def test_hash_ignores_eventid_recordtime_and_error_declaration(
    event: dict[str, Any], ignored: str
) -> None:
    changed = copy.deepcopy(event)
    changed[ignored] = (
        {"declarationTime": "2025-01-01T00:00:00Z"} if ignored == "errorDeclaration" else "x"
    )
    assert event_hash_id(changed) == event_hash_id(event)


BASE_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2025-06-01T08:00:00.000+08:00",
    "eventTimeZoneOffset": "+08:00",
    "action": "OBSERVE",
    "quantityList": [
        {"epcClass": "urn:epc:class:lgtin:6901234.000001.L1", "quantity": 12.5, "uom": "KGM"}
    ],
    "cityhub:agriInput": {"name": "吡虫啉", "dose": 2},
}


@pytest.mark.parametrize(
    "change",
    [
        {"eventTime": "2025-06-01T08:00:00.001+08:00"},
        {"eventTimeZoneOffset": "+09:00"},
        {"action": "ADD"},
        {"quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.000001.L2", "quantity": 12.5}]},
        {"cityhub:agriInput": {"name": "吡虫啉", "dose": 3}},
        {"cityhub:other": "x"},
        {"bizStep": "shipping"},
    ],
)
def test_any_change_changes_the_hash(change: dict[str, Any]) -> None:
    assert event_hash_id({**BASE_EVENT, **change}) != event_hash_id(BASE_EVENT)


def test_equivalent_forms_hash_alike() -> None:
    dl = {
        "epcClass": "https://liaocheng.cityhub.example/01/06901234000016/10/L1",
        "quantity": 12.50,
    }
    urn = {"epcClass": "urn:epc:class:lgtin:6901234.000001.L1", "quantity": 12.5}
    first = {**BASE_EVENT, "quantityList": [dl], "bizStep": "receiving"}
    second = {**BASE_EVENT, "quantityList": [urn], "bizStep": "urn:epcglobal:cbv:bizstep:receiving"}
    second["eventTime"] = "2025-06-01T00:00:00Z"
    assert event_hash_id(first) == event_hash_id(second)


def test_prefixes_come_from_the_event_context_and_the_caller() -> None:
    event = {**BASE_EVENT, "@context": [{"ex": "https://ns.example.com/"}], "ex:f": "1"}
    assert "{https://ns.example.com/}f=1" in prehash(event)
    assert event_namespaces(event, {"ex": "urn:other:"})["ex"] == "urn:other:"
    assert "{https://liaocheng.cityhub.example/epcis/}agriInput" in prehash(BASE_EVENT)
