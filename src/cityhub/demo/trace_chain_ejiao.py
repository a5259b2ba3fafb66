"""东阿阿胶: hides of 东阿 donkeys boiled with 黄酒, 冰糖 and 豆油 into boxed 阿胶 blocks.

Each boil (熬胶) uses the hides of two donkey lots and one lot each of 黄酒, 冰糖 and 豆油; a
supplier's lot lasts three to five consecutive boils. A boil's three product lots go on one pallet
to one retailer, the six retailers taking turns, so the contaminated 冰糖 lot reaches as many
retailers as boils it went into: three to five of six. Days count from the start (1 March): boils
run from late May to early October; 晾胶 (drying) takes five weeks before the check and packing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from cityhub.demo.trace_chain_actors import EJIAO_RETAILERS, Cast
from cityhub.demo.trace_chain_donkey import FarmInputs, donkey_lot
from cityhub.demo.trace_chain_events import (
    Body,
    aggregation,
    object_event,
    quantity,
    residues,
    transformation,
)
from cityhub.demo.trace_chain_ledger import Ledger, receive_supply, sell, ship
from cityhub.demo.trace_chain_model import DemoActor, city_step

FIRST_BOIL, LAST_BOIL = 80, 215
YIELD = 0.3  # kg of 阿胶 per kg of fresh hide
# GTIN item, names, kg per box, share of a boil's 阿胶
SKUS = (
    (1, "阿胶块 125g/盒", "Ejiao blocks, 125 g box", 0.125, 0.3),
    (2, "阿胶块 250g/盒", "Ejiao blocks, 250 g box", 0.25, 0.4),
    (3, "阿胶块 500g/礼盒", "Ejiao blocks, 500 g gift box", 0.5, 0.3),
)
# supplier, names, lot tag, UN/CEFACT unit, amount per kg of hide
AUXILIARIES = (
    ("wine", "黄酒（熬胶用）", "Yellow rice wine for gelatin", "HJ", "LTR", 0.033),
    ("sugar", "冰糖（多晶）", "Rock sugar, polycrystalline", "BT", "KGM", 0.067),
    ("oil", "大豆油（一级）", "Soybean oil, grade 1", "DY", "KGM", 0.033),
)
# lead and arsenic (CAS) in the release check, mg/kg
METALS = (("7439-92-1", 0.2, 0.9), ("7440-38-2", 0.05, 0.4))


@dataclass(frozen=True)
class EjiaoResult:
    """The 阿胶 lots, and the recall the contaminated 冰糖 lot should trigger."""

    product_lots: tuple[str, ...]
    contaminated_lot: str
    recall_retailers: tuple[str, ...]
    recall_products: tuple[str, ...]


def runs(count: int, rng: random.Random) -> list[list[int]]:
    """0 … count-1 cut into consecutive runs of three to five (count ≥ 3)."""
    cut: list[list[int]] = []
    first = 0
    while first < count:
        left = count - first
        size = left if left <= 5 else 3 if left < 8 else rng.randint(3, 5)
        cut.append(list(range(first, first + size)))
        first += size
    return cut


def ejiao_chain(ledger: Ledger, cast: Cast, boils: int) -> EjiaoResult:
    """Record the 阿胶 chain with ``boils`` boils (≥ 6) of three product lots each."""
    ledger.product = "ejiao"
    rng = ledger.rng
    span = LAST_BOIL - FIRST_BOIL
    days = [FIRST_BOIL + round(j * span / max(1, boils - 1)) for j in range(boils)]
    inputs = FarmInputs(ledger, cast)
    hides = [
        [donkey_lot(ledger, cast, inputs, day, 2 * j + k) for k in (0, 1)]
        for j, day in enumerate(days)
    ]
    hide_kg = [sum(kg for _, kg in pair) for pair in hides]
    supplies: dict[str, list[Body]] = {}
    sugar_runs: list[list[int]] = []
    for key, zh, en, tag, uom, share in AUXILIARIES:
        code = cast.gtin(key, 1, zh, en)
        supplies[key] = []
        groups = runs(boils, rng)
        for group in groups:
            usage = [round(hide_kg[j] * share, 1) for j in group]
            delivered = ledger.at(days[group[0]] - rng.randint(2, 5), 10)
            lot = ledger.lot(code, tag, delivered - timedelta(days=rng.randint(10, 40)))
            total = round(sum(usage) * 1.05, 1)
            receive_supply(ledger, cast[key], cast["gelatin"], delivered, lot, total, uom)
            supplies[key] += [quantity(lot, amount, uom) for amount in usage]
        if key == "sugar":
            sugar_runs = groups
    tainted = sugar_runs[len(sugar_runs) // 2]  # the boils of the contaminated 冰糖 lot
    retailers = [cast[key] for key in rng.sample(EJIAO_RETAILERS, len(EJIAO_RETAILERS))]
    products: list[str] = []
    recalled: list[str] = []
    for j, day in enumerate(days):
        used = [quantity(lot, kg, "KGM") for lot, kg in hides[j]]
        used += [supplies[key][j] for key, *_ in AUXILIARIES]
        boxes = _boil(ledger, cast, day, used, hide_kg[j])
        _deliver(ledger, cast, day, boxes, retailers[j % len(retailers)])
        lots = [str(q["epcClass"]) for q in boxes]
        products += lots
        if j in tainted:
            recalled += lots
    return EjiaoResult(
        tuple(products),
        str(supplies["sugar"][tainted[0]]["epcClass"]),
        tuple(sorted({retailers[j % len(retailers)].ref for j in tainted})),
        tuple(recalled),
    )


def _boil(ledger: Ledger, cast: Cast, day: int, used: list[Body], hide_kg: float) -> list[Body]:
    """熬胶 on ``day``: the inputs become three lots of boxed blocks, checked after drying."""
    works = cast["gelatin"]
    boiled = ledger.at(day, 7)
    outputs = []
    for item, zh, en, size, share in SKUS:
        lot = ledger.lot(cast.gtin("gelatin", item, zh, en), "EJ", boiled)
        outputs.append(quantity(lot, int(hide_kg * YIELD * share / size), "H87"))
    made = boiled.date()
    ilmd = {
        "cityhub:productionDate": made.isoformat(),
        "cbvmda:itemExpirationDate": (
            made.replace(year=made.year + 5) - timedelta(days=1)
        ).isoformat(),
        "cbvmda:countryOfOrigin": "CN",
    }
    boil = transformation(city_step("processing"), works, used, outputs, ilmd)
    ledger.record(works, boiled, boil)
    checked = ledger.at(day + ledger.rng.randint(33, 34), 14)
    metals = [(cas, round(ledger.rng.uniform(low, high), 2)) for cas, low, high in METALS]
    test = {"sensorElementList": [residues(checked, metals)]}
    release = object_event(
        "OBSERVE", "inspecting", works, quantities=outputs, disposition="conformant", extra=test
    )
    ledger.record(works, checked, release)
    return outputs


def _deliver(ledger: Ledger, cast: Cast, day: int, boxes: list[Body], retailer: DemoActor) -> None:
    """Pack a boil's lots on a pallet, ship it to one retailer, unpack and start selling."""
    rng = ledger.rng
    works = cast["gelatin"]
    packed = ledger.at(day + rng.randint(35, 40), 9)
    pallet = ledger.container(works)
    ledger.record(works, packed, aggregation("ADD", works, pallet, boxes))
    sent = packed + timedelta(hours=23)
    received = ship(ledger, works, retailer, sent, epcs=[pallet], haulier=cast["haulier"])
    ledger.record(
        retailer, received + timedelta(hours=1), aggregation("DELETE", retailer, pallet, boxes)
    )
    for box in boxes:
        sold = ledger.at(ledger.day(received) + rng.randint(1, 5), rng.uniform(9, 20))
        count = max(1, int(float(box["quantity"]) * rng.uniform(0.1, 0.4)))
        sell(ledger, retailer, sold, str(box["epcClass"]), count, "H87")
