"""Our structural rules on top of the schema, and documents."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cityhub.trace.epcis import EpcisError, Step, validate_document, validate_event
from cityhub.trace.epcis.vocab import CITY_VOCAB, EPCIS_CONTEXT_URL
from tests.trace.epcis.events import HARVEST, PACKING, PESTICIDE, PROCESSING, event
from tests.trace.epcis.reference import document

BAD_GTIN = "https://id.gs1.org/01/06901234000017/10/L1"


@pytest.mark.parametrize("good", [PESTICIDE, HARVEST, PACKING, PROCESSING])
def test_chain_events_are_valid(good: dict[str, Any]) -> None:
    validate_event(good)


def _rule_and_path(bad: Any) -> tuple[str, str]:
    with pytest.raises(EpcisError) as caught:
        validate_event(bad)
    return caught.value.details["rule"], caught.value.details["path"]


@pytest.mark.parametrize(
    ("bad", "path"),
    [
        (
            event(PESTICIDE, epcList=["urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"]),
            "$.epcList[0]",
        ),
        (event(HARVEST, quantityList=[{"epcClass": BAD_GTIN}]), "$.quantityList[0].epcClass"),
        (event(PACKING, parentID="urn:epc:id:sscc:0614141.123456789"), "$.parentID"),
        (event(PACKING, childEPCs=["https://example.com/crate/7"]), "$.childEPCs[0]"),
        (
            event(PROCESSING, inputQuantityList=[{"epcClass": "urn:epc:class:lgtin:123.4.L"}]),
            "$.inputQuantityList[0].epcClass",
        ),
    ],
)
def test_objects_are_named_by_gs1_identifiers(bad: dict[str, Any], path: str) -> None:
    assert _rule_and_path(bad) == ("identifier_not_gs1", path)


def test_city_steps_must_be_ours() -> None:
    assert _rule_and_path(event(HARVEST, bizStep=f"{CITY_VOCAB}BizStep-dancing")) == (
        "unknown_biz_step",
        "$.bizStep",
    )
    validate_event(event(HARVEST, bizStep="https://vocab.example.org/BizStep-sorting"))


@pytest.mark.parametrize("step", [Step.PESTICIDE_APPLYING, Step.FERTILISING])
def test_input_steps_need_the_input(step: Step) -> None:
    bad = event(PESTICIDE, bizStep=step.uri, **{"cityhub:agriInput": ...})
    assert _rule_and_path(bad) == ("agri_input_missing", '$["cityhub:agriInput"]')


def test_agri_input_errors_carry_the_path() -> None:
    agri = {**PESTICIDE["cityhub:agriInput"], "dose": 0}
    bad = event(PESTICIDE, **{"cityhub:agriInput": agri})
    assert _rule_and_path(bad) == ("agri_input_invalid", '$["cityhub:agriInput"].dose')


def test_validate_document_returns_validated_copies() -> None:
    doc = document(
        PESTICIDE, HARVEST, prefixes={"cityhub": "https://liaocheng.cityhub.example/epcis/"}
    )
    before = copy.deepcopy(doc)
    events = validate_document(doc)
    assert events == [PESTICIDE, HARVEST]  # standard prefixes only: no @context added
    events[0]["eventTime"] = "changed"
    assert doc == before


def test_document_prefixes_travel_with_the_events() -> None:
    own = event(HARVEST, **{"@context": [EPCIS_CONTEXT_URL, {"ex": "urn:x:"}]})
    doc = document(event(HARVEST, **{"example:grade": "A"}), own)
    first, second = validate_document(doc)
    assert first["@context"] == [EPCIS_CONTEXT_URL, {"example": "https://ns.example.com/epcis/"}]
    assert second["@context"] == own["@context"]


def test_not_a_document() -> None:
    with pytest.raises(EpcisError) as caught:
        validate_document(HARVEST)
    assert caught.value.details["path"] == "$.type"
