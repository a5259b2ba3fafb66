"""BCD numbers (sign prefix, missing values) and times."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from cityhub.errors import InvalidInput
from cityhub.sensing.sl651.bcd import (
    CHINA_TIME,
    decode_number,
    decode_time,
    encode_number,
    encode_time,
)
from cityhub.sensing.sl651.errors import FrameError


@pytest.mark.parametrize(
    ("data", "decimals", "expected"),
    [
        ("000040", 1, Decimal("4.0")),
        ("00010490", 3, Decimal("10.490")),
        ("1099", 2, Decimal("10.99")),
        ("0000", 0, Decimal("0")),
        ("FF0052", 1, Decimal("-5.2")),  # odd digit count: FF0 in front
        ("FF000052", 2, Decimal("-0.52")),  # even digit count: byte FF in front
        ("FF0000", 1, Decimal("0")),  # "minus zero" is zero
        ("FFFF", 2, None),  # all F: missing
        ("FF", 0, None),
        ("FFFFFFFF", 3, None),
        ("", 1, None),
        ("99999999999999999999999999999999", 3, Decimal("99999999999999999999999999999.999")),
    ],
)
def test_decode_number(data: str, decimals: int, expected: Decimal | None) -> None:
    value = decode_number(bytes.fromhex(data), decimals, field="x")
    assert value == expected
    if expected is not None:
        assert value is not None and value.as_tuple().exponent == -decimals


@pytest.mark.parametrize("data", ["0A", "1F23", "FFA1", "00FFF0"])
def test_decode_number_refuses_non_bcd(data: str) -> None:
    with pytest.raises(FrameError) as caught:
        decode_number(bytes.fromhex(data), 1, field="Z", position=7)
    assert caught.value.details["field"] == "Z"
    assert caught.value.details["position"] == 7


@pytest.mark.parametrize(
    ("value", "digits", "decimals", "expected"),
    [
        (Decimal("4.0"), 5, 1, "000040"),
        (Decimal("10.49"), 7, 3, "00010490"),
        (Decimal("10.99"), 4, 2, "1099"),
        (Decimal("-5.2"), 3, 1, "FF0052"),
        (Decimal("-0.52"), 4, 2, "FF0052"),
        (Decimal("1.25"), 3, 1, "0013"),  # rounded half up
        (None, 7, 3, "FFFFFFFF"),
        (None, 3, 1, "FFFF"),
    ],
)
def test_encode_number(value: Decimal | None, digits: int, decimals: int, expected: str) -> None:
    assert encode_number(value, digits, decimals, field="x").hex().upper() == expected


def test_encode_number_pads_to_a_width() -> None:
    assert encode_number(Decimal("5.2"), 3, 1, field="x", width=3).hex() == "000052"
    assert encode_number(Decimal("-5.2"), 3, 1, field="x", width=4).hex() == "ff000052"
    assert decode_number(bytes.fromhex("ff000052"), 1, field="x") == Decimal("-5.2")


@pytest.mark.parametrize(
    "value", [Decimal("100.0"), Decimal("-100"), Decimal("NaN"), Decimal("Inf")]
)
def test_encode_number_refuses_what_does_not_fit(value: Decimal) -> None:
    with pytest.raises(InvalidInput):
        encode_number(value, 3, 1, field="AI")


@pytest.mark.parametrize(
    ("data", "seconds", "expected"),
    [
        ("170718110016", True, datetime(2017, 7, 18, 11, 0, 16, tzinfo=CHINA_TIME)),
        ("1707181100", False, datetime(2017, 7, 18, 11, 0, tzinfo=CHINA_TIME)),
        ("991231235959", True, datetime(2099, 12, 31, 23, 59, 59, tzinfo=CHINA_TIME)),
        ("0002290000", False, datetime(2000, 2, 29, tzinfo=CHINA_TIME)),
    ],
)
def test_decode_time(data: str, seconds: bool, expected: datetime) -> None:
    assert decode_time(bytes.fromhex(data), seconds=seconds, field="t") == expected
    assert encode_time(expected, seconds=seconds, field="t").hex() == data


@pytest.mark.parametrize(
    ("data", "seconds"),
    [
        ("171318110016", True),  # month 13
        ("170230110016", True),  # 30 February
        ("170718240000", True),  # hour 24
        ("1707181160", False),  # minute 60
        ("17071811", False),  # too short
        ("1A0718110016", True),  # not BCD
    ],
)
def test_decode_time_refuses_impossible_times(data: str, seconds: bool) -> None:
    with pytest.raises(FrameError) as caught:
        decode_time(bytes.fromhex(data), seconds=seconds, field="send_time", position=2)
    assert caught.value.details["field"] == "send_time"


def test_encode_time_converts_to_station_clock_and_refuses_naive() -> None:
    utc = datetime(2024, 6, 1, 0, 0, tzinfo=UTC)
    assert encode_time(utc, seconds=False, field="t").hex() == "2406010800"
    with pytest.raises(InvalidInput):
        encode_time(datetime(2024, 6, 1), seconds=False, field="t")
    with pytest.raises(InvalidInput):
        encode_time(datetime(1999, 6, 1, tzinfo=CHINA_TIME), seconds=False, field="t")
