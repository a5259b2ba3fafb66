"""Keys and a small hand-built chain for the domain tests.

farm: planting creates crop lot C; fertilising C with fertiliser lot F (from the supplier);
harvesting C → raw lot R; shipping R. processor: receiving R; processing R + additive lot A
→ product lot P; packing P on pallet S; shipping S. retailer A receives S; retailer B receives
and sells P directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.trace.epcis import lgtin_uri, sscc_uri
from cityhub.trace.events import Recorded, record_events, seal_event
from cityhub.trace.keys import register_key
from cityhub.trace.log import TraceLog
from cityhub.trace.note import NoteSigner, generate_signer
from cityhub.trace.statements import key_statement, sign_statement
from tests.trace.people import Cast, cast

CITY = "https://liaocheng.cityhub.example/voc/BizStep-"
START = datetime(2026, 5, 1, 0, 0, tzinfo=UTC)

FERTILISER = lgtin_uri("06901234000023", "F1")
ADDITIVE = lgtin_uri("06901234000030", "A1")
CROP = lgtin_uri("06901234000047", "C1")
RAW = lgtin_uri("06901234000054", "R1")
PRODUCT = lgtin_uri("06901234000061", "P1")
PALLET = sscc_uri("069012340000000016")


def at(hours: float) -> str:
    """An eventTime ``hours`` after the start, in China time."""
    local = START + timedelta(hours=hours + 8)
    return local.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def new_key(db: Database, log: TraceLog, ref: str, name: str | None = None) -> NoteSigner:
    """A fresh key for actor ``ref``, registered by the system."""
    signer = generate_signer(name or f"test.{ref[-8:].replace(':', '')}")
    statement = key_statement("register", ref, vkey=signer.verifier().vkey())
    register_key(db, log, Actor.system(), ref, sign_statement(statement, [signer]))
    return signer


def event(kind: str, hours: float, step: str, **fields: Any) -> dict[str, Any]:
    """An EPCIS event body; ``step`` a CBV word or a city step (prefixed ``city:``)."""
    body: dict[str, Any] = {
        "type": kind,
        "eventTime": at(hours),
        "eventTimeZoneOffset": "+08:00",
        "bizStep": CITY + step[5:] if step.startswith("city:") else step,
    }
    body.update(fields)
    return body


def qty(lot: str, amount: float = 100, uom: str = "KGM") -> dict[str, Any]:
    return {"epcClass": lot, "quantity": amount, "uom": uom}


def agri_input(lot: str, *, pesticide: bool = False, day: str = "2026-05-01") -> dict[str, Any]:
    return {
        "name": "吡虫啉" if pesticide else "复合肥",
        "registrationNumber": "PD20070001" if pesticide else "鲁农肥（2020）准字0001号",
        "source": "聊城农资公司",
        "lot": lot,
        "dose": 1.5,
        "uom": "KGM",
        "method": "喷雾" if pesticide else "撒施",
        "startDate": day,
        "endDate": day,
        **({"safetyIntervalDays": 14} if pesticide else {}),
    }


@dataclass
class Chain:
    """The cast, its keys and the recorded chain."""

    people: Cast
    keys: dict[str, NoteSigner]
    recorded: list[Recorded]


def chain_events(keys: dict[str, NoteSigner]) -> list[dict[str, Any]]:
    """The chain's signed envelopes, in order."""
    add, observe = {"action": "ADD"}, {"action": "OBSERVE"}
    steps: list[tuple[str, dict[str, Any]]] = [
        (
            "supplier",
            event("ObjectEvent", 0, "commissioning", quantityList=[qty(FERTILISER)], **add),
        ),
        ("supplier", event("ObjectEvent", 1, "commissioning", quantityList=[qty(ADDITIVE)], **add)),
        (
            "farm",
            event("ObjectEvent", 2, "city:planting", quantityList=[qty(CROP, 200, "H87")], **add),
        ),
        (
            "farm",
            event(
                "ObjectEvent",
                30,
                "city:fertilising",
                quantityList=[qty(CROP, 200, "H87")],
                **observe,
                **{"cityhub:agriInput": agri_input(FERTILISER)},
            ),
        ),
        (
            "farm",
            event(
                "TransformationEvent",
                900,
                "city:harvesting",
                inputQuantityList=[qty(CROP, 200, "H87")],
                outputQuantityList=[qty(RAW, 900)],
            ),
        ),
        ("farm", event("ObjectEvent", 901, "shipping", quantityList=[qty(RAW, 900)], **observe)),
        (
            "processor",
            event("ObjectEvent", 904, "receiving", quantityList=[qty(RAW, 900)], **observe),
        ),
        (
            "processor",
            event(
                "TransformationEvent",
                910,
                "city:processing",
                inputQuantityList=[qty(RAW, 900), qty(ADDITIVE, 10)],
                outputQuantityList=[qty(PRODUCT, 800)],
            ),
        ),
        (
            "processor",
            event(
                "AggregationEvent",
                911,
                "packing",
                parentID=PALLET,
                childQuantityList=[qty(PRODUCT, 500)],
                **add,
            ),
        ),
        ("processor", event("ObjectEvent", 912, "shipping", epcList=[PALLET], **observe)),
        ("retailer_a", event("ObjectEvent", 915, "receiving", epcList=[PALLET], **observe)),
        (
            "retailer_b",
            event("ObjectEvent", 916, "receiving", quantityList=[qty(PRODUCT, 300)], **observe),
        ),
        (
            "retailer_b",
            event("ObjectEvent", 920, "retail_selling", quantityList=[qty(PRODUCT, 2)], **observe),
        ),
    ]
    return [seal_event(body, keys[who]) for who, body in steps]


def keys_for(db: Database, log: TraceLog, people: Cast) -> dict[str, NoteSigner]:
    """One registered key per actor of the cast."""
    names = ("farm", "processor", "supplier", "retailer_a", "retailer_b", "carrier", "farmer")
    return {name: new_key(db, log, getattr(people, name)) for name in names}


def build_chain(db: Database, log: TraceLog) -> Chain:
    """Register the cast and their keys and record the whole chain (as the system)."""
    people = cast(db)
    keys = keys_for(db, log, people)
    recorded = record_events(
        db, log, Actor.system(), chain_events(keys), now=START + timedelta(days=60)
    )
    return Chain(people, keys, recorded)
