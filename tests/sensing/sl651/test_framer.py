"""Splitting a byte stream into frames: resync, garbage, truncation, wrong lengths."""

from __future__ import annotations

import logging
import time

import pytest

from cityhub.errors import InvalidInput
from cityhub.sensing.sl651 import (
    FrameError,
    Framer,
    build_frame,
    decode_frame,
    encode_report,
    parse_frame,
)
from cityhub.sensing.sl651.crc import crc_bytes
from tests.sensing.sl651.samples import KEEPALIVE, TIMED, water_level

STREAM = KEEPALIVE + TIMED


def raws(framer: Framer, *chunks: bytes) -> list[bytes]:
    return [frame.raw for chunk in chunks for frame in framer.feed(chunk)]


def with_length(frame: bytes, length: int, *, fix_crc: bool = False) -> bytes:
    flag = frame[11] & 0xF0
    changed = frame[:11] + bytes([flag | length >> 8, length & 0xFF]) + frame[13:]
    return changed[:-2] + crc_bytes(changed[:-2]) if fix_crc else changed


def test_whole_stream() -> None:
    framer = Framer()
    assert raws(framer, STREAM) == [KEEPALIVE, TIMED]
    assert (framer.frames, framer.rejected, framer.skipped_bytes, framer.pending) == (2, 0, 0, 0)


@pytest.mark.parametrize("cut", range(1, len(STREAM)))
def test_any_split_point(cut: int) -> None:
    assert raws(Framer(), STREAM[:cut], STREAM[cut:]) == [KEEPALIVE, TIMED]


def test_one_byte_at_a_time() -> None:
    framer = Framer()
    assert raws(framer, *(bytes([b]) for b in STREAM)) == [KEEPALIVE, TIMED]


def test_garbage_between_frames_is_skipped() -> None:
    garbage = [b"hello", b"\x7e", b"\x7e\x7e\x01\x02", b"\x00" * 40, b"\x7e\x7e" + b"\xff" * 20]
    stream = garbage[0] + KEEPALIVE + garbage[1] + garbage[2] + TIMED + garbage[3] + TIMED
    framer = Framer()
    assert raws(framer, stream + garbage[4]) == [KEEPALIVE, TIMED, TIMED]
    assert framer.skipped_bytes >= len(garbage[0]) + len(garbage[3])


def test_body_containing_7e() -> None:
    frame = encode_report(water_level("7.7", serial=0x7E7E))
    assert frame.count(b"\x7e\x7e") == 2  # the start and the serial number
    framer = Framer()
    (parsed,) = framer.feed(b"\x7e" + frame[:20] + b"\x7e\x7e" + frame)
    assert decode_frame(parsed).serial == 0x7E7E
    assert framer.pending == 0


def test_bad_crc_is_logged_and_the_next_frame_found(caplog: pytest.LogCaptureFixture) -> None:
    bad = TIMED[:-1] + bytes([TIMED[-1] ^ 0x01])
    framer = Framer(peer="10.0.0.7:4242")
    with caplog.at_level(logging.WARNING, logger="cityhub.sensing.sl651"):
        assert raws(framer, bad + KEEPALIVE) == [KEEPALIVE]
    (record,) = [r for r in caplog.records if "bad CRC" in r.getMessage()]
    assert record.name == "cityhub.sensing.sl651"
    assert "10.0.0.7:4242" in record.getMessage()
    assert "A420" in record.getMessage() and "A421" in record.getMessage()
    assert framer.rejected >= 1


def test_truncated_frame_waits_for_the_rest() -> None:
    framer = Framer()
    assert framer.feed(TIMED[:30]) == []
    assert framer.pending == 30
    assert raws(framer, TIMED[30:]) == [TIMED]


def test_truncated_frame_does_not_hold_back_the_next(caplog: pytest.LogCaptureFixture) -> None:
    framer = Framer()
    with caplog.at_level(logging.WARNING, logger="cityhub.sensing.sl651"):
        assert raws(framer, TIMED[:30] + KEEPALIVE) == [KEEPALIVE]
    assert any("truncated" in r.getMessage() for r in caplog.records)
    assert raws(framer, TIMED) == [TIMED]


@pytest.mark.parametrize("length", [42, 44, 0x100, 0xFFF])
def test_wrong_length_field(length: int) -> None:
    framer = Framer()
    wrong = with_length(TIMED, length)
    assert raws(framer, wrong + TIMED + KEEPALIVE) == [TIMED, KEEPALIVE]


@pytest.mark.parametrize("length", [42, 44])
def test_wrong_length_with_a_matching_crc_is_still_rejected(length: int) -> None:
    # The end character is not where the length field says.
    assert Framer().feed(with_length(TIMED, length, fix_crc=True)) == []


def test_lengths_over_the_bound_are_rejected_at_once(caplog: pytest.LogCaptureFixture) -> None:
    framer = Framer(max_length=100)
    huge = with_length(TIMED, 0x800)
    with caplog.at_level(logging.WARNING, logger="cityhub.sensing.sl651"):
        assert raws(framer, huge[:14]) == []
    assert framer.pending < 14  # not waiting for 2 KiB
    assert any("outside 1–100" in r.getMessage() for r in caplog.records)
    assert raws(framer, KEEPALIVE) == [KEEPALIVE]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda f: with_length(f, 0, fix_crc=True),  # zero length
        lambda f: f[:11] + bytes([0x40 | f[11]]) + f[12:],  # direction flag 4
        lambda f: f[:13] + b"\x01" + f[14:],  # SOH instead of STX
    ],
    ids=["zero-length", "flag", "start-of-body"],
)
def test_malformed_headers_are_skipped(mutate: object) -> None:
    assert callable(mutate)
    framer = Framer()
    assert raws(framer, mutate(TIMED) + KEEPALIVE) == [KEEPALIVE]


def test_buffer_stays_bounded() -> None:
    framer = Framer()
    framer.feed(bytes(range(0x7E)) * 10_000)
    assert framer.pending <= 1
    framer.feed(b"\x7e" * 100_000)
    assert framer.pending < 13  # at most an unfinished header
    framer.feed(with_length(TIMED, 0xFFF)[:13] + b"\x02" + b"\x00" * 100_000)
    assert framer.pending <= 0xFFF + 17
    assert raws(framer, KEEPALIVE) == [KEEPALIVE]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (TIMED[:-1], "length"),
        (TIMED + b"\x00", "length"),
        (TIMED[:11] + bytes([0x30]) + TIMED[12:], "flag"),
        (TIMED[:13] + b"\x01" + TIMED[14:], "start_of_body"),
        (TIMED[:-3] + b"\x04" + TIMED[-2:], "end"),  # EOT ends downlinks only
        (TIMED[:-2] + b"\x00\x00", "crc"),
        (b"\x7e\x7e\x01", "start"),
        (b"\x01" + TIMED[1:], "start"),
    ],
)
def test_parse_frame_names_what_is_wrong(raw: bytes, field: str) -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame(raw)
    assert caught.value.details["field"] == field


def test_downlink_header_has_the_station_first() -> None:
    raw = build_frame(
        center=9, station="0012345678", password=7, function_code=0x32, body=b"\x00\x01",
        end=0x04, downlink=True,
    )  # fmt: skip
    assert raw[2:8].hex() == "001234567809"
    assert raw[11:13].hex() == "8002"
    header = parse_frame(raw).header
    assert (header.center, header.station, header.downlink, header.length) == (
        9, "0012345678", True, 2,
    )  # fmt: skip


@pytest.mark.parametrize(
    "arguments",
    [
        {"station": "00123456"},
        {"station": "zz12345678"},
        {"center": 256},
        {"password": -1},
        {"body": b""},
        {"body": b"\x00" * 4096},
        {"packet": (0, 1)},
    ],
)
def test_build_frame_refuses_bad_fields(arguments: dict[str, object]) -> None:
    base: dict[str, object] = {
        "center": 1, "station": "0012345678", "password": 0, "function_code": 0x32,
        "body": b"\x00", "end": 0x03,
    }  # fmt: skip
    with pytest.raises(InvalidInput):
        build_frame(**{**base, **arguments})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "flood",
    [b"\x7e", bytes.fromhex("7E7E01001234567812342F000802")],  # starts, plausible headers
    ids=["7E bytes", "headers"],
)
def test_slow_flood_behind_a_waiting_frame_stays_cheap(flood: bytes) -> None:
    # A waiting candidate re-checks later starts on every byte; remembered verdicts keep
    # that linear (without them this takes tens of seconds).
    data = with_length(TIMED, 0xFFF)[:14] + flood * (4000 // len(flood)) + KEEPALIVE
    framer = Framer()
    started = time.perf_counter()
    received = raws(framer, *(data[i : i + 1] for i in range(len(data))))
    assert time.perf_counter() - started < 3
    assert received == [KEEPALIVE]
    assert framer.pending == 0
