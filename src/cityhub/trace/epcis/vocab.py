"""CBV 2.0 and city vocabularies: business steps, bare-word expansion, namespace prefixes.

The CBV words and their web URIs come from the vendored GS1 JSON-LD context
(``schema/epcis-context.jsonld``), so the event hash expands ``"bizStep": "receiving"``
exactly as JSON-LD processing of the standard context would. CBV 2.0 has no farming steps;
ours live under ``CITY_VOCAB`` and our extension fields under ``CITY_NS`` (prefix
``cityhub:``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any, TypeAlias

from cityhub.trace.epcis.errors import EpcisError

CITY_VOCAB: str = "https://liaocheng.cityhub.example/voc/"
CITY_NS: str = "https://liaocheng.cityhub.example/epcis/"
CITY_PREFIX = "cityhub"
CBV = "https://ref.gs1.org/cbv/"
EPCIS_CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


@dataclass(frozen=True)
class Terms:
    """Bare words of one vocabulary-typed field and the URIs they stand for."""

    uris: dict[str, str]


# A field's value vocabulary (Terms) or, for objects and lists of objects, the vocabularies
# of their fields.
VocabContext: TypeAlias = dict[str, "Terms | VocabContext"]


def _load_context() -> dict[str, Any]:
    text = resources.files("cityhub.trace.epcis").joinpath("schema/epcis-context.jsonld")
    context: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))["@context"]
    return context


_CONTEXT = _load_context()
#: Prefixes of the standard EPCIS context plus ours; prefixed keys and values expand with them.
DEFAULT_NAMESPACES: dict[str, str] = {
    key: value
    for key, value in _CONTEXT.items()
    if isinstance(value, str) and not key.startswith("@") and value.endswith(("/", "#", ":"))
}
DEFAULT_NAMESPACES[CITY_PREFIX] = CITY_NS


def expand_curie(value: str, namespaces: dict[str, str]) -> str:
    """``cbv:BizStep-x`` → ``https://ref.gs1.org/cbv/BizStep-x``; other values unchanged."""
    prefix, sep, local = value.partition(":")
    if sep and prefix in namespaces:
        return namespaces[prefix] + local
    return value


def _terms(context: dict[str, Any]) -> Terms:
    return Terms(
        {
            word: expand_curie(curie, DEFAULT_NAMESPACES)
            for word, curie in context.items()
            if not word.startswith("@") and isinstance(curie, str)
        }
    )


def _sub(term: str, *path: str) -> dict[str, Any]:
    node: Any = _CONTEXT[term]
    for key in path:
        node = node[key]
    return node["@context"] if isinstance(node["@context"], dict) else node["@context"][0]


_SENSOR = ("@context", "sensorReport", "@context")
BIZ_STEPS = _terms(_sub("bizStep"))
DISPOSITIONS = _terms(_sub("disposition"))
VOCAB_TREE: VocabContext = {
    "bizStep": BIZ_STEPS,
    "disposition": DISPOSITIONS,
    "persistentDisposition": {"set": DISPOSITIONS, "unset": DISPOSITIONS},
    "bizTransactionList": {"type": _terms(_sub("bizTransactionList", "@context", "type"))},
    "sourceList": {"type": _terms(_sub("sourceList", "@context", "type"))},
    "destinationList": {"type": _terms(_sub("destinationList", "@context", "type"))},
    "sensorElementList": {
        "sensorReport": {
            "type": _terms(_sub("sensorElementList", *_SENSOR, "type")),
            "exception": _terms(_sub("sensorElementList", *_SENSOR, "exception")),
            "component": _terms(_sub("sensorElementList", *_SENSOR, "component")),
        }
    },
    "errorDeclaration": {"reason": _terms(_sub("errorDeclaration", "@context", "reason"))},
}


class Step(StrEnum):
    """Business steps we use: city farming steps and the CBV 2.0 steps of the supply chain.

    >>> Step.PLANTING.uri
    'https://liaocheng.cityhub.example/voc/BizStep-planting'
    >>> Step.SHIPPING.uri
    'https://ref.gs1.org/cbv/BizStep-shipping'
    """

    PLANTING = "planting"
    FERTILISING = "fertilising"
    PESTICIDE_APPLYING = "pesticide_applying"
    HARVESTING = "harvesting"
    FEEDING = "feeding"
    PROCESSING = "processing"
    COMMISSIONING = "commissioning"
    INSPECTING = "inspecting"
    SAMPLING = "sampling"
    PACKING = "packing"
    SHIPPING = "shipping"
    RECEIVING = "receiving"
    RETAIL_SELLING = "retail_selling"
    STORING = "storing"

    @property
    def is_city(self) -> bool:
        """True for the steps CBV 2.0 lacks, which live in our vocabulary."""
        return self.value not in BIZ_STEPS.uris

    @property
    def uri(self) -> str:
        """The step's web URI (CBV or city vocabulary)."""
        if self.is_city:
            return f"{CITY_VOCAB}BizStep-{self.value}"
        return BIZ_STEPS.uris[self.value]


_CITY_STEPS = {step.value for step in Step if step.is_city}


@lru_cache(maxsize=256)
def step_word(value: str) -> str | None:
    """The bare word of a CBV or city business step in any accepted form, else None."""
    for prefix in ("urn:epcglobal:cbv:bizstep:", f"{CBV}BizStep-", "cbv:BizStep-"):
        if value.startswith(prefix):
            word = value[len(prefix) :]
            return word if word in BIZ_STEPS.uris else None
    if value.startswith(f"{CITY_VOCAB}BizStep-"):
        word = value[len(CITY_VOCAB) + len("BizStep-") :]
        return word if word in _CITY_STEPS else None
    if value in BIZ_STEPS.uris or value in _CITY_STEPS:
        return value
    return None


def biz_step_uri(step: str) -> str:
    """Canonical URI of a business step given as bare word, CBV URN, CURIE or URI.

    >>> biz_step_uri("urn:epcglobal:cbv:bizstep:receiving")
    'https://ref.gs1.org/cbv/BizStep-receiving'
    """
    word = step_word(step)
    if word is None:
        raise EpcisError(
            f"unknown business step: {step!r}",
            rule="unknown_biz_step",
            path="$.bizStep",
            reason_zh="未知的业务步骤（bizStep）",
            reason_en="unknown business step (bizStep)",
        )
    if word in _CITY_STEPS:
        return f"{CITY_VOCAB}BizStep-{word}"
    return BIZ_STEPS.uris[word]
