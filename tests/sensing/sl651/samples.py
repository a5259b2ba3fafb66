"""Frames and reports shared by the SL 651 tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from cityhub.sensing.sl651 import CHINA_TIME, Reading, Report

# The two verified frames of the reference (sensing.md §4.7).
KEEPALIVE_HEX = "7E7E01001234567812342F0008020003591011155111036BCA"
TIMED_HEX = (
    "7E7E05001122334403E832002B020034170718110016F1F1001122334448F0F01707181100"
    "201900004026190000403923000104903812109903A421"
)
KEEPALIVE = bytes.fromhex(KEEPALIVE_HEX)
TIMED = bytes.fromhex(TIMED_HEX)

OBSERVED = datetime(2024, 7, 18, 8, 0, tzinfo=CHINA_TIME)
SENT = datetime(2024, 7, 18, 8, 0, 16, tzinfo=CHINA_TIME)
STATION = "0011223344"


def report(
    *values: tuple[int, Decimal | None],
    serial: int = 52,
    function_code: int = 0x32,
    station: str = STATION,
    observed: datetime = OBSERVED,
    sent: datetime = SENT,
) -> Report:
    """A river-station report with ``(lead, value)`` readings at ``observed``."""
    return Report(
        center=5,
        station=station,
        password=0x03E8,
        function_code=function_code,
        serial=serial,
        sent_at=sent,
        classification=0x48,
        readings=tuple(Reading(station, lead, observed, value) for lead, value in values),
    )


def water_level(level: str, *, serial: int = 52, station: str = STATION) -> Report:
    """A timed report with water level Z and voltage VT."""
    return report((0x39, Decimal(level)), (0x38, Decimal("12.5")), serial=serial, station=station)


def five_minutes(start: datetime, count: int = 12) -> list[datetime]:
    """``count`` times 5 minutes apart from ``start``."""
    return [start + timedelta(minutes=5 * i) for i in range(count)]
