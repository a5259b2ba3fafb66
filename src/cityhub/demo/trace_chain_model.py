"""What the demo traceability generator returns, and the GS1 identifiers it is built from.

Identifiers follow GS1 General Specifications: GTIN-14, GLN-13 and SSCC-18 end in the mod-10
check digit (weights 3 and 1 from the right), company prefixes are GS1 China's (690-699). Batches
are written as GS1 Digital Link URIs, parties and locations as ``/417/`` and ``/414/`` URIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

DIGITAL_LINK = "https://id.gs1.org"
CITY_VOCABULARY = "https://liaocheng.cityhub.example/voc/"
CITY_EXTENSIONS = "https://liaocheng.cityhub.example/epcis/"
# The JSON-LD context of a document holding the events. Events carry none of their own: the
# reference event-hash generator (1.9.3) would hash an event-level @context as an extension.
DOCUMENT_CONTEXT: list[Any] = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"cityhub": CITY_EXTENSIONS},
]
CHINA = timezone(timedelta(hours=8))
OFFSET = "+08:00"


@dataclass(frozen=True)
class DemoActor:
    """A party of the demo chains: an enterprise, a cooperative or one natural-person farmer.

    ``ref`` is the 统一社会信用代码, or a 自然人主体码 for the farmer; ``gln`` names both the
    party (``/417/``) and its one location (``/414/``); ``department`` is the platform's short
    name of the department that supervises it.
    """

    ref: str
    name_zh: str
    name_en: str
    kind: str  # producer, processor, logistics, retailer, lab, supplier
    county: str
    lon: float
    lat: float
    gln: str
    department: str


@dataclass(frozen=True)
class DemoProduct:
    """Master data of a GTIN used in the events (EPCIS events carry no product names)."""

    gtin: str
    name_zh: str
    name_en: str
    owner: str  # actor ref of the brand owner


@dataclass(frozen=True)
class DemoEvent:
    """One EPCIS 2.0 event (without ``eventID``) and the actor that records and signs it."""

    recorder: str
    event: dict[str, Any]
    product: str  # ejiao, pear, vegetable


@dataclass(frozen=True)
class DemoTrace:
    """The demo city's traceability data, in event-time order."""

    actors: tuple[DemoActor, ...]
    events: tuple[DemoEvent, ...]
    contaminated_lot: str
    expected_recall_retailers: tuple[str, ...]
    expected_recall_products: tuple[str, ...]
    products: tuple[DemoProduct, ...] = ()
    product_lots: tuple[str, ...] = ()  # the consumer lots: 阿胶, 鸭梨 and vegetable lots


def check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of ``body`` (weights 3, 1, 3 … from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str(-total % 10)


def gtin(prefix: str, item: int) -> str:
    """GTIN-14 (indicator 0) of item ``item`` of an 8-digit company prefix."""
    body = f"0{prefix}{item:04d}"
    return body + check_digit(body)


def gln(prefix: str, location: int = 1) -> str:
    """GLN-13 of location ``location`` of an 8-digit company prefix."""
    body = f"{prefix}{location:04d}"
    return body + check_digit(body)


def sscc(prefix: str, serial: int) -> str:
    """SSCC-18 (extension digit 0) of serial reference ``serial``."""
    body = f"0{prefix}{serial:08d}"
    return body + check_digit(body)


def lot_uri(gtin14: str, lot: str) -> str:
    """The GS1 Digital Link URI of a batch."""
    return f"{DIGITAL_LINK}/01/{gtin14}/10/{lot}"


def sscc_uri(code: str) -> str:
    """The GS1 Digital Link URI of a logistic unit."""
    return f"{DIGITAL_LINK}/00/{code}"


def party(actor: DemoActor) -> str:
    """The actor as a party (GLN of the legal entity, AI 417)."""
    return f"{DIGITAL_LINK}/417/{actor.gln}"


def place(actor: DemoActor) -> dict[str, str]:
    """The actor's location as a readPoint / bizLocation (GLN, AI 414)."""
    return {"id": f"{DIGITAL_LINK}/414/{actor.gln}"}


def stamp(at: datetime) -> str:
    """ISO 8601 time in China Standard Time, e.g. 2026-05-10T08:30:00+08:00."""
    return at.astimezone(CHINA).isoformat(timespec="seconds")


def city_step(name: str) -> str:
    """A bizStep of the city vocabulary (CBV 2.0 has none for farming)."""
    return f"{CITY_VOCABULARY}BizStep-{name}"
