"""Property tests: encode → decode round trip, random input, single-bit errors."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.sensing.sl651 import (
    CHINA_TIME,
    CLASSIFICATIONS,
    ELEMENTS,
    FrameError,
    Framer,
    Reading,
    Report,
    build_frame,
    decode_frame,
    encode_report,
    parse_frame,
)
from cityhub.sensing.sl651.crc import crc_bytes
from cityhub.sensing.sl651.elements import Coding, Element
from cityhub.sensing.sl651.frames import ETB, ETX
from tests.sensing.sl651.samples import KEEPALIVE, TIMED

LOCAL = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2099, 12, 31, 22, 0),
    timezones=st.just(CHINA_TIME),
)
MINUTES = LOCAL.map(lambda d: d.replace(second=0, microsecond=0))
SECONDS = LOCAL.map(lambda d: d.replace(microsecond=0))
STATIONS = st.binary(min_size=5, max_size=5).map(lambda b: b.hex().upper())
NUMBERS = [row for row in ELEMENTS.values() if row.coding is Coding.BCD and row.digits]
UNKNOWN_LEADS = st.integers(0x76, 0xEF) | st.integers(0xFF00, 0xFFFF)
FIVE_MINUTES = timedelta(minutes=5)


def optional(values: st.SearchStrategy[Decimal]) -> st.SearchStrategy[Decimal | None]:
    return st.none() | values


def value_of(row: Element) -> st.SearchStrategy[Decimal | None]:
    """Any value N(D,d) of ``row`` can hold, or missing."""
    assert row.digits is not None
    top = 10**row.digits - 1
    return optional(st.integers(-top, top).map(lambda n: Decimal(n).scaleb(-row.decimals)))


@st.composite
def known_value(draw: st.DrawFn) -> tuple[int, Decimal | None]:
    row = draw(st.sampled_from(NUMBERS))
    return row.lead, draw(value_of(row))


@st.composite
def unknown_value(draw: st.DrawFn) -> tuple[int, Decimal | None]:
    decimals = draw(st.integers(0, 7))
    number = st.integers(-(10**15), 10**15).map(lambda n: Decimal(n).scaleb(-decimals))
    return draw(UNKNOWN_LEADS), draw(optional(number))


@st.composite
def block(draw: st.DrawFn, station: str) -> list[Reading]:
    """Readings of one station at one observation time, in body order."""
    when = draw(MINUTES)
    readings: list[Reading] = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["known", "unknown", "status", "rain", "level"]))
        if kind in ("rain", "level"):
            lead = 0xF4 if kind == "rain" else draw(st.integers(0xF5, 0xFC))
            scale, top = (1, 0xFE) if kind == "rain" else (2, 0xFFFE)
            counts = draw(st.lists(st.none() | st.integers(0, top), min_size=12, max_size=12))
            values = [None if n is None else Decimal(n).scaleb(-scale) for n in counts]
            readings += [
                Reading(station, lead, when + i * FIVE_MINUTES, v) for i, v in enumerate(values)
            ]
            continue
        if kind == "status":
            lead, value = 0x45, draw(optional(st.integers(0, 0xFFFFFFFE).map(Decimal)))
        else:
            lead, value = draw(known_value() if kind == "known" else unknown_value())
        readings.append(Reading(station, lead, when, value))
    return readings


@st.composite
def reports(draw: st.DrawFn) -> Report:
    station = draw(STATIONS)
    stations = [station, *draw(st.lists(STATIONS, max_size=2))]
    readings = [r for s in stations for r in draw(block(s))]
    return Report(
        center=draw(st.integers(1, 255)),
        station=station,
        password=draw(st.integers(0, 0xFFFF)),
        function_code=draw(st.sampled_from([0x30, 0x32, 0x33, 0x34])),
        serial=draw(st.integers(1, 0xFFFF)),
        sent_at=draw(SECONDS),
        classification=draw(st.sampled_from(sorted(CLASSIFICATIONS))),
        readings=tuple(readings),
        end=draw(st.sampled_from([ETX, ETB])),
    )


@st.composite
def uniform_reports(draw: st.DrawFn) -> Report:
    station = draw(STATIONS)
    row = draw(st.sampled_from(NUMBERS))
    step = draw(st.sampled_from([timedelta(minutes=5), timedelta(hours=1), timedelta(days=1)]))
    start = draw(MINUTES.filter(lambda d: d.year < 2099))
    values = draw(st.lists(value_of(row), min_size=1, max_size=24))
    return Report(
        center=1,
        station=station,
        password=0,
        function_code=0x31,
        serial=draw(st.integers(1, 0xFFFF)),
        sent_at=draw(SECONDS),
        classification=0x50,
        time_step=step,
        readings=tuple(
            Reading(station, row.lead, start + i * step, v) for i, v in enumerate(values)
        ),
    )


@settings(max_examples=300)
@given(reports() | uniform_reports())
def test_encode_decode_round_trip(report: Report) -> None:
    raw = encode_report(report)
    decoded = decode_frame(parse_frame(raw))
    assert decoded == report
    assert decoded.raw == raw
    assert encode_report(decoded) == raw


def decode_all(frames: list[bytes], chunks: list[int], noise: bytes) -> list[Report]:
    framer = Framer()
    stream = noise + b"".join(frames) + noise
    decoded = []
    position = 0
    for size in [*chunks, len(stream)]:
        for frame in framer.feed(stream[position : position + size]):
            with contextlib.suppress(FrameError):  # anything else fails the test
                decoded.append(decode_frame(frame))
        position += size
    return decoded


@settings(max_examples=300)
@given(
    st.binary(max_size=3000),
    st.lists(st.integers(1, 500), max_size=20),
)
def test_random_bytes_raise_only_frame_errors(noise: bytes, chunks: list[int]) -> None:
    decode_all([], chunks, noise)


@settings(max_examples=200)
@given(
    st.lists(st.binary(max_size=60) | st.sampled_from([b"\x7e", b"\x7e\x7e", TIMED[:25]])),
    st.lists(st.integers(1, 80), max_size=30),
)
def test_valid_frames_survive_garbage_between_them(garbage: list[bytes], chunks: list[int]) -> None:
    frames = [KEEPALIVE if i % 2 else TIMED for i in range(len(garbage) + 1)]
    stream = [part for pair in zip(frames, [*garbage, b""], strict=True) for part in pair]
    framer = Framer()
    received = []
    data = b"".join(stream)
    position = 0
    for size in [*chunks, len(data)]:
        received += [f.raw for f in framer.feed(data[position : position + size])]
        position += size
    remaining = iter(received)
    assert all(any(raw == frame for raw in remaining) for frame in frames)  # in order


@settings(max_examples=300)
@given(st.sampled_from([KEEPALIVE, TIMED]) | reports().map(encode_report), st.data())
def test_any_single_bit_flip_is_rejected(frame: bytes, data: st.DataObject) -> None:
    bit = data.draw(st.integers(0, len(frame) * 8 - 1))
    flipped = bytearray(frame)
    flipped[bit // 8] ^= 1 << (bit % 8)
    corrupted = bytes(flipped)
    assert crc_bytes(corrupted[:-2]) != corrupted[-2:]  # CRC-16 sees every single-bit error
    assert Framer().feed(corrupted) == []
    try:
        parse_frame(corrupted)
    except FrameError as error:
        if bit // 8 not in (0, 1, 11, 12, 13, len(frame) - 3):
            assert error.details["field"] == "crc"
    else:
        raise AssertionError("a corrupted frame was accepted")


@settings(max_examples=300)
@given(
    st.sampled_from([0x2F, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0xE0]),
    st.sampled_from([b"", bytes.fromhex("0034240718080016"), TIMED[14:37]]),
    st.binary(max_size=300),
)
def test_random_bodies_with_a_valid_crc_raise_only_frame_errors(
    function_code: int, prefix: bytes, noise: bytes
) -> None:
    body = prefix + noise or b"\x00"
    raw = build_frame(
        center=1,
        station="0012345678",
        password=0,
        function_code=function_code,
        body=body,
        end=ETX,
    )
    (frame,) = Framer().feed(raw)
    with contextlib.suppress(FrameError):  # anything else fails the test
        report = decode_frame(frame)
        assert all(r.observed_at.tzinfo is CHINA_TIME for r in report.readings)
