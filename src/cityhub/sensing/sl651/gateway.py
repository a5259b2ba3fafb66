"""The SL 651 TCP gateway: stations connect, send HEX/BCD frames, get M2 confirmations.

One ``Framer`` (and one M3 ``Reassembler``) per connection. Every decoded report goes to the
``sink`` — a plain ``Callable[[Report], None]`` run in a worker thread, so a slow database
does not block the event loop — and only after the sink returned is the report confirmed
(function codes 30–35; keep-alives 2F get no answer) and remembered for deduplication. A
retransmission (same station, function code, serial and send time, §6.6.2.4) is confirmed
again without reaching the sink. A sink error is logged and the report left unconfirmed, so
the station resends it; the connection stays up. Bad frames are logged and dropped without
an answer (M2: "invalid frame → no reply"). Connections idle for ``idle_seconds`` are closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from cityhub.errors import CityhubError
from cityhub.sensing.sl651.bcd import CHINA_TIME
from cityhub.sensing.sl651.body import KEEPALIVE, REPORT_FUNCTIONS, decode_frame
from cityhub.sensing.sl651.encoder import build_ack, build_nak
from cityhub.sensing.sl651.errors import FrameError, UnsupportedFunction
from cityhub.sensing.sl651.frames import MAX_LENGTH, Frame, Framer, hex_preview
from cityhub.sensing.sl651.multipacket import Reassembler
from cityhub.sensing.sl651.report import Report

log = logging.getLogger("cityhub.sensing.sl651")

Sink = Callable[[Report], None]
RAW_LOG_BYTES = 512  # reports are usually < 220 bytes: log them whole, but not 4 KiB


class RecentKeys:
    """A bounded set that forgets the least recently seen key first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._keys: OrderedDict[Hashable, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._keys)

    def seen(self, key: Hashable) -> bool:
        """Whether ``key`` was added (and not yet forgotten); refreshes it if so."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        return False

    def add(self, key: Hashable) -> None:
        """Remember ``key``, forgetting the oldest beyond ``capacity``."""
        self._keys[key] = None
        self._keys.move_to_end(key)
        while len(self._keys) > self.capacity:
            self._keys.popitem(last=False)


@dataclass
class GatewayStats:
    """Counters since start, for logs and tests."""

    connections: int = 0  # open now
    accepted_connections: int = 0
    refused_connections: int = 0
    idle_closed: int = 0
    frames: int = 0
    reports: int = 0  # passed to the sink successfully
    duplicates: int = 0
    invalid: int = 0  # frames whose body could not be decoded
    unsupported: int = 0  # valid frames with a function code not decoded
    rejected_frames: int = 0  # candidates the framer dropped: bad CRC, length, end character
    sink_errors: int = 0
    acks: int = 0


class Gateway:
    """An asyncio TCP server speaking SL 651-2014 HEX/BCD to stations.

    ``port=0`` picks a free port (see ``port`` after ``start``). ``max_connections`` bounds
    open sockets (more are closed at once), ``backlog`` the connections waiting to be
    accepted. Memory per connection is bounded: ``read_size`` per read, one frame
    (≤ ``max_length + 17`` bytes) in the framer, and while the sink is busy the stream stops
    reading at ``8 · read_size`` queued bytes. ``clock`` gives the send time of answers.
    The sink is called from worker threads, several at once: it must be thread-safe.
    """

    def __init__(
        self,
        sink: Sink,
        *,
        host: str = "0.0.0.0",
        port: int = 5651,
        idle_seconds: float = 300.0,
        max_connections: int = 10_000,
        backlog: int = 1024,
        max_length: int = MAX_LENGTH,
        read_size: int = 4096,
        dedup_size: int = 100_000,
        forward_keepalives: bool = True,
        tz: tzinfo = CHINA_TIME,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.sink = sink
        self.host = host
        self.requested_port = port
        self.idle_seconds = idle_seconds
        self.max_connections = max_connections
        self.backlog = backlog
        self.max_length = max_length
        self.read_size = read_size
        self.forward_keepalives = forward_keepalives
        self.tz = tz
        self.clock = clock or (lambda: datetime.now(tz))
        self.stats = GatewayStats()
        self._recent = RecentKeys(dedup_size)
        self._in_flight: dict[Hashable, asyncio.Future[bool]] = {}
        self._server: asyncio.Server | None = None
        self._handlers: dict[asyncio.Task[None], asyncio.StreamWriter] = {}

    @property
    def port(self) -> int:
        """The port listened on (the real one when started with ``port=0``)."""
        if self._server is None or not self._server.sockets:
            return self.requested_port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Listen; returns once the socket is bound."""
        self._server = await asyncio.start_server(
            self._connection,
            self.host,
            self.requested_port,
            limit=4 * self.read_size,  # reading pauses at twice this while the sink is busy
            backlog=self.backlog,
        )
        log.info("sl651 gateway listening on %s:%d", self.host, self.port)

    async def serve_forever(self) -> None:
        """Run until cancelled (call ``start`` first)."""
        if self._server is None:
            await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    async def stop(self, *, grace_seconds: float = 5.0) -> None:
        """Stop listening, close every connection and wait for their handlers.

        A handler still waiting for the sink after ``grace_seconds`` is cancelled.
        """
        if self._server is not None:
            self._server.close()
        for writer in self._handlers.values():
            writer.close()
        handlers = list(self._handlers)
        if handlers:
            _, late = await asyncio.wait(handlers, timeout=grace_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        log.info("sl651 gateway stopped")

    async def __aenter__(self) -> Gateway:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = _peer_name(writer)
        if self.stats.connections >= self.max_connections:
            self.stats.refused_connections += 1
            log.warning("sl651 %s: refused, %d connections open", peer, self.stats.connections)
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self._handlers[task] = writer
        self.stats.connections += 1
        self.stats.accepted_connections += 1
        framer = Framer(max_length=self.max_length, peer=peer)
        packets = Reassembler()
        try:
            while True:
                try:
                    async with asyncio.timeout(self.idle_seconds):
                        data = await reader.read(self.read_size)
                except TimeoutError:
                    self.stats.idle_closed += 1
                    log.info("sl651 %s: idle for %ss, closing", peer, self.idle_seconds)
                    break
                if not data:
                    break
                rejected = framer.rejected
                frames = framer.feed(data)
                self.stats.rejected_frames += framer.rejected - rejected
                for frame in frames:
                    try:
                        await self._frame(frame, packets, writer, peer)
                    except (ConnectionError, OSError):
                        raise
                    except Exception:  # a bug must not take the connection down
                        log.exception(
                            "sl651 %s: unexpected error on frame %s",
                            peer,
                            hex_preview(frame.raw, RAW_LOG_BYTES),
                        )
        except (ConnectionError, OSError) as error:
            log.info("sl651 %s: connection lost: %s", peer, error)
        except asyncio.CancelledError:
            # Only ``stop`` cancels a handler, and this is the top of its task: ending
            # normally spares asyncio's streams from logging the cancellation as an error.
            log.info("sl651 %s: connection cancelled by stop", peer)
        finally:
            self.stats.connections -= 1
            self._handlers.pop(task, None)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def _frame(
        self, frame: Frame, packets: Reassembler, writer: asyncio.StreamWriter, peer: str
    ) -> None:
        self.stats.frames += 1
        if frame.header.downlink:
            log.info("sl651 %s: downlink frame from a station ignored", peer)
            return
        if frame.packet is not None:
            try:
                assembly = packets.add(frame)
            except FrameError as error:
                self.stats.invalid += 1
                log.warning("sl651 %s: M3 packet dropped: %s", peer, error)
                return
            for sequence in assembly.missing:
                await self._send(writer, build_nak(frame, sequence, self.clock(), tz=self.tz))
            if assembly.frame is None:
                return
            frame = assembly.frame
        try:
            report = decode_frame(frame, tz=self.tz)
        except UnsupportedFunction as error:
            self.stats.unsupported += 1
            log.info("sl651 %s: %s; frame %s", peer, error, hex_preview(frame.raw, RAW_LOG_BYTES))
            return
        except FrameError as error:
            self.stats.invalid += 1
            log.warning(
                "sl651 %s: invalid report (%s, %s): %s",
                peer,
                error,
                error.details,
                hex_preview(frame.raw, RAW_LOG_BYTES),
            )
            return
        await self._report(report, writer, peer)

    async def _report(self, report: Report, writer: asyncio.StreamWriter, peer: str) -> None:
        confirm = report.function_code in REPORT_FUNCTIONS
        if report.function_code == KEEPALIVE:
            # Keep-alives reuse the last serial, get no answer and are never resent.
            if self.forward_keepalives:
                await self._deliver(report, peer)
            return
        key = report.key
        if self._recent.seen(key):
            self.stats.duplicates += 1
            log.info("sl651 %s: retransmission of serial %d confirmed again", peer, report.serial)
        else:
            pending = self._in_flight.get(key)
            if pending is not None:  # the same report is being stored for another connection
                self.stats.duplicates += 1
                delivered = await asyncio.shield(pending)
            else:
                future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
                self._in_flight[key] = future
                delivered = False
                try:
                    delivered = await self._deliver(report, peer)
                finally:
                    del self._in_flight[key]
                    future.set_result(delivered)
                if delivered:
                    self._recent.add(key)
            if not delivered:
                return
        if confirm:
            await self._send(writer, build_ack(report, self.clock(), tz=self.tz))

    async def _deliver(self, report: Report, peer: str) -> bool:
        try:
            await asyncio.to_thread(self.sink, report)
        except CityhubError as error:  # refused (a wrong password, a clock far ahead): no trace
            self.stats.sink_errors += 1
            log.warning(
                "sl651 %s: station %s serial %d refused, not confirmed: %s",
                peer,
                report.station,
                report.serial,
                error.message,
            )
            return False
        except Exception:
            self.stats.sink_errors += 1
            log.exception(
                "sl651 %s: sink failed for station %s serial %d; not confirmed",
                peer,
                report.station,
                report.serial,
            )
            return False
        self.stats.reports += 1
        return True

    async def _send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        await writer.drain()
        self.stats.acks += 1


def _peer_name(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)


async def serve(
    host: str,
    port: int,
    sink: Sink,
    *,
    idle_seconds: float,
    **options: Any,
) -> None:
    """Run a ``Gateway`` until cancelled (e.g. as a task of ``cityhub serve``).

    ``options`` are the other keyword arguments of ``Gateway``.
    """
    gateway = Gateway(sink, host=host, port=port, idle_seconds=idle_seconds, **options)
    await gateway.start()
    try:
        await gateway.serve_forever()
    finally:
        await gateway.stop()
