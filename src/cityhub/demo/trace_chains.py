"""The demo city's traceability data: three chains of EPCIS 2.0 events, generated from a seed.

- 东阿阿胶 (东阿县): donkeys fattened and dewormed, slaughtered, hides boiled with 黄酒, 冰糖 and
  豆油 into 阿胶 blocks, packed, shipped to pharmacies and supermarkets
  (``trace_chain_donkey``, ``trace_chain_ejiao``);
- 冠县鸭梨 (冠县): orchard blocks fertilised and sprayed, picked, tested, cold-stored, shipped
  (``trace_chain_pear``);
- 莘县 greenhouse vegetables: 黄瓜, 西红柿, 辣椒 with climate logs, tested and sold at markets
  (``trace_chain_vegetable``).

Pure and deterministic: no database, no keys, no network; the same arguments give the same data.
Events have no ``eventID`` (the caller computes the CBV 2.0 hash ID, signs and appends them) and no
``@context``: ``DOCUMENT_CONTEXT`` is the context of a document holding them (it declares the
``cityhub:`` prefix). One 冰糖 lot is the contaminated input of the recall demo, and one pear
harvest lies inside a pesticide's safety interval. Every firm and person is invented; the platform
marks it all demo data. Shared parts: ``trace_chain_model`` (the returned types, GS1 identifiers),
``trace_chain_actors``, ``trace_chain_events`` and ``trace_chain_ledger`` (event bodies, times,
movements), ``trace_chain_farming`` and ``trace_chain_inputs`` (crops, 农业投入品).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time

from cityhub.demo.trace_chain_actors import cast as make_cast
from cityhub.demo.trace_chain_ejiao import ejiao_chain
from cityhub.demo.trace_chain_ledger import Ledger
from cityhub.demo.trace_chain_model import (
    CHINA,
    DOCUMENT_CONTEXT,
    DemoActor,
    DemoEvent,
    DemoProduct,
    DemoTrace,
)
from cityhub.demo.trace_chain_pear import pear_chain
from cityhub.demo.trace_chain_vegetable import vegetable_chain
from cityhub.errors import InvalidInput

__all__ = [
    "DOCUMENT_CONTEXT",
    "DemoActor",
    "DemoEvent",
    "DemoProduct",
    "DemoTrace",
    "build_demo_trace",
]

MIN_BATCHES = 30
YEAR_START, NOW = date(2026, 1, 1), date(2026, 11, 27)
SHARES = {"ejiao": 0.3, "pear": 0.3}  # of the product lots; vegetables take the rest


def build_demo_trace(
    *, seed: int = 20261127, batches: int = 300, start: date = date(2026, 3, 1)
) -> DemoTrace:
    """The demo chains with about ``batches`` product lots (阿胶, 鸭梨 and vegetable lots).

    The seasons are laid out for ``start`` = 1 March (boils from late May, pear picks in
    September); everything must happen in 2026 and before the demo's present, 27 November.
    """
    if batches < MIN_BATCHES:
        raise InvalidInput(
            f"the demo chains need at least {MIN_BATCHES} batches",
            details={"field": "batches", "value": batches},
        )
    if start < YEAR_START:
        raise InvalidInput("the demo chains start in 2026", details={"field": "start"})
    # Six boils at least: each of the six 阿胶 retailers gets one, the recall reaches three to five.
    boils = max(6, round(batches * SHARES["ejiao"] / 3))
    pears = max(1, round(batches * SHARES["pear"]))
    vegetables = batches - 3 * boils - pears
    cast = make_cast(random.Random(seed))
    ledger = Ledger(start, random.Random(f"{seed}/ejiao"))
    ejiao = ejiao_chain(ledger, cast, boils)
    ledger.rng = random.Random(f"{seed}/pear")
    pear_lots = pear_chain(ledger, cast, pears)
    ledger.rng = random.Random(f"{seed}/vegetable")
    vegetable_lots = vegetable_chain(ledger, cast, vegetables)
    events = ledger.events()
    last = datetime.fromisoformat(events[-1].event["eventTime"])
    if last >= datetime.combine(NOW, time(), CHINA):
        raise InvalidInput(
            f"starting on {start} the chains run until {last:%Y-%m-%d}, past {NOW}",
            details={"field": "start"},
        )
    return DemoTrace(
        actors=tuple(cast.actors.values()),
        events=events,
        contaminated_lot=ejiao.contaminated_lot,
        expected_recall_retailers=ejiao.recall_retailers,
        expected_recall_products=ejiao.recall_products,
        products=tuple(cast.products.values()),
        product_lots=(*ejiao.product_lots, *pear_lots, *vegetable_lots),
    )
