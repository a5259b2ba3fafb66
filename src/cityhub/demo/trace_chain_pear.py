"""冠县鸭梨: orchard blocks recorded in March, fed and sprayed, picked in September.

Each orchard block is a crop lot (its trees, for the 2026 season) that yields two to four picks,
each a harvest lot (the product lot): cold-stored the same day, tested by the lab, and shipped in
one to three consignments to retailers through the autumn. A campaign treats an orchard's blocks
within at most five days; the last regular spray's safety interval (安全间隔期) ends before the
first pick. One block gets a late 吡虫啉 spray four days before its first pick: that one harvest
lies inside the 14-day safety interval, and the platform's rule must flag it.
"""

from __future__ import annotations

import math
import random

from cityhub.demo.trace_chain_actors import PEAR_RETAILERS, Cast
from cityhub.demo.trace_chain_events import object_event, quantity, transformation
from cityhub.demo.trace_chain_farming import Crop, Stock, lab_test, treat
from cityhub.demo.trace_chain_inputs import IMIDACLOPRID, PEAR_FERTILISERS, PEAR_SPRAYS
from cityhub.demo.trace_chain_ledger import Ledger, sell, ship
from cityhub.demo.trace_chain_model import city_step

ORCHARDS = ("orchard_qq", "orchard_xx", "orchard_yl")
FIRST_PICK, LAST_SHIPMENT = 188, 255
LATE_SPRAY_DAYS = 4


def picks_per_block(lots: int, rng: random.Random) -> list[int]:
    """Two to four picks per block, ``lots`` in all (one block of one pick if lots is 1)."""
    blocks = max(1, math.ceil(lots / 3))
    picks = [3] * blocks
    for b in rng.sample(range(blocks), 3 * blocks - lots):
        picks[b] -= 1
    for _ in range(blocks):  # some variety: a pick moves from one block to another
        give, take = rng.randrange(blocks), rng.randrange(blocks)
        if give != take and picks[give] > 2 and picks[take] < 4:
            picks[give], picks[take] = picks[give] - 1, picks[take] + 1
    return picks


def pear_chain(ledger: Ledger, cast: Cast, lots: int) -> list[str]:
    """Record the 鸭梨 chain with ``lots`` harvest lots; returns them."""
    ledger.product = "pear"
    rng = ledger.rng
    picks = picks_per_block(lots, rng)
    late = rng.randrange(len(picks))
    stock = Stock(ledger, cast, "agri_guan", 60)
    crops = [_plant(ledger, cast, b) for b in range(len(picks))]
    per_day = max(12, math.ceil(len(crops) / len(ORCHARDS) / 5))
    for day, treatment in PEAR_FERTILISERS + PEAR_SPRAYS:
        for b, crop in enumerate(crops):
            k = b // len(ORCHARDS)  # the block's place in its orchard's round
            at = ledger.at(day + k // per_day, 7 + 10 * (k % per_day) / per_day)
            treat(ledger, stock, crop, at, treatment)
    harvested: list[str] = []
    for b, crop in enumerate(crops):
        days = [FIRST_PICK + rng.randint(0, 6)]
        for n in range(1, picks[b]):
            days.append(
                days[-1] + (rng.randint(13, 15) if b == late and n == 1 else rng.randint(7, 10))
            )
        if b == late:
            at = ledger.at(days[0] - LATE_SPRAY_DAYS, 8)
            treat(ledger, stock, crop, at, IMIDACLOPRID)
        for n, day in enumerate(days):
            harvested.append(_pick(ledger, cast, crop, day, picks[b], b == late and n == 0))
    return harvested


def _plant(ledger: Ledger, cast: Cast, block: int) -> Crop:
    """The block's crop record for the season: ADD of its trees, with the variety."""
    key = ORCHARDS[block % len(ORCHARDS)]
    orchard = cast[key]
    number = block // len(ORCHARDS) + 1
    at = ledger.at(3 + number // 12, 8 + 0.7 * (number % 12))
    code = cast.gtin(key, 1, "鸭梨（在田批次）", "Yali pear crop in the field")
    trees = ledger.rng.randint(150, 320)
    crop = Crop(key, ledger.lot(code, "YC", at), trees, f"梨园{number}区", round(trees / 33, 1))
    ilmd = {
        "cityhub:variety": "鸭梨",
        "cityhub:plot": crop.plot,
        "cityhub:season": "2026",
        "cityhub:areaMu": crop.area,
        "cbvmda:countryOfOrigin": "CN",
    }
    body = object_event(
        "ADD",
        city_step("planting"),
        orchard,
        quantities=[quantity(crop.lot, crop.plants, "H87")],
        disposition="active",
        extra={"ilmd": ilmd},
    )
    ledger.record(orchard, at, body)
    return crop


def _pick(ledger: Ledger, cast: Cast, crop: Crop, day: int, picks: int, late: bool) -> str:
    """One pick of a block: harvest lot, cold store, lab test, consignments and sales."""
    rng = ledger.rng
    orchard = cast[crop.farm]
    picked = ledger.at(day, 7)
    kg = round(crop.plants * rng.uniform(90, 140) / picks, 1)
    code = cast.gtin(crop.farm, 2, "冠县鸭梨（鲜果）", "Guanxian Yali pears, fresh")
    lot = ledger.lot(code, "YL", picked)
    ilmd = {
        "cityhub:harvestDate": picked.date().isoformat(),
        "cityhub:variety": "鸭梨",
        "cityhub:plot": crop.plot,
        "cbvmda:countryOfOrigin": "CN",
    }
    trees, fruit = [quantity(crop.lot, crop.plants, "H87")], [quantity(lot, kg, "KGM")]
    ledger.record(
        orchard, picked, transformation(city_step("harvesting"), orchard, trees, fruit, ilmd)
    )
    stored = object_event(
        "OBSERVE", "storing", orchard, quantities=fruit, disposition="sellable_not_accessible"
    )
    ledger.record(orchard, ledger.at(day, 16), stored)
    results = [(str(t.cas), round(rng.uniform(0.003, 0.04), 3)) for _, t in PEAR_SPRAYS]
    if late:  # sprayed four days before picking: far more imidacloprid left
        results[0] = (str(IMIDACLOPRID.cas), round(rng.uniform(0.2, 0.3), 3))
    lab_test(ledger, cast["lab_city"], ledger.at(day + 1, rng.uniform(10, 15)), lot, 2.0, results)
    count = rng.randint(1, 3)
    retailers = rng.sample(PEAR_RETAILERS, count)
    days = sorted(rng.sample(range(day + 3, LAST_SHIPMENT + 1), count))
    cuts = sorted(rng.uniform(0.2, 0.8) for _ in range(count - 1))
    shares = [b - a for a, b in zip([0.0, *cuts], [*cuts, 0.97], strict=True)]
    for retailer_key, shipped, share in zip(retailers, days, shares, strict=True):
        retailer, amount = cast[retailer_key], round(kg * share, 1)
        load = [quantity(lot, amount, "KGM")]
        cold = (round(rng.uniform(0.0, 1.5), 1), round(rng.uniform(2.5, 4.0), 1))
        received = ship(
            ledger,
            orchard,
            retailer,
            ledger.at(shipped, 8),
            quantities=load,
            haulier=cast["coldchain"],
            cold=cold,
        )
        sold = ledger.at(ledger.day(received) + rng.randint(1, 3), rng.uniform(9, 20))
        sell(ledger, retailer, sold, lot, round(amount * rng.uniform(0.3, 0.7), 1), "KGM")
    return lot
