"""The Appendix C table: identifiers, names, units, N(D,d)."""

from __future__ import annotations

import pytest

from cityhub.sensing.sl651.elements import BY_TAG, ELEMENTS, Coding, definition_byte, element


@pytest.mark.parametrize(
    ("lead", "tag", "unit", "digits", "decimals"),
    [
        (0x1A, "P1", "mm", 5, 1),
        (0x1F, "PD", "mm", 5, 1),
        (0x20, "PJ", "mm", 5, 1),
        (0x22, "PN05", "mm", 5, 1),
        (0x26, "PT", "mm", 6, 1),
        (0x39, "Z", "m", 7, 3),
        (0x3A, "ZB", "m", 7, 3),
        (0x3B, "ZU", "m", 7, 3),
        (0x43, "Z8", "m", 7, 3),
        (0x27, "Q", "m3/s", 9, 3),
        (0x10, "M10", "%", 4, 1),
        (0x16, "M80", "%", 4, 1),
        (0x17, "M100", "%", 4, 1),
        (0x38, "VT", "V", 4, 2),
        (0x58, "WP1", "kPa", 5, 2),
        (0x5F, "WP8", "kPa", 5, 2),
        (0x75, "VIC", "A", 4, 1),
    ],
)
def test_table_rows(lead: int, tag: str, unit: str, digits: int, decimals: int) -> None:
    row = element(lead)
    assert (row.tag, row.unit, row.digits, row.decimals, row.known) == (
        tag,
        unit,
        digits,
        decimals,
        True,
    )
    assert BY_TAG[tag] is row
    assert row.name_zh and row.name_en


@pytest.mark.parametrize(
    ("lead", "tag", "coding"),
    [
        (0xF0, "TT", Coding.OBSERVATION_TIME),
        (0xF1, "ST", Coding.STATION),
        (0xF2, "RGZS", Coding.REST_OF_BODY),
        (0xF3, "PIC", Coding.REST_OF_BODY),
        (0xF4, "DRP", Coding.RAIN_5MIN),
        (0xF5, "DRZ1", Coding.LEVEL_5MIN),
        (0xFC, "DRZ8", Coding.LEVEL_5MIN),
        (0xFD, "DATA", Coding.REST_OF_BODY),
        (0x04, "DRxnn", Coding.TIME_STEP),
        (0x45, "ZT", Coding.STATUS),
    ],
)
def test_special_identifiers(lead: int, tag: str, coding: Coding) -> None:
    assert (element(lead).tag, element(lead).coding) == (tag, coding)


def test_table_covers_every_defined_lead_once() -> None:
    defined = set(range(0x01, 0x76)) | set(range(0xF0, 0xFE))
    assert set(ELEMENTS) == defined
    assert len(BY_TAG) == len(ELEMENTS)


@pytest.mark.parametrize(("lead", "tag"), [(0x76, "76"), (0xEF, "EF"), (0xFF12, "FF12")])
def test_unknown_leads_are_generic(lead: int, tag: str) -> None:
    row = element(lead)
    assert (row.tag, row.known, row.coding, row.hex_identifier) == (tag, False, Coding.BCD, tag)


@pytest.mark.parametrize(
    ("length", "decimals", "byte"),
    [(3, 1, 0x19), (4, 3, 0x23), (2, 2, 0x12), (12, 0, 0x60), (24, 0, 0xC0), (3, 0, 0x18)],
)
def test_definition_byte(length: int, decimals: int, byte: int) -> None:
    assert definition_byte(length, decimals) == byte
    assert (byte >> 3, byte & 7) == (length, decimals)
