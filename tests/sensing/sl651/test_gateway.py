"""The TCP gateway end to end: acknowledgements, deduplication, sinks, connections."""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from cityhub.sensing.sl651 import (
    Gateway,
    encode_packets,
    encode_report,
    send_report,
    serve,
)
from cityhub.sensing.sl651.frames import EOT, NAK, SYN
from cityhub.sensing.sl651.gateway import RecentKeys
from tests.sensing.sl651.gateway_helpers import HOST, NOW, Sink, Station, running, serials
from tests.sensing.sl651.samples import KEEPALIVE, TIMED, report, water_level

FIRST = encode_report(water_level("10.100", serial=1))
SECOND = encode_report(water_level("10.200", serial=2))


def test_reference_frame_is_passed_on_and_acknowledged() -> None:
    async def scenario() -> None:
        sink = Sink()
        async with running(sink) as gateway:
            station = await Station.connect(gateway)
            await station.send(TIMED)
            (ack,) = await station.receive(1)
            await station.close()
        assert ack.header.downlink and ack.end == EOT
        assert (ack.header.station, ack.header.center, ack.header.function_code) == (
            "0011223344", 5, 0x32,
        )  # fmt: skip
        assert ack.body == bytes.fromhex("0034") + bytes.fromhex("240718080102")
        (stored,) = sink.reports
        assert stored.raw == TIMED
        assert [(r.tag, r.value) for r in stored.readings][2] == ("Z", Decimal("10.490"))
        assert gateway.stats.reports == gateway.stats.acks == 1

    asyncio.run(scenario())


def test_send_report_client() -> None:
    async def scenario() -> None:
        sink = Sink()
        async with running(sink) as gateway:
            ack = await send_report(HOST, gateway.port, water_level("3.5", serial=9))
            none = await send_report(HOST, gateway.port, replace(report(), function_code=0x2F))
            async with asyncio.timeout(3):
                while len(sink.reports) < 2:
                    await asyncio.sleep(0.01)
        assert ack is not None and serials([ack]) == [9]
        assert none is None
        assert [r.function_code for r in sink.reports] == [0x32, 0x2F]

    asyncio.run(scenario())


@pytest.mark.parametrize("forward", [True, False])
def test_keepalive_gets_no_answer(forward: bool) -> None:
    async def scenario() -> None:
        sink = Sink()
        async with running(sink, forward_keepalives=forward) as gateway:
            station = await Station.connect(gateway)
            await station.send(KEEPALIVE + TIMED + KEEPALIVE + FIRST)
            answers = await station.receive(2)
            await station.close()
        assert serials(answers) == [52, 1]  # nothing for the keep-alives
        expected = [0x2F, 0x32, 0x2F, 0x32] if forward else [0x32, 0x32]
        assert [r.function_code for r in sink.reports] == expected

    asyncio.run(scenario())


def test_retransmissions_are_acknowledged_again_but_passed_on_once() -> None:
    async def scenario() -> None:
        sink = Sink()
        async with running(sink) as gateway:
            first = await Station.connect(gateway)
            await first.send(FIRST + FIRST)
            await first.receive(2)
            await first.close()
            again = await Station.connect(gateway)
            await again.send(FIRST + SECOND)
            answers = await again.receive(2)
            await again.close()
        assert serials(first.answers) == [1, 1]
        assert serials(answers) == [1, 2]
        assert [r.serial for r in sink.reports] == [1, 2]
        assert gateway.stats.duplicates == 2

    asyncio.run(scenario())


def test_sink_error_leaves_the_report_unconfirmed_and_the_connection_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        sink = Sink(fail_first=1)
        async with running(sink) as gateway:
            station = await Station.connect(gateway)
            await station.send(FIRST + SECOND)
            assert serials(await station.receive(1)) == [2]  # 1 is not confirmed
            await station.send(FIRST)  # so the station resends it
            assert serials(await station.receive(2)) == [2, 1]
            await station.close()
        assert [r.serial for r in sink.reports] == [2, 1]
        assert gateway.stats.sink_errors == 1

    with caplog.at_level(logging.ERROR, logger="cityhub.sensing.sl651"):
        asyncio.run(scenario())
    assert any("sink failed" in r.getMessage() for r in caplog.records)


def test_slow_sink_does_not_block_other_stations() -> None:
    async def scenario() -> None:
        sink = Sink(hold="0011223344")
        async with running(sink) as gateway:
            slow = await Station.connect(gateway)
            await slow.send(TIMED)
            await asyncio.to_thread(sink.holding.wait, 3)
            fast = await Station.connect(gateway)
            await fast.send(encode_report(water_level("1.0", station="0099887766")))
            assert serials(await fast.receive(1)) == [52]
            assert slow.answers == []
            sink.release.set()
            assert serials(await slow.receive(1)) == [52]
            await slow.close()
            await fast.close()

    asyncio.run(scenario())


def test_same_report_on_two_connections_at_once_is_passed_on_once() -> None:
    async def scenario() -> None:
        sink = Sink(hold="0011223344")
        async with running(sink) as gateway:
            first, second = await Station.connect(gateway), await Station.connect(gateway)
            await first.send(TIMED)
            await asyncio.to_thread(sink.holding.wait, 3)
            await second.send(TIMED)
            await asyncio.sleep(0.05)
            sink.release.set()
            assert serials(await first.receive(1)) == [52]
            assert serials(await second.receive(1)) == [52]
            await first.close()
            await second.close()
        assert sink.calls == 1

    asyncio.run(scenario())


def test_idle_connections_are_closed() -> None:
    async def scenario() -> None:
        async with running(Sink(), idle_seconds=0.2) as gateway:
            station = await Station.connect(gateway)
            await station.send(TIMED[:20])  # half a frame, then silence
            assert await station.closed_by_peer()
            await station.close()
            assert gateway.stats.idle_closed == 1
            assert gateway.stats.connections == 0

    asyncio.run(scenario())


def test_connections_over_the_limit_are_refused() -> None:
    async def scenario() -> None:
        async with running(Sink(), max_connections=2) as gateway:
            stations = [await Station.connect(gateway) for _ in range(2)]
            await stations[0].send(FIRST)
            await stations[0].receive(1)
            await stations[1].send(SECOND)
            await stations[1].receive(1)
            extra = await Station.connect(gateway)
            assert await extra.closed_by_peer()
            for station in [*stations, extra]:
                await station.close()
            assert gateway.stats.refused_connections == 1

    asyncio.run(scenario())


def test_a_thousand_idle_connections(raise_fd_limit: int) -> None:
    count = 1000

    async def scenario() -> None:
        sink = Sink()
        async with running(sink, backlog=2048) as gateway:
            idle = [await Station.connect(gateway) for _ in range(count)]
            async with asyncio.timeout(10):
                while gateway.stats.connections < count:
                    await asyncio.sleep(0.01)
            station = await Station.connect(gateway)
            await station.send(TIMED)
            assert serials(await station.receive(1)) == [52]
            assert gateway.stats.connections == count + 1
            for connection in [*idle, station]:
                await connection.close()
        assert len(sink.reports) == 1

    asyncio.run(scenario())


def test_m3_message_over_tcp() -> None:
    long = report(*[(0x10 + i % 8, Decimal(i)) for i in range(30)], serial=77)
    packets = encode_packets(long, packet_size=16)

    async def scenario() -> None:
        sink = Sink()
        async with running(sink) as gateway:
            station = await Station.connect(gateway)
            await station.send(packets[0] + packets[-1])  # the middle ones are missing
            naks = list(await station.receive(len(packets) - 2))
            await station.send(b"".join(packets[1:-1]))
            answers = await station.receive(len(packets) - 1)
            await station.close()
        assert [(a.end, a.packet) for a in naks] == [
            (NAK, (len(packets), n)) for n in range(2, len(packets))
        ]
        ack = answers[-1]
        assert (ack.start, ack.end, ack.packet) == (SYN, EOT, (len(packets), len(packets)))
        assert serials([ack]) == [77]
        assert sink.reports == [replace(long, packets=len(packets))]

    asyncio.run(scenario())


def test_stop_closes_open_connections() -> None:
    async def scenario() -> None:
        gateway = Gateway(Sink(), host=HOST, port=0, idle_seconds=30)
        await gateway.start()
        station = await Station.connect(gateway)
        await station.send(FIRST)
        await station.receive(1)
        await gateway.stop()
        assert await station.closed_by_peer()
        await station.close()

    asyncio.run(scenario())


def test_serve_runs_until_cancelled() -> None:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]

    async def scenario() -> None:
        sink = Sink()
        task = asyncio.create_task(serve(HOST, port, sink, idle_seconds=5, clock=lambda: NOW))
        for _ in range(100):
            try:
                ack = await send_report(HOST, port, water_level("2.0", serial=5))
                break
            except OSError:
                await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert ack is not None and serials([ack]) == [5]
        assert [r.serial for r in sink.reports] == [5]

    asyncio.run(scenario())


def test_recent_keys_forget_the_least_recently_seen() -> None:
    keys = RecentKeys(2)
    keys.add("a")
    keys.add("b")
    assert keys.seen("a")
    keys.add("c")  # forgets b, seen longest ago
    assert (keys.seen("a"), keys.seen("b"), keys.seen("c"), len(keys)) == (True, False, True, 2)


def test_an_unexpected_error_is_logged_and_the_connection_survives(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = iter([RuntimeError("clock broken")])

    def clock() -> datetime:
        for error in calls:
            raise error
        return NOW

    async def scenario() -> None:
        sink = Sink()
        gateway = Gateway(sink, host=HOST, port=0, idle_seconds=30, clock=clock)
        async with gateway:
            station = await Station.connect(gateway)
            await station.send(FIRST + SECOND)  # the answer to 1 fails
            assert serials(await station.receive(1)) == [2]
            await station.send(FIRST)  # resent: already stored, confirmed now
            assert serials(await station.receive(2)) == [2, 1]
            await station.close()
        assert [r.serial for r in sink.reports] == [1, 2]

    with caplog.at_level(logging.ERROR, logger="cityhub.sensing.sl651"):
        asyncio.run(scenario())
    assert any("unexpected error" in r.getMessage() for r in caplog.records)
