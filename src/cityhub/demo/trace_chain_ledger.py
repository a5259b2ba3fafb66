"""The ledger that collects the demo chains' events, and the movements between actors.

The ledger hands out lot numbers, SSCCs and despatch-advice numbers, stamps each event with its
time, and keeps every batch's events at distinct times: an event that would share a second with
another event of the same lot or container moves on by a second (chains interleave freely, and a
tie would leave the order within a batch to chance).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from cityhub.demo.trace_chain_events import Body, climate, object_event, quantity, trade
from cityhub.demo.trace_chain_model import (
    CHINA,
    OFFSET,
    DemoActor,
    DemoEvent,
    lot_uri,
    sscc,
    sscc_uri,
    stamp,
)

QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")


def referenced(event: Body) -> set[str]:
    """The lots and containers an event refers to, the input lot of a farming record included."""
    refs = {e["epcClass"] for key in QUANTITY_LISTS for e in event.get(key, [])}
    refs.update(epc for key in EPC_LISTS for epc in event.get(key, []))
    if "parentID" in event:
        refs.add(event["parentID"])
    agri_input = event.get("cityhub:agriInput", {})
    if "lot" in agri_input:
        refs.add(agri_input["lot"])
    return refs


class Ledger:
    """The events recorded so far, and the counters behind lot numbers and documents.

    ``product`` is the chain being recorded; each chain sets it before it starts.
    """

    def __init__(self, start: date, rng: random.Random) -> None:
        self.start = start
        self.rng = rng
        self.product = ""
        self._events: list[tuple[datetime, int, DemoEvent]] = []
        self._taken: set[tuple[str, datetime]] = set()
        self._counters: dict[str, int] = {}

    def at(self, day: float, hour: float = 8.0) -> datetime:
        """A time ``day`` days after the start, at ``hour`` o'clock, plus some seconds."""
        base = datetime.combine(self.start, time(), CHINA)
        return base + timedelta(days=day, hours=hour, seconds=self.rng.randint(0, 59))

    def day(self, at: datetime) -> int:
        """The day number of ``at`` (0 = the start)."""
        return (at.date() - self.start).days

    def _next(self, key: str) -> int:
        self._counters[key] = self._counters.get(key, 0) + 1
        return self._counters[key]

    def lot(self, gtin14: str, tag: str, made: datetime) -> str:
        """A new lot of ``gtin14``: tag, date and a sequence, e.g. LV26031502 (≤ 20 chars)."""
        code = f"{tag}{made:%y%m%d}"
        return lot_uri(gtin14, f"{code}{self._next(gtin14 + code):02d}")

    def container(self, owner: DemoActor) -> str:
        """A new SSCC of ``owner``'s company prefix."""
        return sscc_uri(sscc(owner.gln[:8], self._next("sscc" + owner.gln)))

    def document(self, sender: DemoActor) -> str:
        """A new despatch advice number of ``sender`` (CBV business transaction URN)."""
        return f"urn:epcglobal:cbv:bt:{sender.gln}:{self._next('desadv' + sender.gln)}"

    def record(self, recorder: DemoActor, at: datetime, body: Body) -> datetime:
        """Add an event recorded by ``recorder``; returns its time (moved on past any tie)."""
        refs = referenced(body)
        while any((ref, at) in self._taken for ref in refs):
            at += timedelta(seconds=1)
        self._taken.update((ref, at) for ref in refs)
        event: Body = {
            "type": body["type"],
            "eventTime": stamp(at),
            "eventTimeZoneOffset": OFFSET,
        }
        event.update((k, v) for k, v in body.items() if k != "type")
        demo = DemoEvent(recorder.ref, event, self.product)
        self._events.append((at, len(self._events), demo))
        return at

    def events(self) -> tuple[DemoEvent, ...]:
        """All events by time; events recorded earlier come first at the same second."""
        return tuple(event for _, _, event in sorted(self._events, key=lambda e: (e[0], e[1])))


def travel_hours(origin: DemoActor, destination: DemoActor) -> float:
    """Road time between two actors: loading, and the straight line × 1.3 at 50 km/h."""
    km = math.hypot((destination.lon - origin.lon) * 89.6, (destination.lat - origin.lat) * 111.0)
    return round(0.5 + km * 1.3 / 50, 2)


def ship(
    ledger: Ledger,
    sender: DemoActor,
    receiver: DemoActor,
    at: datetime,
    *,
    quantities: Sequence[Body] = (),
    epcs: Sequence[str] = (),
    haulier: DemoActor | None = None,
    cold: tuple[float, float] | None = None,
) -> datetime:
    """Shipping by ``sender``, the haulier's trip record, receiving by ``receiver``.

    Returns the time of receiving. ``cold`` (low, high °C) adds the truck's temperature log.
    """
    movement = trade(ledger.document(sender), sender, receiver)

    def observed(step: str, where: DemoActor, disposition: str, extra: Body) -> Body:
        return object_event(
            "OBSERVE",
            step,
            where,
            quantities=quantities,
            epcs=epcs,
            disposition=disposition,
            located=step != "transporting",
            extra=extra,
        )

    at = ledger.record(sender, at, observed("shipping", sender, "in_transit", movement))
    arrival = at + timedelta(hours=travel_hours(sender, receiver))
    if haulier is not None:
        extra: Body = {}
        if cold is not None:
            device = f"https://id.gs1.org/8004/{haulier.gln[:8]}{ledger.rng.randint(1, 40):03d}"
            log = climate(at, arrival, [("Temperature", "CEL", cold[0], cold[1])], device)
            extra["sensorElementList"] = [log]
        trip = observed("transporting", haulier, "in_transit", extra)
        ledger.record(haulier, arrival - timedelta(minutes=10), trip)
    return ledger.record(
        receiver, arrival, observed("receiving", receiver, "in_progress", movement)
    )


def receive_supply(
    ledger: Ledger,
    supplier: DemoActor,
    receiver: DemoActor,
    at: datetime,
    lot: str,
    amount: float,
    uom: str,
) -> datetime:
    """An input lot bought in: the receiver's receiving event ADDs it to the platform."""
    movement = trade(ledger.document(supplier), supplier, receiver, places=False)
    body = object_event(
        "ADD",
        "receiving",
        receiver,
        quantities=[quantity(lot, amount, uom)],
        disposition="in_progress",
        extra=movement,
    )
    return ledger.record(receiver, at, body)


def sell(
    ledger: Ledger, retailer: DemoActor, at: datetime, lot: str, amount: float, uom: str
) -> datetime:
    """Retail sale of part of a lot at ``retailer``."""
    body = object_event(
        "OBSERVE",
        "retail_selling",
        retailer,
        quantities=[quantity(lot, amount, uom)],
        disposition="retail_sold",
    )
    return ledger.record(retailer, at, body)
