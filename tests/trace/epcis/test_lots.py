"""Which lots, items and containers an event creates or uses."""

from __future__ import annotations

import pytest

from cityhub.trace.epcis import EpcisError, EventLots, event_lots
from tests.trace.epcis.events import HARVEST, LOT, PACKING, PALLET, PESTICIDE, PROCESSING, event

PESTICIDE_LOT = "https://id.gs1.org/01/06901234000016/10/P7"
JUICE = "https://id.gs1.org/01/06901234000023/10/J1"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (PESTICIDE, EventLots((), (PESTICIDE_LOT,), (), (), (), ())),
        (HARVEST, EventLots((LOT,), (), (), (), (), ())),
        (event(HARVEST, action="OBSERVE", ilmd=...), EventLots((), (LOT,), (), (), (), ())),
        (PACKING, EventLots((PALLET,), (LOT,), (), (), (PALLET,), (LOT,))),
        (event(PACKING, action="DELETE"), EventLots((), (PALLET, LOT), (), (), (PALLET,), (LOT,))),
        (PROCESSING, EventLots((JUICE,), (LOT,), (LOT,), (JUICE,), (), ())),
    ],
)
def test_roles(given: dict[str, object], expected: EventLots) -> None:
    assert event_lots(given) == expected


def test_forms_are_canonical_and_deduplicated() -> None:
    given = event(
        HARVEST,
        action="OBSERVE",
        ilmd=...,
        quantityList=[
            {"epcClass": "urn:epc:class:lgtin:6901234.000001.L1"},
            {"epcClass": "https://liaocheng.cityhub.example/01/06901234000016/10/L1"},
            {"epcClass": "https://id.gs1.org/01/06901234000016"},  # a product, not a lot
        ],
        epcList=["urn:epc:id:sgtin:6901234.000001.S9", "urn:epc:id:sscc:0614141.1234567890"],
    )
    lots = event_lots(given)
    assert lots.used == (
        "https://id.gs1.org/00/106141412345678908",
        "https://id.gs1.org/01/06901234000016/10/L1",
        "https://id.gs1.org/01/06901234000016/21/S9",
    )
    assert lots.referenced == lots.used


def test_referenced_is_sorted_union() -> None:
    assert event_lots(PACKING).referenced == tuple(sorted((PALLET, LOT)))


def test_non_gs1_identifier() -> None:
    with pytest.raises(EpcisError):
        event_lots(event(PESTICIDE, epcList=["urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"]))
