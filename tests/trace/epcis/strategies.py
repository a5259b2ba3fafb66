"""Hypothesis strategies: GS1 identifiers and schema-valid EPCIS events with our extensions.

Generated values avoid the inputs on which the reference hash knowingly departs from the
published rules (tested one by one in test_event_hash_divergence.py): booleans and nulls,
sub-millisecond halves, text that is a suffix of a CBV URI, infinities.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from cityhub.trace.epcis.gs1 import check_digit
from cityhub.trace.epcis.vocab import BIZ_STEPS, DISPOSITIONS, VOCAB_TREE, Step, Terms

digits = st.text("0123456789", min_size=1, max_size=1)
_LOT_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789-._"


def _numbers(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


@st.composite
def gtin14(draw: st.DrawFn) -> str:
    body = draw(_numbers(13))
    return body + check_digit(body)


@st.composite
def company_split(draw: st.DrawFn, total: int) -> tuple[str, str]:
    """(company prefix, reference) whose lengths add up to ``total`` (TDS partitions)."""
    cp = draw(st.integers(6, 12))
    return draw(_numbers(cp)), draw(_numbers(total - cp))


lot_text = st.text(_LOT_CHARS, min_size=1, max_size=20)
urn_lot_text = st.text(_LOT_CHARS + "!()*+,:;='", min_size=1, max_size=20)


@st.composite
def lgtin_urn(draw: st.DrawFn) -> str:
    cp, ref = draw(company_split(13))
    return f"urn:epc:class:lgtin:{cp}.{ref}.{draw(urn_lot_text)}"


@st.composite
def sgtin_urn(draw: st.DrawFn) -> str:
    cp, ref = draw(company_split(13))
    return f"urn:epc:id:sgtin:{cp}.{ref}.{draw(urn_lot_text)}"


@st.composite
def sscc_urn(draw: st.DrawFn) -> str:
    cp, ref = draw(company_split(17))
    return f"urn:epc:id:sscc:{cp}.{ref}"


@st.composite
def location_urn(draw: st.DrawFn, scheme: str = "sgln") -> str:
    cp, ref = draw(company_split(12))
    if scheme == "pgln":
        return f"urn:epc:id:pgln:{cp}.{ref}"
    return f"urn:epc:id:sgln:{cp}.{ref}.{draw(st.sampled_from(['0', '1', 'A7']))}"


hosts = st.sampled_from(
    ["https://id.gs1.org", "https://liaocheng.cityhub.example", "http://example.com/resolver"]
)


@st.composite
def lgtin_dl(draw: st.DrawFn) -> str:
    return f"{draw(hosts)}/01/{draw(gtin14())}/10/{draw(lot_text)}"


@st.composite
def sscc_dl(draw: st.DrawFn) -> str:
    body = draw(_numbers(17))
    return f"{draw(hosts)}/00/{body}{check_digit(body)}"


lots = st.one_of(lgtin_urn(), lgtin_dl())
instances = st.one_of(sscc_urn(), sscc_dl(), sgtin_urn())


def _flat(node: Any) -> list[str]:
    if isinstance(node, Terms):
        return list(node.uris.values())
    return [uri for child in node.values() for uri in _flat(child)]


_VOCAB_URIS = [u for t in (BIZ_STEPS, DISPOSITIONS) for u in t.uris.values()] + _flat(VOCAB_TREE)


def _plain(text: str) -> bool:
    """Text the reference hashes like any other (see module docstring)."""
    if any(uri.endswith(("-" + text, "/" + text)) for uri in _VOCAB_URIS):
        return False
    try:
        return math.isfinite(float(text))
    except ValueError:
        return True


free_text = st.text(
    st.sampled_from(list("农药甲级鸭梨阿胶莘县蔬菜 ABCxyz0123456789-_.,/")), min_size=1, max_size=12
).filter(lambda s: s.strip() != "" and _plain(s))
number_text = st.sampled_from(["007", "1.50", "2.0", "+3", "1e3", "0.10", "-0", "12"])


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """RFC 3339 times with offsets and 0, 3 or 6 fractional digits (no sub-ms halves)."""
    moment = draw(st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1)))
    micro = draw(st.integers(0, 999_499).filter(lambda m: m % 1000 != 500))
    minutes = draw(st.sampled_from([0, 8 * 60, -5 * 60, 5 * 60 + 30, 14 * 60, -12 * 60]))
    zone = timezone(timedelta(minutes=minutes)) if minutes else UTC
    moment = moment.replace(microsecond=micro, tzinfo=zone)
    digits_shown = draw(st.sampled_from(["seconds", "milliseconds", "microseconds"]))
    text = moment.isoformat(timespec=digits_shown)
    if minutes == 0 and draw(st.booleans()):
        text = text[:-6] + "Z"
    return text


def offset_of(timestamp: str) -> str:
    return "+00:00" if timestamp.endswith("Z") else timestamp[-6:]


quantity_number = st.one_of(
    st.integers(1, 10**6), st.floats(0.001, 1e6, allow_nan=False, allow_infinity=False)
)


@st.composite
def quantity(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"epcClass": draw(lots)}
    if draw(st.booleans()):
        out["quantity"] = draw(quantity_number)
        out["uom"] = draw(st.sampled_from(["KGM", "LTR", "H87", "TNE"]))
    return out


@st.composite
def sensor_element(draw: st.DrawFn) -> dict[str, Any]:
    report: dict[str, Any] = {"type": draw(st.sampled_from(["Temperature", "MassConcentration"]))}
    if draw(st.booleans()):
        report["chemicalSubstance"] = "https://identifiers.org/inchikey:" + draw(
            st.sampled_from(["CZMRCDWAGMRECN-UGDNZRGBSA-N", "XLYOFNOQVPJJNP-UHFFFAOYSA-N"])
        )
    report["value"] = draw(st.floats(-50, 500, allow_nan=False, allow_infinity=False))
    report["uom"] = draw(st.sampled_from(["CEL", "MC", "4N"]))
    if draw(st.booleans()):
        report["time"] = draw(timestamps())
    if draw(st.booleans()):
        report["example:note"] = draw(free_text)
    element: dict[str, Any] = {"sensorReport": [report]}
    if draw(st.booleans()):
        element["sensorMetadata"] = {"time": draw(timestamps()), "deviceID": draw(sgtin_urn())}
    return element


@st.composite
def agri_input(draw: st.DrawFn, pesticide: bool) -> dict[str, Any]:
    """Keys in sorted order (the reference keeps JSON order in an object with a "source" key)."""
    start = draw(st.dates(datetime(2020, 1, 1).date(), datetime(2030, 1, 1).date()))
    out: dict[str, Any] = {
        "dose": draw(st.one_of(st.integers(1, 500), st.floats(0.01, 500))),
        "endDate": (start + timedelta(days=draw(st.integers(0, 3)))).isoformat(),
        "method": draw(st.sampled_from(["喷雾", "撒施", "spraying"])),
        "name": draw(st.sampled_from(["吡虫啉", "阿维菌素", "复合肥"])),
    }
    if pesticide:
        out["registrationNumber"] = "PD" + draw(_numbers(8))
        out["safetyIntervalDays"] = draw(st.integers(0, 30))
    out["source"] = draw(free_text)
    out["startDate"] = start.isoformat()
    out["uom"] = draw(st.sampled_from(["KGM", "LTR", "MLT"]))
    return dict(sorted(out.items()))


def _pairs(kind: str, key: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """Entries with "type" first, as the shipped reference vectors write them."""
    entry = st.tuples(st.sampled_from(kind.split()), values).map(
        lambda p: {"type": p[0], key: p[1]}
    )
    return st.lists(entry, min_size=1, max_size=3)


@st.composite
def common_fields(draw: st.DrawFn, event: dict[str, Any]) -> None:
    """Optional fields every event type may have, including our extensions."""
    step = draw(st.sampled_from(list(Step)))
    event["bizStep"] = step.value if not step.is_city else step.uri
    if draw(st.booleans()):
        event["disposition"] = draw(st.sampled_from(["in_transit", "conformant", "active"]))
    if draw(st.booleans()):
        event["readPoint"] = {"id": draw(location_urn())}
        if draw(st.booleans()):
            event["readPoint"]["example:plot"] = draw(free_text)
    if draw(st.booleans()):
        event["bizLocation"] = {"id": draw(location_urn())}
    if event["type"] != "AggregationEvent" and draw(st.booleans()):
        event["persistentDisposition"] = {"set": ["recalled"]}
    if draw(st.booleans()):
        event["bizTransactionList"] = draw(_pairs("po inv desadv", "bizTransaction", lots))
    if draw(st.booleans()):
        event["sourceList"] = draw(_pairs("owning_party location", "source", location_urn("pgln")))
    if draw(st.booleans()):
        event["destinationList"] = draw(_pairs("possessing_party", "destination", location_urn()))
    if draw(st.booleans()):
        event["sensorElementList"] = draw(st.lists(sensor_element(), min_size=1, max_size=2))
    if draw(st.booleans()):
        event["certificationInfo"] = "https://example.com/合格证/" + draw(_numbers(4))
    if step in (Step.PESTICIDE_APPLYING, Step.FERTILISING) or draw(st.booleans()):
        event["cityhub:agriInput"] = draw(agri_input(step is Step.PESTICIDE_APPLYING))
    if draw(st.booleans()):
        event["example:remark"] = draw(st.one_of(free_text, number_text))
    if draw(st.booleans()):
        event["example:nested"] = {"example:a": draw(free_text), "example:b": [draw(free_text)]}


@st.composite
def epcis_events(draw: st.DrawFn) -> dict[str, Any]:
    """A schema-valid ObjectEvent, AggregationEvent or TransformationEvent."""
    time = draw(timestamps())
    kind = draw(st.sampled_from(["ObjectEvent", "AggregationEvent", "TransformationEvent"]))
    event: dict[str, Any] = {
        "type": kind,
        "eventTime": time,
        "eventTimeZoneOffset": offset_of(time),
    }
    if kind == "ObjectEvent":
        event["action"] = draw(st.sampled_from(["ADD", "OBSERVE", "DELETE"]))
        event["quantityList"] = draw(st.lists(quantity(), min_size=1, max_size=3))
        if draw(st.booleans()):
            event["epcList"] = draw(st.lists(instances, min_size=1, max_size=3, unique=True))
        if event["action"] == "ADD" and draw(st.booleans()):
            event["ilmd"] = {"cityhub:harvestDate": "2025-06-01", "example:grade": draw(free_text)}
    elif kind == "AggregationEvent":
        event["action"] = draw(st.sampled_from(["ADD", "DELETE"]))
        event["parentID"] = draw(st.one_of(sscc_urn(), sscc_dl()))
        event["childQuantityList"] = draw(st.lists(quantity(), min_size=1, max_size=3))
    else:
        event["inputQuantityList"] = draw(st.lists(quantity(), min_size=1, max_size=3))
        event["outputQuantityList"] = draw(st.lists(quantity(), min_size=1, max_size=2))
        if draw(st.booleans()):
            event["transformationID"] = "urn:uuid:7d5f1a3e-0c4b-4a8e-9f1e-" + draw(_numbers(12))
        if draw(st.booleans()):
            event["ilmd"] = {"cbvmda:lotNumber": draw(lot_text)}
    draw(common_fields(event))
    return event
