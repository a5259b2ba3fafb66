"""A minimal station side: send frames to a gateway and read its answers (demo, tests)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import tzinfo

from cityhub.sensing.sl651.bcd import CHINA_TIME
from cityhub.sensing.sl651.body import REPORT_FUNCTIONS
from cityhub.sensing.sl651.encoder import encode_report
from cityhub.sensing.sl651.frames import Frame, Framer
from cityhub.sensing.sl651.report import Report


async def exchange(
    host: str,
    port: int,
    frames: Sequence[bytes],
    *,
    answers: int,
    timeout: float = 5.0,
) -> list[Frame]:
    """Send ``frames`` on one connection and return the first ``answers`` frames received.

    Fewer come back if the gateway closes the connection or ``timeout`` seconds pass.
    """
    reader, writer = await asyncio.open_connection(host, port)
    received: list[Frame] = []
    try:
        for frame in frames:
            writer.write(frame)
        await writer.drain()
        framer = Framer(peer="gateway")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while len(received) < answers:
                    data = await reader.read(4096)
                    if not data:
                        break
                    received.extend(framer.feed(data))
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()
    return received[:answers]


async def send_report(
    host: str, port: int, report: Report, *, timeout: float = 5.0, tz: tzinfo = CHINA_TIME
) -> Frame | None:
    """Send ``report`` as one frame; return the gateway's confirmation (None if none came).

    Keep-alives (2F) are not confirmed: for them this returns None without waiting.
    """
    wanted = 1 if report.function_code in REPORT_FUNCTIONS else 0
    answers = await exchange(
        host, port, [encode_report(report, tz=tz)], answers=wanted, timeout=timeout
    )
    return answers[0] if answers else None
