"""Build frames from a ``Report`` (simulator, tests) and the center's acknowledgements.

``encode_report`` is the inverse of ``decode_frame``: elements are written with their
Table C.1 N(D,d) (rounded half up to d decimals), unknown identifiers with the digits their
value needs, DRP/DRZ readings in groups of 12 five minutes apart, a 31H report (``time_step``
set) as one identifier and its rows. ``build_ack`` answers an M2 report (§6.3.1.2 b) or a
complete M3 message; ``build_nak`` asks an M3 station to resend one packet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from cityhub.errors import InvalidInput
from cityhub.sensing.sl651.bcd import CHINA_TIME, encode_number, encode_time
from cityhub.sensing.sl651.elements import (
    BY_TAG,
    FIVE_MINUTE_VALUES,
    OBSERVATION_TIME,
    STATION,
    TIME_STEP,
    Coding,
    Element,
    definition_byte,
    element,
)
from cityhub.sensing.sl651.errors import FrameError
from cityhub.sensing.sl651.frames import (
    ACK,
    EOT,
    ETB,
    ETX,
    MAX_LENGTH,
    NAK,
    PACKET_BYTES,
    Frame,
    build_frame,
)
from cityhub.sensing.sl651.report import Reading, Report

FIVE_MINUTES = timedelta(minutes=5)
MAX_DATA_BYTES = 31  # the definition byte has 5 bits for the length
# Definition bytes of the rest-of-body groups (Appendix C footnotes c, d, f).
_REST_DEFINITION = {0xF2: 0xF2, 0xF3: 0xF3, 0xFD: 0xF6}


def encode_report(report: Report, *, tz: tzinfo = CHINA_TIME) -> bytes:
    """One uplink frame carrying ``report`` (ending with ``report.end``)."""
    body = encode_body(report, tz=tz)
    if len(body) > MAX_LENGTH:
        raise InvalidInput(
            f"body of {len(body)} bytes needs M3 packets (encode_packets)",
            details={"field": "body"},
        )
    return build_frame(
        center=report.center,
        station=report.station,
        password=report.password,
        function_code=report.function_code,
        body=body,
        end=report.end,
    )


def encode_packets(
    report: Report, *, packet_size: int = 200, tz: tzinfo = CHINA_TIME
) -> list[bytes]:
    """``report`` as M3 packets of at most ``packet_size`` body bytes (ETB …, ETX last)."""
    if not 1 <= packet_size <= MAX_LENGTH - PACKET_BYTES:
        raise InvalidInput(f"packet size {packet_size} out of range", details={"field": "size"})
    body = encode_body(report, tz=tz)
    chunks = [body[i : i + packet_size] for i in range(0, len(body), packet_size)]
    return [
        build_frame(
            center=report.center,
            station=report.station,
            password=report.password,
            function_code=report.function_code,
            body=chunk,
            end=ETX if number == len(chunks) else ETB,
            packet=(len(chunks), number),
        )
        for number, chunk in enumerate(chunks, start=1)
    ]


def encode_body(report: Report, *, tz: tzinfo = CHINA_TIME) -> bytes:
    """The body bytes of ``report``: serial, send time, station groups, attachments."""
    if not 0 <= report.serial <= 0xFFFF:
        raise InvalidInput(f"serial {report.serial} out of range", details={"field": "serial"})
    out = bytearray(report.serial.to_bytes(2, "big"))
    out += encode_time(report.sent_at, seconds=True, tz=tz, field="sent_at")
    if report.time_step is not None:
        out += _uniform(report, report.time_step, tz)
    else:
        out += _groups(report, tz)
    if len(report.attachments) > 1:
        raise InvalidInput("at most one attachment: it runs to the end of the body")
    for tag, data in report.attachments:
        row = BY_TAG.get(tag)
        if row is None or row.coding is not Coding.REST_OF_BODY:
            raise InvalidInput(f"{tag} is not an attachment group", details={"field": tag})
        out += bytes([row.lead, _REST_DEFINITION[row.lead]]) + data
    return bytes(out)


def _station_group(report: Report, station: str) -> bytes:
    if report.classification is None:
        raise InvalidInput(
            "readings need a classification code", details={"field": "classification"}
        )
    try:
        address = bytes.fromhex(station)
    except ValueError:
        address = b""
    if len(address) != 5:
        raise InvalidInput(
            f"station {station!r} is not 10 hex digits", details={"field": "station"}
        )
    return bytes([STATION, STATION]) + address + bytes([report.classification])


def _time_group(when: datetime, tz: tzinfo) -> bytes:
    if when.second or when.microsecond:
        raise InvalidInput(
            f"observation time {when} is not on a minute", details={"field": "observed_at"}
        )
    return bytes([OBSERVATION_TIME, OBSERVATION_TIME]) + encode_time(
        when, seconds=False, tz=tz, field="observed_at"
    )


def _groups(report: Report, tz: tzinfo) -> bytes:
    out = bytearray()
    readings = report.readings
    if not readings and report.classification is not None:
        out += _station_group(report, report.station)
    station: str | None = None
    observed: datetime | None = None
    index = 0
    while index < len(readings):
        reading = readings[index]
        if reading.station != station:
            out += _station_group(report, reading.station)
            station, observed = reading.station, None
        if reading.observed_at != observed:
            out += _time_group(reading.observed_at, tz)
            observed = reading.observed_at
        row = element(reading.lead)
        if row.coding in (Coding.RAIN_5MIN, Coding.LEVEL_5MIN):
            out += _five_minute(readings[index : index + FIVE_MINUTE_VALUES], row)
            index += FIVE_MINUTE_VALUES
            continue
        out += _identifier(row, reading.lead) + _single(row, reading)
        index += 1
    return bytes(out)


def _identifier(row: Element, lead: int) -> bytes:
    if row.coding not in (Coding.BCD, Coding.STATUS) or lead == 0xFF or lead > 0xFFFF:
        raise InvalidInput(f"{row.tag} is not an element value", details={"field": row.tag})
    return bytes([0xFF, lead & 0xFF]) if lead > 0xFF else bytes([lead])


def _single(row: Element, reading: Reading) -> bytes:
    digits, decimals = _format(row, [reading.value])
    data = _data(row, reading.value, digits, decimals, 0)
    return bytes([definition_byte(len(data), decimals if row.coding is Coding.BCD else 0)]) + data


def _format(row: Element, values: Sequence[Decimal | None]) -> tuple[int, int]:
    """N(D,d) to encode ``values`` of ``row``: the table's, or the values' own if unknown."""
    if row.known and row.digits is not None:
        return row.digits, row.decimals
    present = [value for value in values if value is not None]
    exponents = [value.as_tuple().exponent for value in present]
    decimals = min(7, max([0, *(-e for e in exponents if isinstance(e, int))]))
    digits = max([1, *(len(str(abs(int(value.scaleb(decimals))))) for value in present)])
    return digits, decimals


def _data(row: Element, value: Decimal | None, digits: int, decimals: int, width: int) -> bytes:
    if row.coding is Coding.STATUS:
        if value is None:
            return b"\xff" * 4
        if value != int(value) or not 0 <= value <= 0xFFFFFFFF:
            raise InvalidInput(f"ZT {value} is not a 32-bit field", details={"field": "ZT"})
        return int(value).to_bytes(4, "big")
    data = encode_number(value, digits, decimals, field=row.tag, width=width)
    if len(data) > MAX_DATA_BYTES:
        raise InvalidInput(f"{row.tag}: value too long", details={"field": row.tag})
    return data


def _five_minute(group: Sequence[Reading], row: Element) -> bytes:
    """12 readings of DRP or DRZn as one group (FF / FFFF for a missing value)."""
    first = group[0]
    width = 1 if row.coding is Coding.RAIN_5MIN else 2
    top = (1 << (8 * width)) - 1  # all ones means "invalid"
    expected = [first.observed_at + i * FIVE_MINUTES for i in range(FIVE_MINUTE_VALUES)]
    if len(group) != FIVE_MINUTE_VALUES or [(r.lead, r.station, r.observed_at) for r in group] != [
        (first.lead, first.station, when) for when in expected
    ]:
        raise InvalidInput(
            f"{row.tag} needs 12 readings 5 minutes apart", details={"field": row.tag}
        )
    data = bytearray()
    for reading in group:
        if reading.value is None:
            data += b"\xff" * width
            continue
        scaled = reading.value.scaleb(row.decimals)
        if scaled != int(scaled) or not 0 <= scaled < top:
            raise InvalidInput(
                f"{row.tag} value {reading.value} not encodable", details={"field": row.tag}
            )
        data += int(scaled).to_bytes(width, "big")
    return bytes([first.lead, definition_byte(len(data), 0)]) + data


def _uniform(report: Report, step: timedelta, tz: tzinfo) -> bytes:
    """A 31H body: station, first time, ``04 18 dhm``, one identifier, then the rows."""
    readings = report.readings
    if not readings:
        raise InvalidInput(
            "a uniform-interval report needs readings", details={"field": "readings"}
        )
    first = readings[0]
    row = element(first.lead)
    if [(r.lead, r.station, r.observed_at) for r in readings] != [
        (first.lead, first.station, first.observed_at + i * step) for i in range(len(readings))
    ]:
        raise InvalidInput(
            "uniform readings must be one element at start + i × time_step",
            details={"field": "readings"},
        )
    minutes, seconds = divmod(int(step.total_seconds()), 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if seconds or step.microseconds or not timedelta(0) < step < timedelta(days=32):
        raise InvalidInput(f"time step {step} not encodable", details={"field": "time_step"})
    digits, decimals = _format(row, [r.value for r in readings])
    width = max(len(_data(row, r.value, digits, decimals, 0)) for r in readings)
    rows = b"".join(_data(row, r.value, digits, decimals, width) for r in readings)
    definition = definition_byte(width, decimals if row.coding is Coding.BCD else 0)
    return (
        _station_group(report, first.station)
        + _time_group(first.observed_at, tz)
        + bytes([TIME_STEP, definition_byte(3, 0)])
        + bytes.fromhex(f"{days:02d}{hours:02d}{minutes:02d}")
        + _identifier(row, first.lead)
        + bytes([definition])
        + rows
    )


def build_ack(
    source: Report | Frame, now: datetime, *, end: int | None = None, tz: tzinfo = CHINA_TIME
) -> bytes:
    """The center's confirmation of ``source`` (§6.3.1.2 b, Tables 21/23, 29–39).

    Downlink frame: station address before center address, same password and function code,
    flag 8 + length, STX (SYN + count/count for an M3 message), body = the echoed serial and
    ``now`` as send time, end character EOT (ACK when the uplink ended with ETB: more frames
    follow), CRC. ``end`` overrides it, e.g. ESC to keep the station online.
    """
    if isinstance(source, Frame):
        if len(source.body) < 2:
            raise FrameError("no serial number to echo", details={"field": "serial"})
        header = source.header
        center, station, password = header.center, header.station, header.password
        function_code, serial = header.function_code, int.from_bytes(source.body[:2], "big")
        packets, uplink_end = (source.packet[0] if source.packet else 0), source.end
    else:
        center, station, password = source.center, source.station, source.password
        function_code, serial = source.function_code, source.serial
        packets, uplink_end = source.packets, source.end
    if end is None:
        end = ACK if uplink_end == ETB and not packets else EOT
    return build_frame(
        center=center,
        station=station,
        password=password,
        function_code=function_code,
        body=serial.to_bytes(2, "big") + encode_time(now, seconds=True, tz=tz, field="now"),
        end=end,
        downlink=True,
        packet=(packets, packets) if packets else None,
    )


def build_nak(frame: Frame, sequence: int, now: datetime, *, tz: tzinfo = CHINA_TIME) -> bytes:
    """Ask for M3 packet ``sequence`` again (Table 23: the NAK carries that sequence number).

    The serial number is only in the first packet, which may be the one missing, so the
    body carries serial 0 and ``now``.
    """
    if frame.packet is None:
        raise FrameError("NAK answers M3 packets only", details={"field": "packet"})
    header = frame.header
    return build_frame(
        center=header.center,
        station=header.station,
        password=header.password,
        function_code=header.function_code,
        body=b"\x00\x00" + encode_time(now, seconds=True, tz=tz, field="now"),
        end=NAK,
        downlink=True,
        packet=(frame.packet[0], sequence),
    )
