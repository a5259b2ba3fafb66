"""东阿 donkeys: fattening with feed and a deworming drug, slaughter, hides to the gelatin works.

Each farm gets a feed lot a month and a drug lot every two months, which it records receiving;
its 生产记录 (feeding and dosing, ``cityhub:agriInput``) name the lot in use. The deworming at
intake has a 休药期 (withdrawal period) of 28 days; a lot is fattened at least 55 days, so no
slaughter falls inside it.
"""

from __future__ import annotations

from datetime import timedelta

from cityhub.demo.trace_chain_actors import Cast
from cityhub.demo.trace_chain_events import agri_input, object_event, quantity, transformation
from cityhub.demo.trace_chain_ledger import Ledger, receive_supply, ship
from cityhub.demo.trace_chain_model import city_step

FARMS = ("donkey_coop", "donkey_farm", "donkey_farmer")
FEED_PERIOD, DRUG_PERIOD = 30, 60
WITHDRAWAL_DAYS = 28
# the premix: 1 kg per tonne of feed for five days, a donkey eating about 3 kg of feed a day
PREMIX_KG_PER_TONNE, DOSING_DAYS, RATION_KG = 1.0, 5, 3.0
FEED_LICENCE = "鲁饲证(2022)07026"


class FarmInputs:
    """The feed and drug lots delivered to the farms, each recorded on first use."""

    def __init__(self, ledger: Ledger, cast: Cast) -> None:
        self.ledger, self.cast = ledger, cast
        self.feed = cast.gtin("feed", 1, "驴用精料补充料", "Donkey concentrate supplement")
        self.drug = cast.gtin("vet", 1, "阿苯达唑伊维菌素预混剂", "Albendazole-ivermectin premix")
        self.drug_number = f"兽药字(2024)15{ledger.rng.randint(0, 9_999_999):07d}"
        self._lots: dict[tuple[str, str, int], str] = {}

    def lot(self, farm: str, supply: str, day: int) -> str:
        """The lot of ``supply`` (``feed`` or ``vet``) in use at ``farm`` on ``day``."""
        period = FEED_PERIOD if supply == "feed" else DRUG_PERIOD
        key = (farm, supply, day // period)
        if key not in self._lots:
            ledger = self.ledger
            delivered = ledger.at(key[2] * period, 9 + FARMS.index(farm))
            made = delivered - timedelta(days=ledger.rng.randint(3, 20))
            if supply == "feed":
                lot, amount = ledger.lot(self.feed, "SL", made), 8000
            else:
                lot, amount = ledger.lot(self.drug, "SY", made), 40
            receive_supply(
                ledger, self.cast[supply], self.cast[farm], delivered, lot, amount, "KGM"
            )
            self._lots[key] = lot
        return self._lots[key]


def donkey_lot(
    ledger: Ledger, cast: Cast, inputs: FarmInputs, boil: int, i: int
) -> tuple[str, float]:
    """Donkey lot ``i``, from intake to its hides prepared for the boil on day ``boil``.

    Returns the hide lot and its mass (kg).
    """
    rng = ledger.rng
    farm_key = FARMS[i % len(FARMS)]
    farm = cast[farm_key]
    killed = boil - rng.randint(12, 18)
    intake = max(1 + i % 5, killed - rng.randint(60, 120))
    head = rng.randint(24, 36)
    arrived = ledger.at(intake, 10)
    live = cast.gtin(farm_key, 1, "活驴（育肥）", "Live donkeys, fattening")
    donkeys = ledger.lot(live, "LV", arrived)
    herd = [quantity(donkeys, head, "H87")]
    breed = {"ilmd": {"cityhub:breed": "东阿黑毛驴", "cbvmda:countryOfOrigin": "CN"}}
    intake_body = object_event(
        "ADD", "commissioning", farm, quantities=herd, disposition="active", extra=breed
    )
    ledger.record(farm, arrived, intake_body)
    feeding = city_step("feeding")
    dosed = intake + rng.randint(5, 9)
    dosing = agri_input(
        "阿苯达唑伊维菌素预混剂",
        inputs.drug_number,
        cast["vet"],
        inputs.lot(farm_key, "vet", dosed),
        round(head * RATION_KG * DOSING_DAYS / 1000 * PREMIX_KG_PER_TONNE, 2),
        "KGM",
        "混饲",
        (ledger.at(dosed).date(), ledger.at(dosed + DOSING_DAYS - 1).date()),
        WITHDRAWAL_DAYS,
    )
    body = object_event("OBSERVE", feeding, farm, quantities=herd, extra=dosing)
    ledger.record(farm, ledger.at(dosed + DOSING_DAYS - 1, 17), body)
    # Monthly feeding records, the last one closed the day before the herd leaves for slaughter.
    for first in range(intake, killed - 1, FEED_PERIOD):
        last = min(first + FEED_PERIOD - 1, killed - 2)
        ration = agri_input(
            "驴用精料补充料",
            FEED_LICENCE,
            cast["feed"],
            inputs.lot(farm_key, "feed", first),
            round(head * (last - first + 1) * rng.uniform(2.5, 3.5), 1),
            "KGM",
            "槽饲",
            (ledger.at(first).date(), ledger.at(last).date()),
        )
        body = object_event("OBSERVE", feeding, farm, quantities=herd, extra=ration)
        ledger.record(farm, ledger.at(last, 18), body)
    return _slaughter(ledger, cast, farm_key, herd, killed)


def _slaughter(
    ledger: Ledger, cast: Cast, farm_key: str, herd: list[dict[str, object]], killed: int
) -> tuple[str, float]:
    rng = ledger.rng
    slaughterhouse, works = cast["slaughter"], cast["gelatin"]
    received = ship(
        ledger, cast[farm_key], slaughterhouse, ledger.at(killed - 1, 14), quantities=herd
    )
    slaughtered = max(ledger.at(killed, 6), received + timedelta(hours=8))
    kg = round(float(str(herd[0]["quantity"])) * rng.uniform(7.5, 9.5), 1)
    hide_gtin = cast.gtin("slaughter", 1, "鲜驴皮", "Fresh donkey hides")
    skins = [quantity(ledger.lot(hide_gtin, "PH", slaughtered), kg, "KGM")]
    ilmd = {"cityhub:slaughterDate": slaughtered.date().isoformat(), "cbvmda:countryOfOrigin": "CN"}
    ledger.record(
        slaughterhouse, slaughtered, transformation("killing", slaughterhouse, herd, skins, ilmd)
    )
    sent = ledger.at(killed + 1, 10)
    ship(ledger, slaughterhouse, works, sent, quantities=skins, haulier=cast["haulier"])
    operation = {"cityhub:operation": "泡皮、刮毛、切皮"}  # soaking, dehairing, cutting
    prepared = object_event(
        "OBSERVE", city_step("processing"), works, quantities=skins, extra=operation
    )
    ledger.record(works, ledger.at(killed + 3, 9), prepared)
    return str(skins[0]["epcClass"]), kg
