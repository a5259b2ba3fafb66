"""Bad input over TCP: none of it stops the gateway or loses a report accepted before."""

from __future__ import annotations

import asyncio
import logging

import pytest

from cityhub.sensing.sl651 import build_frame, encode_report
from cityhub.sensing.sl651.crc import crc_bytes
from cityhub.sensing.sl651.frames import EOT
from tests.sensing.sl651.gateway_helpers import Sink, Station, running, serials
from tests.sensing.sl651.samples import TIMED, water_level

FIRST = encode_report(water_level("10.100", serial=1))
SECOND = encode_report(water_level("10.200", serial=2))


def frame_with(function_code: int, body_hex: str) -> bytes:
    return build_frame(
        center=5, station="0011223344", password=0x03E8, function_code=function_code,
        body=bytes.fromhex(body_hex), end=0x03,
    )  # fmt: skip


DOWNLINK = build_frame(
    center=5, station="0011223344", password=0, function_code=0x32,
    body=b"\x00\x01", end=EOT, downlink=True,
)  # fmt: skip
SHORT_SYN = bytes.fromhex("7E7E05001122334403E83200021600" + "0103")
BAD_INPUT = {
    "bad CRC": TIMED[:-2] + b"\x00\x00",
    "truncated frame": TIMED[:40],
    "wrong length": TIMED[:12] + b"\x2a" + TIMED[13:],
    "length over the bound": TIMED[:11] + b"\x0f\xff" + TIMED[13:],
    "unknown function code": frame_with(0x36, "0034240718080016F3F3FFD8FFE0"),
    "user-defined function code": frame_with(0xE5, "0034240718080016"),
    "invalid body": frame_with(0x32, "0034241318080016"),  # month 13
    "downlink frame": DOWNLINK,
    "garbage": bytes(range(256)) + b"\x7e\x7e\x7e" + b"\x00" * 50 + b"\x7e",
    "M3 frame without packet bytes": SHORT_SYN + crc_bytes(SHORT_SYN),
    "M3 sequence beyond the count": build_frame(
        center=5,
        station="0011223344",
        password=0,
        function_code=0x32,
        body=bytes.fromhex("0034240718080016"),
        end=0x03,
        packet=(2, 3),
    ),
}


@pytest.mark.parametrize("bad", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_dropped_without_stopping_anything(bad: bytes) -> None:
    async def scenario() -> None:
        sink = Sink()
        async with running(sink) as gateway:
            station = await Station.connect(gateway)
            await station.send(FIRST)
            await station.receive(1)
            await station.send(bad)
            await station.send(SECOND)
            answers = await station.receive(2)  # an answer to ``bad`` would come before 2
            await station.close()
            other = await Station.connect(gateway)  # the server still accepts
            await other.send(TIMED)
            assert serials(await other.receive(1)) == [52]
            await other.close()
        assert serials(answers) == [1, 2]
        assert [r.serial for r in sink.reports] == [1, 2, 52]

    asyncio.run(scenario())


def test_bad_crc_and_unknown_function_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        async with running(Sink()) as gateway:
            station = await Station.connect(gateway)
            await station.send(BAD_INPUT["bad CRC"] + BAD_INPUT["unknown function code"] + FIRST)
            await station.receive(1)
            await station.close()
        assert gateway.stats.rejected_frames >= 1
        assert gateway.stats.unsupported == 1

    with caplog.at_level(logging.INFO, logger="cityhub.sensing.sl651"):
        asyncio.run(scenario())
    messages = [r.getMessage() for r in caplog.records if r.name == "cityhub.sensing.sl651"]
    assert any("bad CRC" in m for m in messages)
    assert any("36H is not decoded" in m for m in messages)


def test_body_containing_7e() -> None:
    frame = encode_report(water_level("7.7", serial=0x7E7E))

    async def scenario() -> None:
        sink = Sink()
        async with running(sink) as gateway:
            station = await Station.connect(gateway)
            await station.send(b"\x7e\x7e" + frame[:20] + b"\x7e" + frame)
            assert serials(await station.receive(1)) == [0x7E7E]
            await station.close()
        assert [r.serial for r in sink.reports] == [0x7E7E]

    asyncio.run(scenario())


def test_slow_sender() -> None:
    async def scenario() -> None:
        sink = Sink()
        async with running(sink) as gateway:
            station = await Station.connect(gateway)
            await station.send(TIMED + FIRST, byte_by_byte=True)
            assert serials(await station.receive(2)) == [52, 1]
            await station.close()
        assert len(sink.reports) == 2

    asyncio.run(scenario())
