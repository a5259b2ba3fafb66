"""Crop farming shared by the pear and vegetable chains: inputs, their lots, treatments, tests.

A farm buys each input (pesticide, fertiliser) from its county's farm-supply shop once a period;
the receiving event ADDs the lot, and every treatment record (生产记录) names the lot in use.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from cityhub.demo.trace_chain_actors import Cast
from cityhub.demo.trace_chain_events import agri_input, object_event, quantity, residues
from cityhub.demo.trace_chain_inputs import Treatment
from cityhub.demo.trace_chain_ledger import Ledger, receive_supply
from cityhub.demo.trace_chain_model import DemoActor, city_step


class Crop(NamedTuple):
    """A crop lot: the plants of one plot (orchard block, greenhouse) for one season."""

    farm: str  # actor key
    lot: str
    plants: int
    plot: str
    area: float  # 亩


class Stock:
    """The input lots each farm has bought from ``supplier``: one per input and period."""

    def __init__(self, ledger: Ledger, cast: Cast, supplier: str, period: int) -> None:
        self.ledger, self.cast, self.supplier, self.period = ledger, cast, supplier, period
        self._lots: dict[tuple[str, int, int], str] = {}

    def lot(self, farm: DemoActor, treatment: Treatment, day: int) -> str:
        """The lot of ``treatment`` in use at ``farm`` on ``day``, delivered at 6:30 that
        period's first day, before any work starts."""
        key = (farm.ref, treatment.item, day // self.period)
        if key not in self._lots:
            ledger, shop = self.ledger, self.cast[self.supplier]
            delivered = ledger.at(key[2] * self.period, 6.5)
            code = self.cast.gtin(self.supplier, treatment.item, treatment.name, treatment.name_en)
            tag = "NY" if treatment.safety_days is not None else "FL"
            lot = ledger.lot(code, tag, delivered - timedelta(days=ledger.rng.randint(20, 120)))
            amount = 20 if treatment.safety_days is not None else 2000
            receive_supply(ledger, shop, farm, delivered, lot, amount, "KGM")
            self._lots[key] = lot
        return self._lots[key]


def treat(ledger: Ledger, stock: Stock, crop: Crop, at: datetime, treatment: Treatment) -> datetime:
    """A treatment of a crop lot (one day's work) with the lot in stock, the whole plot's amount."""
    farm = stock.cast[crop.farm]
    lot = stock.lot(farm, treatment, ledger.day(at))
    record = agri_input(
        treatment.name,
        treatment.registration,
        stock.cast[stock.supplier],
        lot,
        round(treatment.dose * crop.area, 1),
        treatment.uom,
        treatment.method,
        (at.date(), at.date()),
        treatment.safety_days,
    )
    crop_quantity = [quantity(crop.lot, crop.plants, "H87")]
    body = object_event(
        "OBSERVE", city_step(treatment.step), farm, quantities=crop_quantity, extra=record
    )
    return ledger.record(farm, at, body)


def lab_test(
    ledger: Ledger,
    lab: DemoActor,
    at: datetime,
    lot: str,
    sample_kg: float,
    results: list[tuple[str, float]],
) -> datetime:
    """The lab's test of a sample of ``lot``: residues (CAS, mg/kg), all within limits."""
    body = object_event(
        "OBSERVE",
        "inspecting",
        lab,
        quantities=[quantity(lot, sample_kg, "KGM")],
        disposition="conformant",
        extra={"sensorElementList": [residues(at, results)]},
    )
    return ledger.record(lab, at, body)
