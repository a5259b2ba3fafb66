"""M3 multi-packet messages (§6.3.1.2 c, Tables 22/23): collect packets, rebuild the body.

A station splits a long body into packets 1…n, each a SYN frame carrying (n, sequence); all
but the last end with ETB. Only the first packet has the serial number and send time
(§6.6.2.4), so the message is decoded once all packets are in. When the last packet arrives
and some are missing, the center answers NAK with each missing sequence number (one per NAK);
the station resends those.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from cityhub.sensing.sl651.errors import FrameError
from cityhub.sensing.sl651.frames import ETX, Frame


@dataclass(frozen=True)
class Assembly:
    """Result of adding a packet: the whole message when complete, else the gaps to NAK."""

    frame: Frame | None = None
    missing: tuple[int, ...] = ()


@dataclass
class _Message:
    count: int
    packets: dict[int, Frame] = field(default_factory=dict)
    size: int = 0


class Reassembler:
    """Per-connection M3 state, bounded in messages and bytes.

    Messages are keyed by (station, center, function code). At most ``max_messages`` are
    open at once (the oldest is dropped), and one message may hold at most ``max_bytes``.
    """

    def __init__(self, *, max_messages: int = 8, max_bytes: int = 1 << 20) -> None:
        self.max_messages = max_messages
        self.max_bytes = max_bytes
        self._open: dict[tuple[str, int, int], _Message] = {}

    def add(self, frame: Frame) -> Assembly:
        """Take one SYN frame; FrameError for an impossible packet number or oversize."""
        if frame.packet is None:
            raise FrameError("not an M3 packet", details={"field": "start_of_body"})
        count, sequence = frame.packet
        if not (1 <= sequence <= count):
            raise FrameError(
                f"packet {sequence} of {count} is out of range",
                details={"field": "packet", "position": 14},
            )
        header = frame.header
        key = (header.station, header.center, header.function_code)
        message = self._open.get(key)
        if message is None or message.count != count:
            message = _Message(count)
            self._open.pop(key, None)
            self._open[key] = message
            while len(self._open) > self.max_messages:
                del self._open[next(iter(self._open))]
        previous = message.packets.get(sequence)
        message.size += len(frame.body) - (len(previous.body) if previous else 0)
        if message.size > self.max_bytes:
            del self._open[key]
            raise FrameError(
                f"M3 message over {self.max_bytes} bytes dropped",
                details={"field": "packet", "station": header.station},
            )
        message.packets[sequence] = frame
        if len(message.packets) == count:
            del self._open[key]
            return Assembly(frame=_join(message))
        if frame.end == ETX or sequence == count:
            gaps = tuple(n for n in range(1, count + 1) if n not in message.packets)
            return Assembly(missing=gaps)
        return Assembly()


def _join(message: _Message) -> Frame:
    parts = [message.packets[n] for n in range(1, message.count + 1)]
    body = b"".join(part.body for part in parts)
    first, last = parts[0], parts[-1]
    return replace(
        first,
        header=replace(first.header, length=len(body)),
        body=body,
        end=last.end,
        raw=b"".join(part.raw for part in parts),
        packet=(message.count, message.count),
    )
