"""M3: packets reassembled in any order, gaps reported for NAK, bounds enforced."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from cityhub.sensing.sl651 import (
    CHINA_TIME,
    FrameError,
    Reassembler,
    build_ack,
    build_nak,
    decode_frame,
    encode_packets,
    parse_frame,
)
from cityhub.sensing.sl651.frames import EOT, ETB, ETX, NAK, SYN
from tests.sensing.sl651.samples import report

LONG = report(*[(0x10 + i % 8, Decimal(i)) for i in range(30)], function_code=0x33)
NOW = datetime(2024, 7, 18, 8, 1, tzinfo=CHINA_TIME)


def packets(size: int = 16) -> list[bytes]:
    return encode_packets(LONG, packet_size=size)


def test_packets_are_syn_frames_ending_etb_then_etx() -> None:
    frames = [parse_frame(raw) for raw in packets()]
    count = len(frames)
    assert count > 3
    assert [f.packet for f in frames] == [(count, n) for n in range(1, count + 1)]
    assert {f.start for f in frames} == {SYN}
    assert [f.end for f in frames] == [ETB] * (count - 1) + [ETX]
    assert all(f.header.length == len(f.body) + 3 for f in frames)


@pytest.mark.parametrize("seed", range(5))
def test_reassembly_in_any_order(seed: int) -> None:
    frames = [parse_frame(raw) for raw in packets()]
    order = frames[:]
    random.Random(seed).shuffle(order)
    assembler = Reassembler()
    results = [assembler.add(frame) for frame in order]
    assert all(r.frame is None for r in results[:-1])
    whole = results[-1].frame
    assert whole is not None
    decoded = decode_frame(whole)
    assert decoded == replace(LONG, packets=len(frames))
    assert whole.raw == b"".join(raw for raw in packets())


def test_missing_packets_are_listed_when_the_last_arrives() -> None:
    frames = [parse_frame(raw) for raw in packets()]
    assembler = Reassembler()
    assert assembler.add(frames[0]).missing == ()
    assert assembler.add(frames[-1]).missing == tuple(range(2, len(frames)))
    for frame in frames[1:-2]:
        assert assembler.add(frame).frame is None
    assert assembler.add(frames[-2]).frame is not None


def test_resent_packet_replaces_the_first_copy() -> None:
    frames = [parse_frame(raw) for raw in packets()]
    assembler = Reassembler(max_bytes=sum(len(f.body) for f in frames))
    assembler.add(frames[0])
    assembler.add(frames[0])
    for frame in frames[1:-1]:
        assembler.add(frame)
    assert assembler.add(frames[-1]).frame is not None


def test_bounds() -> None:
    frames = [parse_frame(raw) for raw in packets()]
    with pytest.raises(FrameError):
        small = Reassembler(max_bytes=20)
        for frame in frames:
            small.add(frame)
    with pytest.raises(FrameError):
        Reassembler().add(replace(frames[0], packet=(2, 3)))
    with pytest.raises(FrameError):
        Reassembler().add(replace(frames[0], packet=None))


def test_oldest_open_message_is_dropped() -> None:
    assembler = Reassembler(max_messages=1)
    first = [parse_frame(raw) for raw in packets()]
    other = [
        parse_frame(raw)
        for raw in encode_packets(replace(LONG, function_code=0x32), packet_size=16)
    ]
    assembler.add(first[0])
    assembler.add(other[0])  # drops the first message
    for frame in first[1:]:
        assert assembler.add(frame).frame is None


def test_m3_ack_and_nak() -> None:
    frames = [parse_frame(raw) for raw in packets()]
    count = len(frames)
    assembler = Reassembler()
    for frame in frames:
        whole = assembler.add(frame).frame
    assert whole is not None
    ack = parse_frame(build_ack(decode_frame(whole), NOW))
    assert (ack.header.downlink, ack.start, ack.packet, ack.end) == (True, SYN, (count, count), EOT)
    assert ack.body[:2] == LONG.serial.to_bytes(2, "big")
    nak = parse_frame(build_nak(frames[0], 3, NOW))
    assert (nak.header.downlink, nak.packet, nak.end) == (True, (count, 3), NAK)
