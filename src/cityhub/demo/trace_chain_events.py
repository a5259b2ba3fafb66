"""Bodies of EPCIS 2.0 events for the demo chains (the ledger adds type, time and context).

Bare CBV words stand for CBV 2.0 terms (bizStep, disposition, source/destination type); farming
steps use the city vocabulary, farming records the ``cityhub:agriInput`` extension.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from cityhub.demo.trace_chain_model import DemoActor, party, place, stamp

Body = dict[str, Any]


def quantity(lot: str, amount: float, uom: str) -> Body:
    """A quantityElement; ``uom`` is a UN/CEFACT Rec 20 code (KGM, LTR, H87)."""
    return {"epcClass": lot, "quantity": amount, "uom": uom}


def object_event(
    action: str,
    step: str,
    where: DemoActor,
    *,
    quantities: Sequence[Body] = (),
    epcs: Sequence[str] = (),
    disposition: str | None = None,
    located: bool = True,
    extra: Body | None = None,
) -> Body:
    """An ObjectEvent observed at ``where``; ``located`` False for goods on the road."""
    body: Body = {"type": "ObjectEvent"}
    if epcs:
        body["epcList"] = list(epcs)
    if quantities:
        body["quantityList"] = list(quantities)
    body.update({"action": action, "bizStep": step})
    if disposition:
        body["disposition"] = disposition
    body["readPoint"] = place(where)
    if located:
        body["bizLocation"] = place(where)
    body.update(extra or {})
    return body


def transformation(
    step: str, where: DemoActor, inputs: Sequence[Body], outputs: Sequence[Body], ilmd: Body
) -> Body:
    """A TransformationEvent at ``where``: the inputs are used up, the outputs come to be."""
    return {
        "type": "TransformationEvent",
        "inputQuantityList": list(inputs),
        "outputQuantityList": list(outputs),
        "bizStep": step,
        "disposition": "in_progress",
        "readPoint": place(where),
        "bizLocation": place(where),
        "ilmd": ilmd,
    }


def aggregation(action: str, where: DemoActor, parent: str, children: Sequence[Body]) -> Body:
    """Packing (ADD) or unpacking (DELETE) of lot quantities on a pallet."""
    packing = action == "ADD"
    return {
        "type": "AggregationEvent",
        "parentID": parent,
        "childQuantityList": list(children),
        "action": action,
        "bizStep": "packing" if packing else "unpacking",
        "disposition": "in_progress" if packing else "sellable_accessible",
        "readPoint": place(where),
        "bizLocation": place(where),
    }


def agri_input(
    name: str,
    registration: str,
    source: DemoActor,
    lot: str,
    dose: float,
    uom: str,
    method: str,
    days: tuple[date, date],
    safety_days: int | None = None,
) -> Body:
    """``cityhub:agriInput``: one use of a 农业投入品 as the 生产记录 keeps it."""
    record: Body = {
        "name": name,
        "registrationNumber": registration,
        "source": party(source),
        "lot": lot,
        "dose": dose,
        "uom": uom,
        "method": method,
        "startDate": days[0].isoformat(),
        "endDate": days[1].isoformat(),
    }
    if safety_days is not None:
        record["safetyIntervalDays"] = safety_days
    return {"cityhub:agriInput": record}


def climate(
    start: datetime, end: datetime, readings: Iterable[tuple[str, str, float, float]], device: str
) -> Body:
    """A sensorElement summarising readings: (type, uom, low, high) with the mean in between."""
    reports = [
        {
            "type": kind,
            "minValue": low,
            "maxValue": high,
            "meanValue": round((low + high) / 2, 1),
            "uom": uom,
        }
        for kind, uom, low, high in readings
    ]
    metadata = {"startTime": stamp(start), "endTime": stamp(end), "deviceID": device}
    return {"sensorMetadata": metadata, "sensorReport": reports}


def residues(at: datetime, results: Iterable[tuple[str, float]]) -> Body:
    """Pesticide residues (CAS number, mg/kg) of a lab test as one sensorElement.

    A residue is a mass fraction: GS1 has no measurement type for it, so Dimensionless with the
    UN/CEFACT unit NA (milligram per kilogram).
    """
    reports = [
        {
            "type": "Dimensionless",
            "chemicalSubstance": f"https://identifiers.org/cas:{cas}",
            "value": value,
            "uom": "NA",
        }
        for cas, value in results
    ]
    return {"sensorMetadata": {"time": stamp(at)}, "sensorReport": reports}


def trade(document: str, sender: DemoActor, receiver: DemoActor, *, places: bool = True) -> Body:
    """Despatch advice, source and destination (owning party, and location) of a movement."""
    sources: list[Body] = [{"type": "owning_party", "source": party(sender)}]
    destinations: list[Body] = [{"type": "owning_party", "destination": party(receiver)}]
    if places:
        sources.append({"type": "location", "source": place(sender)["id"]})
        destinations.append({"type": "location", "destination": place(receiver)["id"]})
    return {
        "bizTransactionList": [{"type": "desadv", "bizTransaction": document}],
        "sourceList": sources,
        "destinationList": destinations,
    }
