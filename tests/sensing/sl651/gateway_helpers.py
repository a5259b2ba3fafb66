"""Running a gateway and talking to it from the same event loop."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from cityhub.sensing.sl651 import CHINA_TIME, Frame, Framer, Gateway, Report

HOST = "127.0.0.1"
NOW = datetime(2024, 7, 18, 8, 1, 2, tzinfo=CHINA_TIME)


class Sink:
    """Collects reports; can fail, or hold reports until released, per station."""

    def __init__(self, *, fail_first: int = 0, hold: str | None = None) -> None:
        self.reports: list[Report] = []
        self.calls = 0
        self.fail_first = fail_first
        self.hold = hold
        self.release = threading.Event()
        self.holding = threading.Event()

    def __call__(self, report: Report) -> None:
        self.calls += 1
        if self.calls <= self.fail_first:
            raise RuntimeError("database is down")
        if report.station == self.hold:
            self.holding.set()
            if not self.release.wait(timeout=10):
                raise TimeoutError("test never released the sink")
        self.reports.append(report)


@contextlib.asynccontextmanager
async def running(sink: Sink, **options: Any) -> AsyncIterator[Gateway]:
    options.setdefault("idle_seconds", 30.0)
    gateway = Gateway(sink, host=HOST, port=0, clock=lambda: NOW, **options)
    await gateway.start()
    try:
        yield gateway
    finally:
        sink.release.set()
        await gateway.stop()


class Station:
    """One TCP connection to the gateway."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.framer = Framer(peer="gateway")
        self.answers: list[Frame] = []

    @classmethod
    async def connect(cls, gateway: Gateway) -> Station:
        reader, writer = await asyncio.open_connection(HOST, gateway.port)
        return cls(reader, writer)

    async def send(self, data: bytes, *, byte_by_byte: bool = False) -> None:
        chunks = [data[i : i + 1] for i in range(len(data))] if byte_by_byte else [data]
        for chunk in chunks:
            self.writer.write(chunk)
            await self.writer.drain()
            if byte_by_byte:
                await asyncio.sleep(0.001)

    async def receive(self, count: int, *, timeout: float = 3.0) -> list[Frame]:
        """Wait until ``count`` answers in total arrived (or the timeout); return all so far."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while len(self.answers) < count:
                    data = await self.reader.read(4096)
                    if not data:
                        break
                    self.answers.extend(self.framer.feed(data))
        return self.answers

    async def closed_by_peer(self, *, timeout: float = 3.0) -> bool:
        async with asyncio.timeout(timeout):
            return await self.reader.read(4096) == b""

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()


def serials(frames: list[Frame]) -> list[int]:
    return [int.from_bytes(frame.body[:2], "big") for frame in frames]
