"""M2 confirmations: downlink, station first, echoed serial, current time, EOT, valid CRC."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from cityhub.sensing.sl651 import CHINA_TIME, FrameError, build_ack, decode_frame, parse_frame
from cityhub.sensing.sl651.crc import crc_bytes
from cityhub.sensing.sl651.frames import ACK, EOT, ESC, ETB, STX
from tests.sensing.sl651.samples import TIMED

NOW = datetime(2024, 6, 1, 8, 30, 5, tzinfo=CHINA_TIME)


def test_ack_of_the_reference_timed_report() -> None:
    report = decode_frame(parse_frame(TIMED))
    raw = build_ack(report, NOW)
    assert (
        raw.hex()
        .upper()
        .startswith(
            "7E7E"
            + "0011223344"
            + "05"
            + "03E8"
            + "32"
            + "8008"
            + "02"
            + "0034"
            + "240601083005"
            + "04"
        )
    )
    assert raw[-2:] == crc_bytes(raw[:-2])
    ack = parse_frame(raw)
    header = ack.header
    assert (header.station, header.center, header.password) == ("0011223344", 5, 0x03E8)
    assert (header.function_code, header.downlink, header.length) == (0x32, True, 8)
    assert (ack.start, ack.end, ack.packet) == (STX, EOT, None)
    assert ack.body == bytes.fromhex("0034240601083005")


def test_ack_time_is_written_in_the_station_clock() -> None:
    now = datetime(2024, 6, 1, 0, 30, 5, tzinfo=UTC)
    ack = parse_frame(build_ack(decode_frame(parse_frame(TIMED)), now))
    assert ack.body[2:].hex() == "240601083005"


def test_ack_from_a_frame_equals_ack_from_its_report() -> None:
    frame = parse_frame(TIMED)
    assert build_ack(frame, NOW) == build_ack(decode_frame(frame), NOW)


@pytest.mark.parametrize(
    ("uplink_end", "override", "expected"),
    [(0x03, None, EOT), (ETB, None, ACK), (0x03, ESC, ESC)],
)
def test_end_character(uplink_end: int, override: int | None, expected: int) -> None:
    report = replace(decode_frame(parse_frame(TIMED)), end=uplink_end)
    assert parse_frame(build_ack(report, NOW, end=override)).end == expected


def test_frame_without_serial_cannot_be_acknowledged() -> None:
    frame = replace(parse_frame(TIMED), body=b"\x00")
    with pytest.raises(FrameError):
        build_ack(frame, NOW)
