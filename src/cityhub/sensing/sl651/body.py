"""Decode the body of an uplink report (function codes 2F, 30–35) into a ``Report``.

Body order (§6.6.1, Table 24): serial (2 HEX) · send time (6 BCD) · then identifier groups:
``F1F1`` station address (5) + classification (1) · ``F0F0`` observation time (5 BCD) ·
elements ``lead definition data``. A new ``F0F0`` sets the time of the elements after it,
a new ``F1F1`` the station. ``04 18 dhm`` with a non-zero step starts the uniform-interval
rows of 31H: one identifier, then equally wide values until the end of the body.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from cityhub.sensing.sl651.bcd import (
    CHINA_TIME,
    bcd_digits,
    decode_number,
    decode_time,
    is_missing,
)
from cityhub.sensing.sl651.elements import FIVE_MINUTE_VALUES, Coding, Element, element
from cityhub.sensing.sl651.errors import FrameError, UnsupportedFunction
from cityhub.sensing.sl651.frames import ETX, Frame, Header
from cityhub.sensing.sl651.report import Reading, Report

KEEPALIVE = 0x2F
REPORT_FUNCTIONS = frozenset(range(0x30, 0x36))  # test … manual input: acknowledged in M2
SUPPORTED_FUNCTIONS = REPORT_FUNCTIONS | {KEEPALIVE}
FIVE_MINUTES = timedelta(minutes=5)


def decode_frame(frame: Frame, *, tz: tzinfo = CHINA_TIME) -> Report:
    """The report in an uplink frame (or reassembled M3 message).

    Raises UnsupportedFunction for a function code outside 2F, 30–35 (the frame itself is
    fine) and FrameError for a downlink frame or a malformed body.
    """
    header = frame.header
    if header.downlink:
        raise FrameError("a downlink frame is not a station report", details={"field": "flag"})
    if header.function_code not in SUPPORTED_FUNCTIONS:
        raise UnsupportedFunction(
            f"function code {header.function_code:02X}H is not decoded",
            details={"field": "function_code", "function_code": f"{header.function_code:02X}"},
        )
    return decode_body(
        header,
        frame.body,
        tz=tz,
        end=frame.end,
        packets=frame.packet[0] if frame.packet else 0,
        raw=frame.raw,
    )


class _Cursor:
    """Reads the body front to back; positions in errors are body offsets."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.position = 0

    @property
    def remaining(self) -> int:
        return len(self.body) - self.position

    def take(self, size: int, field: str) -> bytes:
        if size > self.remaining:
            raise FrameError(
                f"{field}: needs {size} bytes, body has {self.remaining} left",
                details={"field": field, "position": self.position},
            )
        data = self.body[self.position : self.position + size]
        self.position += size
        return data

    def identifier(self) -> tuple[int, int]:
        """Lead (``0xFF00 | ext`` for ``FFxx``) and definition byte of the next group."""
        lead = self.take(1, "identifier")[0]
        if lead == 0xFF:
            lead = 0xFF00 | self.take(1, "identifier")[0]
        return lead, self.take(1, "identifier")[0]


def decode_body(
    header: Header,
    body: bytes,
    *,
    tz: tzinfo = CHINA_TIME,
    end: int = ETX,
    packets: int = 0,
    raw: bytes = b"",
) -> Report:
    """Decode ``body`` sent with ``header`` (see the module docstring)."""
    cursor = _Cursor(body)
    serial = int.from_bytes(cursor.take(2, "serial"), "big")
    sent_at = decode_time(
        cursor.take(6, "send_time"), seconds=True, tz=tz, field="send_time", position=2
    )
    station = header.station
    observed_at: datetime | None = None
    classification: int | None = None
    time_step: timedelta | None = None
    readings: list[Reading] = []
    attachments: list[tuple[str, bytes]] = []
    while cursor.remaining:
        lead, definition = cursor.identifier()
        row = element(lead)
        size, decimals = definition >> 3, definition & 7
        when = observed_at or sent_at
        at = cursor.position  # where this group's data starts
        if row.coding is Coding.OBSERVATION_TIME:
            data = cursor.take(5, "observation_time")
            observed_at = decode_time(
                data, seconds=False, tz=tz, field="observation_time", position=at
            )
        elif row.coding is Coding.STATION:
            station = cursor.take(5, "station").hex().upper()
            code = cursor.take(1, "classification")[0]
            classification = code if classification is None else classification
        elif row.coding is Coding.REST_OF_BODY:
            attachments.append((row.tag, cursor.take(cursor.remaining, row.tag)))
        elif row.coding in (Coding.RAIN_5MIN, Coding.LEVEL_5MIN):
            readings.extend(_five_minute(cursor, station, lead, size, when))
        elif row.coding is Coding.TIME_STEP:
            step = _time_step(cursor.take(size, "time_step"), at)
            if step:
                time_step = step
                readings.extend(_uniform(cursor, station, when, step))
        else:
            data = cursor.take(size, row.tag)
            value = _value(row, data, decimals, at)
            readings.append(Reading(station, lead, when, value, data))
    return Report(
        center=header.center,
        station=header.station,
        password=header.password,
        function_code=header.function_code,
        serial=serial,
        sent_at=sent_at,
        classification=classification,
        readings=tuple(readings),
        time_step=time_step,
        attachments=tuple(attachments),
        end=end,
        packets=packets,
        raw=raw,
    )


def _value(row: Element, data: bytes, decimals: int, at: int) -> Decimal | None:
    """One element value: ZT as unsigned HEX, everything else BCD.

    An identifier not in Table C.1 may carry vendor HEX data: if it is not BCD its value is
    ``None`` and the bytes stay in ``Reading.raw`` instead of failing the whole report.
    """
    if row.coding is Coding.STATUS:
        return None if not data or is_missing(data) else Decimal(int.from_bytes(data, "big"))
    try:
        return decode_number(data, decimals, field=row.tag, position=at)
    except FrameError:
        if row.known:
            raise
        return None


def _five_minute(
    cursor: _Cursor, station: str, lead: int, size: int, start: datetime
) -> list[Reading]:
    """DRP (1 byte each, 0.1 mm, FF invalid) or DRZ (2 bytes each, 0.01 m, FFFF invalid)."""
    row = element(lead)
    width = 1 if row.coding is Coding.RAIN_5MIN else 2
    at = cursor.position
    data = cursor.take(size, row.tag)
    if size != width * FIVE_MINUTE_VALUES:
        raise FrameError(
            f"{row.tag}: {size} bytes, expected {width * FIVE_MINUTE_VALUES}",
            details={"field": row.tag, "position": at},
        )
    readings = []
    for index in range(FIVE_MINUTE_VALUES):
        chunk = data[index * width : (index + 1) * width]
        value = (
            None
            if is_missing(chunk)
            else Decimal(int.from_bytes(chunk, "big")).scaleb(-row.decimals)
        )
        readings.append(Reading(station, lead, start + index * FIVE_MINUTES, value, chunk))
    return readings


def _time_step(data: bytes, at: int) -> timedelta:
    """``d h m`` BCD time step; all zero means "1-hour DRP/DRZ groups follow" (Table C.3)."""
    digits = bcd_digits(data, field="time_step", position=at)
    if len(data) != 3:
        raise FrameError(
            "time step needs 3 bytes d h m", details={"field": "time_step", "position": at}
        )
    days, hours, minutes = (int(digits[i : i + 2]) for i in (0, 2, 4))
    return timedelta(days=days, hours=hours, minutes=minutes)


def _uniform(cursor: _Cursor, station: str, start: datetime, step: timedelta) -> list[Reading]:
    """31H rows: one identifier, then values of its width at ``start + i·step`` to the end."""
    at = cursor.position
    lead, definition = cursor.identifier()
    row = element(lead)
    size, decimals = definition >> 3, definition & 7
    if row.coding not in (Coding.BCD, Coding.STATUS) or size == 0:
        raise FrameError(
            f"{row.tag} cannot be reported at uniform intervals",
            details={"field": "uniform_element", "position": at},
        )
    if cursor.remaining % size:
        raise FrameError(
            f"uniform data of {cursor.remaining} bytes is not a multiple of {size}",
            details={"field": "uniform_data", "position": cursor.position},
        )
    readings = []
    for index in range(cursor.remaining // size):
        offset = cursor.position
        data = cursor.take(size, row.tag)
        value = _value(row, data, decimals, offset)
        readings.append(Reading(station, lead, start + index * step, value, data))
    return readings
