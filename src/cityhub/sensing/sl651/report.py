"""``Report`` and ``Reading``: what the codec decodes a station's frame into.

This is the interface between the SL 651 gateway and the rest of cityhub (mapping to
SensorThings happens elsewhere, from these objects alone):

- a ``Report`` is one uplink message (one frame, or one reassembled M3 multi-packet message):
  who sent it (``center``, ``station``, ``password``), what it is (``function_code``), its
  ``serial`` and ``sent_at`` (together with station and function code the deduplication
  ``key``), the station ``classification`` and the ``readings``;
- a ``Reading`` is one value of one element at one observation time. The 5-minute groups DRP
  and DRZn arrive as 12 values and become 12 readings 5 minutes apart; a uniform-interval
  report (31H) becomes one reading per interval; ZT (station status) is a reading whose
  ``value`` is the raw 32-bit field and whose ``flags`` name the conditions set.

Times are aware datetimes in the station clock (China Standard Time, UTC+8, unless the decoder
was given another zone); values are exact ``Decimal`` numbers, ``None`` when the station sent
"no data" (all ``F``, or ``FF``/``FFFF`` in DRP/DRZ).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from cityhub.sensing.sl651.elements import STATUS, Element, element

ETX = 0x03

# Appendix A: classification code (HEX; the same byte is the ASCII letter) → kind of station.
CLASSIFICATIONS: dict[int, str] = {
    0x50: "rain",  # P 降水
    0x48: "river",  # H 河道
    0x4B: "reservoir",  # K 水库(湖泊)
    0x5A: "sluice",  # Z 闸坝
    0x44: "pump",  # D 泵站
    0x54: "tide",  # T 潮汐
    0x4D: "soil_moisture",  # M 墒情
    0x47: "groundwater",  # G 地下水
    0x51: "water_quality",  # Q 水质
    0x49: "intake",  # I 取水口
    0x4F: "outfall",  # O 排水口
}

# Table 58: ZT bit → condition name when the condition holds. Bit 7 (cabinet door) reads
# 0 = open, so "cabinet_door_open" is set when that bit is clear.
STATUS_BITS: tuple[tuple[int, str], ...] = (
    (0, "ac_power_off"),
    (1, "battery_low"),
    (2, "water_level_alarm"),
    (3, "flow_alarm"),
    (4, "water_quality_alarm"),
    (5, "flow_meter_fault"),
    (6, "water_level_gauge_fault"),
    (7, "cabinet_door_open"),
    (8, "memory_fault"),
    (9, "ic_card_enabled"),
    (10, "pump_stopped"),
    (11, "remaining_water_over_limit"),
)
_INVERTED_BITS = frozenset({7})


def status_flags(value: int) -> frozenset[str]:
    """Names of the Table 58 conditions that hold in the ZT field ``value``."""
    return frozenset(
        name for bit, name in STATUS_BITS if bool(value >> bit & 1) != (bit in _INVERTED_BITS)
    )


@dataclass(frozen=True)
class Reading:
    """One value of one element at one time.

    ``station``: address of the station the value belongs to (10 hex digits; a multi-station
    report switches stations with ``F1F1``). ``lead``: the identifier's lead byte, or
    ``0xFF00 | ext`` for a user-defined ``FFxx`` identifier. ``observed_at``: the observation
    time (the ``F0F0`` group in force; the send time if the body has none). ``value``: exact
    number in the element's unit, ``None`` = no data. ``raw``: the data bytes as sent (for an
    expanded DRP/DRZ group or a 31H row: this value's bytes); not part of equality.
    """

    station: str
    lead: int
    observed_at: datetime
    value: Decimal | None
    raw: bytes = field(default=b"", compare=False, repr=False)

    @property
    def element(self) -> Element:
        """The Table C.1 row (or a generic one for an unknown identifier)."""
        return element(self.lead)

    @property
    def tag(self) -> str:
        """Appendix C tag (``PJ``, ``Z``, ``DRP`` …), or the lead in hex when unknown."""
        return self.element.tag

    @property
    def unit(self) -> str:
        """Unit symbol of the element (``mm``, ``m``, ``m3/s``, ``V`` …; empty if none)."""
        return self.element.unit

    @property
    def number(self) -> float | None:
        """``value`` as a float, for storage as an Observation result."""
        return None if self.value is None else float(self.value)

    @property
    def flags(self) -> frozenset[str]:
        """For ZT: the Table 58 conditions set (see ``STATUS_BITS``); else empty."""
        if self.lead != STATUS or self.value is None:
            return frozenset()
        return status_flags(int(self.value))


@dataclass(frozen=True)
class Report:
    """One uplink message of a station (see the module docstring).

    ``center``: center station address 1–255. ``station``: the sender's address from the
    header, 10 hex digits (``0012345678``). ``password``: 2-byte value from the header.
    ``function_code``: Appendix B code (0x2F keep-alive, 0x30 test, 0x31 uniform interval,
    0x32 timed, 0x33 add-report, 0x34 hourly, 0x35 manual input). ``serial``: 1–65535.
    ``sent_at``: send time. ``classification``: Appendix A code of the first station block
    (``CLASSIFICATIONS``), ``None`` when the body has no station group (keep-alive, 35H).
    ``readings``: in body order. ``time_step``: the 31H interval, else ``None``.
    ``attachments``: (tag, bytes) of rest-of-body groups (``RGZS`` manual data, ``PIC``,
    ``DATA``). ``end``: end character of the (last) uplink frame, ETX or ETB — it decides the
    acknowledgement's end character. ``packets``: M3 packet count, 0 for a single frame.
    ``raw``: the frame bytes as received (M3: the packets concatenated); not part of equality.
    """

    center: int
    station: str
    password: int
    function_code: int
    serial: int
    sent_at: datetime
    classification: int | None = None
    readings: tuple[Reading, ...] = ()
    time_step: timedelta | None = None
    attachments: tuple[tuple[str, bytes], ...] = ()
    end: int = ETX
    packets: int = 0
    raw: bytes = field(default=b"", compare=False, repr=False)

    @property
    def key(self) -> tuple[str, int, int, datetime]:
        """Deduplication key (station, function code, serial, send time): resends reuse it."""
        return (self.station, self.function_code, self.serial, self.sent_at)

    @property
    def classification_name(self) -> str | None:
        """``river``, ``rain`` … for ``classification``; ``None`` when absent or unknown."""
        return None if self.classification is None else CLASSIFICATIONS.get(self.classification)
