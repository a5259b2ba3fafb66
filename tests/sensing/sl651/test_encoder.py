"""encode_report is the inverse of decode_frame, and refuses what it cannot express."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from cityhub.errors import InvalidInput
from cityhub.sensing.sl651 import Reading, Report, decode_frame, encode_report, parse_frame
from cityhub.sensing.sl651.frames import ETB
from tests.sensing.sl651.samples import OBSERVED, STATION, five_minutes, report


def round_trip(original: Report) -> Report:
    return decode_frame(parse_frame(encode_report(original)))


def drp(values: list[Decimal | None], lead: int = 0xF4) -> list[Reading]:
    return [
        Reading(STATION, lead, t, v) for t, v in zip(five_minutes(OBSERVED), values, strict=True)
    ]


HOURLY = replace(
    report(function_code=0x34),
    readings=(
        *drp([Decimal("0.5"), None, *[Decimal("25.4")] * 10]),
        Reading(STATION, 0x26, OBSERVED, Decimal("123.4")),
        *drp([Decimal("2.56"), *[None] * 10, Decimal("655.34")], lead=0xF5),
        Reading(STATION, 0x38, OBSERVED, Decimal("12.50")),
    ),
)
UNIFORM = replace(
    report(function_code=0x31),
    time_step=timedelta(minutes=30),
    readings=tuple(
        Reading(STATION, 0x39, OBSERVED + i * timedelta(minutes=30), value)
        for i, value in enumerate([Decimal("10.5"), None, Decimal("-0.25"), Decimal("9.999")])
    ),
)
MIXED = report(
    (0x45, Decimal(0x85)),
    (0x02, Decimal("-12.5")),
    (0x80, Decimal("1.2345")),
    (0xFF12, Decimal("-7")),
    (0x81, None),
    (0x17, Decimal("35.5")),
    (0x58, Decimal("101.25")),
    (0x27, None),
)
MULTI_STATION = replace(
    report((0x39, Decimal("1.000"))),
    readings=(
        Reading(STATION, 0x39, OBSERVED, Decimal("1.000")),
        Reading(STATION, 0x39, OBSERVED + timedelta(hours=1), Decimal("1.100")),
        Reading("0011223355", 0x20, OBSERVED, Decimal("0.5")),
    ),
)


@pytest.mark.parametrize(
    "original",
    [
        HOURLY,
        UNIFORM,
        MIXED,
        MULTI_STATION,
        replace(report(), attachments=(("RGZS", b"H 12.3"),), classification=None),
        replace(report((0x39, Decimal("1"))), end=ETB),
        replace(report(), classification=None, function_code=0x2F),
    ],
    ids=["hourly", "uniform", "mixed", "multi-station", "manual", "etb", "keepalive"],
)
def test_round_trip(original: Report) -> None:
    assert round_trip(original) == original


def test_values_are_rounded_to_the_element_decimals() -> None:
    (reading,) = round_trip(report((0x39, Decimal("10.4567")))).readings
    assert reading.value == Decimal("10.457")


@pytest.mark.parametrize(
    "bad",
    [
        replace(HOURLY, readings=HOURLY.readings[:11]),  # 11 five-minute values
        replace(HOURLY, readings=(*drp([Decimal("25.5"), *[None] * 11]),)),  # FF is "invalid"
        replace(HOURLY, readings=(*drp([Decimal("0.05"), *[None] * 11]),)),  # finer than 0.1
        replace(UNIFORM, readings=UNIFORM.readings[::-1]),
        replace(UNIFORM, time_step=timedelta(seconds=90)),
        replace(UNIFORM, readings=()),
        report((0x39, Decimal("100000"))),  # more than 7 digits
        report((0x45, Decimal("1.5"))),  # ZT is a bit field
        report((0xF0, Decimal("1"))),  # not an element value
        replace(report((0x39, Decimal("1"))), classification=None),
        replace(report((0x39, Decimal("1"))), serial=70_000),
        replace(report(), attachments=(("RGZS", b"a"), ("PIC", b"b"))),
        replace(report(), attachments=(("Z", b"a"),)),
        report((0x39, Decimal("1")), observed=OBSERVED.replace(second=5)),
        report((0x39, Decimal("1")), station="00112233"),
    ],
)
def test_refuses_what_the_frame_cannot_express(bad: Report) -> None:
    with pytest.raises(InvalidInput):
        encode_report(bad)
