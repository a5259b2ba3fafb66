"""莘县 greenhouse vegetables: 黄瓜, 西红柿 and 辣椒, planted from March to summer.

A greenhouse planting is a crop lot (its seedlings) that yields two to five harvests, each a
product lot: tested by the lab the same morning, packed on one or two pallets and sold next day at
聊城's markets and supermarkets. Greenhouse climate loggers report a day's temperature and
humidity twice per crop. Every treatment ends its safety interval well before the first harvest.
"""

from __future__ import annotations

import random
from datetime import timedelta

from cityhub.demo.trace_chain_actors import VEGETABLE_RETAILERS, Cast
from cityhub.demo.trace_chain_events import (
    aggregation,
    climate,
    object_event,
    quantity,
    transformation,
)
from cityhub.demo.trace_chain_farming import Crop, Stock, lab_test, treat
from cityhub.demo.trace_chain_inputs import VEGETABLES, Vegetable
from cityhub.demo.trace_chain_ledger import Ledger, sell, ship
from cityhub.demo.trace_chain_model import city_step

FARMS = ("veg_lp", "veg_xh", "veg_by")
LAST_HARVEST = 252
# mean greenhouse temperature by month (°C)
WARMTH = {3: 20, 4: 23, 5: 26, 6: 28, 7: 30, 8: 30, 9: 27, 10: 23, 11: 19}


def harvests_per_crop(lots: int, rng: random.Random) -> list[int]:
    """Two to five harvests per planting (up to six for the last), ``lots`` in all."""
    counts: list[int] = []
    left = lots
    while left > 0:
        count = rng.randint(2, 5)
        counts.append(left if left - count < 2 else count)
        left -= counts[-1]
    return counts


def vegetable_chain(ledger: Ledger, cast: Cast, lots: int) -> list[str]:
    """Record the greenhouse chain with ``lots`` harvest lots; returns them."""
    ledger.product = "vegetable"
    rng = ledger.rng
    stock = Stock(ledger, cast, "agri_shen", 30)
    harvested: list[str] = []
    for c, count in enumerate(harvests_per_crop(lots, rng)):
        kind = VEGETABLES[c % len(VEGETABLES)]
        gaps = [rng.randint(*kind.gap) for _ in range(count - 1)]
        first = rng.randint(*kind.first)
        planted = rng.randint(3, max(3, LAST_HARVEST - first - sum(gaps)))
        crop = _plant(ledger, cast, FARMS[c % len(FARMS)], c // len(FARMS) + 1, kind, planted)
        for offset, treatment in kind.treatments:
            at = ledger.at(planted + offset + rng.randint(0, 3), rng.uniform(7, 11))
            treat(ledger, stock, crop, at, treatment)
        for offset in (12, 35):
            _climate(ledger, cast, crop, planted + offset + rng.randint(0, 3))
        day = planted + first
        for gap in [0, *gaps]:
            day += gap
            harvested.append(_harvest(ledger, cast, crop, kind, day))
    return harvested


def _plant(ledger: Ledger, cast: Cast, key: str, house: int, kind: Vegetable, day: int) -> Crop:
    farm = cast[key]
    at = ledger.at(day, ledger.rng.uniform(7, 11))
    code = cast.gtin(
        key, 10 + kind.item, f"{kind.name}（在棚批次）", f"{kind.name_en} crop in greenhouse"
    )
    plants = ledger.rng.randint(2200, 3600)
    crop = Crop(key, ledger.lot(code, "DP", at), plants, f"{house}号棚", round(plants / 2800, 1))
    ilmd = {
        "cityhub:variety": f"{kind.name}（{kind.variety}）",
        "cityhub:plot": crop.plot,
        "cityhub:areaMu": crop.area,
        "cbvmda:countryOfOrigin": "CN",
    }
    seedlings = [quantity(crop.lot, crop.plants, "H87")]
    body = object_event(
        "ADD",
        city_step("planting"),
        farm,
        quantities=seedlings,
        disposition="active",
        extra={"ilmd": ilmd},
    )
    ledger.record(farm, at, body)
    return crop


def _climate(ledger: Ledger, cast: Cast, crop: Crop, day: int) -> None:
    """A day's greenhouse climate, reported by the logger just after midnight."""
    rng = ledger.rng
    farm = cast[crop.farm]
    start = ledger.at(day, 0).replace(second=0)
    warm = WARMTH.get(start.month, 22)
    readings = [
        (
            "Temperature",
            "CEL",
            round(warm - rng.uniform(6, 9), 1),
            round(warm + rng.uniform(4, 8), 1),
        ),
        ("RelativeHumidity", "P1", round(rng.uniform(55, 70), 1), round(rng.uniform(85, 95), 1)),
    ]
    device = f"https://id.gs1.org/8004/{farm.gln[:8]}{crop.plot.removesuffix('号棚').zfill(4)}"
    log = climate(start, start + timedelta(days=1, seconds=-1), readings, device)
    body = object_event(
        "OBSERVE",
        "sensor_reporting",
        farm,
        quantities=[quantity(crop.lot, crop.plants, "H87")],
        extra={"sensorElementList": [log]},
    )
    ledger.record(farm, start + timedelta(days=1, minutes=15), body)


def _harvest(ledger: Ledger, cast: Cast, crop: Crop, kind: Vegetable, day: int) -> str:
    """One harvest: lot, lab test, one or two pallets to markets, sales the next day."""
    rng = ledger.rng
    farm = cast[crop.farm]
    picked = ledger.at(day, 5.5)
    kg = round(crop.plants * rng.uniform(*kind.kg_per_plant), 1)
    lot = ledger.lot(cast.gtin(crop.farm, kind.item, kind.name, kind.name_en), kind.tag, picked)
    ilmd = {
        "cityhub:harvestDate": picked.date().isoformat(),
        "cityhub:variety": f"{kind.name}（{kind.variety}）",
        "cityhub:plot": crop.plot,
        "cbvmda:countryOfOrigin": "CN",
    }
    plants, produce = [quantity(crop.lot, crop.plants, "H87")], [quantity(lot, kg, "KGM")]
    ledger.record(
        farm, picked, transformation(city_step("harvesting"), farm, plants, produce, ilmd)
    )
    results = [
        (str(t.cas), round(rng.uniform(0.002, 0.05), 3)) for _, t in kind.treatments if t.cas
    ]
    lab_test(ledger, cast["lab_shen"], ledger.at(day, rng.uniform(9, 11)), lot, 1.0, results)
    pallets = 2 if kg > 2500 else 1
    for retailer_key in rng.sample(VEGETABLE_RETAILERS, pallets):
        retailer, load = cast[retailer_key], [quantity(lot, round(kg / pallets, 1), "KGM")]
        pallet = ledger.container(farm)
        packed = ledger.record(farm, ledger.at(day, 13), aggregation("ADD", farm, pallet, load))
        cold = (round(rng.uniform(3, 5), 1), round(rng.uniform(7, 10), 1))
        received = ship(
            ledger,
            farm,
            retailer,
            packed + timedelta(hours=1.5),
            epcs=[pallet],
            haulier=cast["coldchain"],
            cold=cold,
        )
        ledger.record(
            retailer,
            received + timedelta(minutes=30),
            aggregation("DELETE", retailer, pallet, load),
        )
        sold = ledger.at(day + 1, rng.uniform(6, 18))
        sell(ledger, retailer, sold, lot, round(kg / pallets * rng.uniform(0.4, 0.8), 1), "KGM")
    return lot
