"""Business steps (CBV and city), bare-word vocabularies, namespace prefixes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cityhub.trace.epcis import CITY_NS, CITY_VOCAB, EpcisError, Step, biz_step_uri
from cityhub.trace.epcis.vocab import BIZ_STEPS, DEFAULT_NAMESPACES, VOCAB_TREE, Terms, step_word

SCHEMAS = Path(__file__).parents[3] / "src/cityhub/trace/epcis/schema/schemas"


def test_city_and_cbv_steps() -> None:
    city = {s.value for s in Step if s.is_city}
    assert city == {
        "planting",
        "fertilising",
        "pesticide_applying",
        "harvesting",
        "feeding",
        "processing",
    }
    assert not city & set(BIZ_STEPS.uris)  # CBV 2.0 has no farming steps
    assert Step.HARVESTING.uri == "https://liaocheng.cityhub.example/voc/BizStep-harvesting"
    assert Step.RETAIL_SELLING.uri == "https://ref.gs1.org/cbv/BizStep-retail_selling"
    assert Step("storing") is Step.STORING
    assert CITY_VOCAB.endswith("/voc/") and CITY_NS.endswith("/epcis/")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("receiving", "https://ref.gs1.org/cbv/BizStep-receiving"),
        ("urn:epcglobal:cbv:bizstep:receiving", "https://ref.gs1.org/cbv/BizStep-receiving"),
        ("cbv:BizStep-receiving", "https://ref.gs1.org/cbv/BizStep-receiving"),
        ("https://ref.gs1.org/cbv/BizStep-receiving", "https://ref.gs1.org/cbv/BizStep-receiving"),
        ("creating_class_instance", "https://ref.gs1.org/cbv/BizStep-creating_class_instance"),
        ("planting", f"{CITY_VOCAB}BizStep-planting"),
        (f"{CITY_VOCAB}BizStep-pesticide_applying", f"{CITY_VOCAB}BizStep-pesticide_applying"),
        (Step.FEEDING, f"{CITY_VOCAB}BizStep-feeding"),
    ],
)
def test_biz_step_uri(given: str, expected: str) -> None:
    assert biz_step_uri(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "dancing",
        "urn:epcglobal:cbv:bizstep:dancing",
        f"{CITY_VOCAB}BizStep-shipping",
        "https://x.org/s",
        "",
    ],
)
def test_biz_step_uri_refuses(given: str) -> None:
    with pytest.raises(EpcisError) as caught:
        biz_step_uri(given)
    assert caught.value.details["rule"] == "unknown_biz_step"
    assert step_word(given) is None


def _enum(name: str, definition: str) -> set[str]:
    schema = json.loads((SCHEMAS / f"{name}-JSON-Schema.json").read_text())
    branches = schema["definitions"][definition]["anyOf"]
    return {word for branch in branches for word in branch.get("enum", [])}


def _terms(*path: str) -> Terms:
    node: object = VOCAB_TREE
    for key in path:
        assert isinstance(node, dict)
        node = node[key]
    assert isinstance(node, Terms)
    return node


@pytest.mark.parametrize(
    ("schema_name", "definition", "path"),
    [
        ("bizStep", "bizStep", ("bizStep",)),
        ("disposition", "disposition", ("disposition",)),
        ("bizTransaction-type", "bizTransaction-type", ("bizTransactionList", "type")),
        ("source-dest-type", "source-dest-type", ("sourceList", "type")),
        ("error-reason", "error-reason", ("errorDeclaration", "reason")),
    ],
)
def test_every_schema_word_expands(
    schema_name: str, definition: str, path: tuple[str, ...]
) -> None:
    """The vendored schema and JSON-LD context agree on the CBV words."""
    terms = _terms(*path)
    assert _enum(schema_name, definition) <= set(terms.uris)
    assert all(uri.startswith("https://ref.gs1.org/cbv/") for uri in terms.uris.values())


def test_sensor_vocabularies() -> None:
    report = ("sensorElementList", "sensorReport")
    assert _terms(*report, "type").uris["Temperature"] == "https://gs1.org/voc/Temperature"
    alert = _terms(*report, "exception").uris["ALARM_CONDITION"]
    assert alert == "https://gs1.org/voc/ALARM_CONDITION"
    latitude = _terms(*report, "component").uris["latitude"]
    assert latitude == "https://ref.gs1.org/cbv/Comp-latitude"


def test_default_namespaces() -> None:
    assert DEFAULT_NAMESPACES["cbvmda"] == "urn:epcglobal:cbv:mda:"
    assert DEFAULT_NAMESPACES["gs1"] == "https://gs1.org/voc/"
    assert DEFAULT_NAMESPACES["cityhub"] == CITY_NS
    assert "ObjectEvent" not in DEFAULT_NAMESPACES and "id" not in DEFAULT_NAMESPACES
