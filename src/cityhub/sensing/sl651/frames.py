"""HEX/BCD frames of SL 651-2014 (§6.5, Tables 20–23): parse, build, and split a byte stream.

Layout (uplink; a downlink puts the station address before the center address)::

    7E 7E | center(1) | station(5) | password(2) | function(1) | flag+length(2) |
    STX | body(L) | ETX/ETB | CRC(2, high byte first)

The flag is the high nibble of the length field (0 = uplink, 8 = downlink); the low 12 bits
are the body length L counted after the start character and before the end character, so a
frame is ``L + 17`` bytes. An M3 multi-packet frame starts its body with SYN and 3 bytes
(12 bits packet count, 12 bits sequence number) that L includes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum

from cityhub.errors import InvalidInput
from cityhub.sensing.sl651.crc import crc16, crc_bytes
from cityhub.sensing.sl651.errors import FrameError

log = logging.getLogger("cityhub.sensing.sl651")

START = b"\x7e\x7e"
STX, SYN = 0x02, 0x16
ETX, ETB, ENQ, EOT, ACK, NAK, ESC = 0x03, 0x17, 0x05, 0x04, 0x06, 0x15, 0x1B
UPLINK_ENDS = frozenset({ETX, ETB})
DOWNLINK_ENDS = frozenset({ENQ, ACK, NAK, EOT, ESC})
HEADER_SIZE = 13  # 7E7E + 11 header bytes
OVERHEAD = 17  # header, start character, end character, CRC
MAX_LENGTH = 0x0FFF  # the 12-bit length field
PACKET_BYTES = 3  # M3: packet count and sequence number after SYN
DOWNLINK_FLAG = 0x8
LOG_BYTES = 64  # how much of a rejected frame a log line shows


@dataclass(frozen=True)
class Header:
    """The fixed header of a frame. ``station`` is 10 upper-case hex digits."""

    center: int
    station: str
    password: int
    function_code: int
    downlink: bool
    length: int


@dataclass(frozen=True)
class Frame:
    """A frame whose length, end character and CRC were checked.

    ``body`` excludes the M3 packet bytes; ``packet`` is (count, sequence) for a SYN frame,
    else ``None``. ``raw`` is the whole frame as received.
    """

    header: Header
    start: int
    body: bytes
    end: int
    raw: bytes
    packet: tuple[int, int] | None = None


def hex_preview(data: bytes | bytearray, limit: int = LOG_BYTES) -> str:
    """The first ``limit`` bytes of ``data`` in hex, for log lines."""
    text = bytes(data[:limit]).hex().upper()
    return text + ("…" if len(data) > limit else "")


def parse_header(data: bytes | bytearray) -> Header:
    """Decode the 13 header bytes (start included) of ``data``."""
    if len(data) < HEADER_SIZE or data[:2] != START:
        raise FrameError("not an SL 651 HEX frame header", details={"field": "start"})
    flag, length = data[11] >> 4, (data[11] & 0x0F) << 8 | data[12]
    if flag not in (0, DOWNLINK_FLAG):
        raise FrameError(
            f"direction flag {flag:X} is neither 0 (up) nor 8 (down)",
            details={"field": "flag", "position": 11},
        )
    downlink = flag == DOWNLINK_FLAG
    station_at, center_at = (2, 7) if downlink else (3, 2)
    return Header(
        center=data[center_at],
        station=bytes(data[station_at : station_at + 5]).hex().upper(),
        password=data[8] << 8 | data[9],
        function_code=data[10],
        downlink=downlink,
        length=length,
    )


def parse_frame(raw: bytes) -> Frame:
    """Check and decode one complete frame; FrameError says what is wrong and where."""
    header = parse_header(raw)
    if header.length == 0:
        raise FrameError("body length 0", details={"field": "length", "position": 11})
    size = header.length + OVERHEAD
    if len(raw) != size:
        raise FrameError(
            f"length field says {size} bytes, frame has {len(raw)}",
            details={"field": "length", "position": 11},
        )
    start, end = raw[13], raw[-3]
    if start not in (STX, SYN):
        raise FrameError(
            f"start of body {start:02X} is neither STX nor SYN",
            details={"field": "start_of_body", "position": 13},
        )
    ends = DOWNLINK_ENDS if header.downlink else UPLINK_ENDS
    if end not in ends:
        raise FrameError(
            f"end character {end:02X} not allowed here (wrong length?)",
            details={"field": "end", "position": size - 3},
        )
    expected = crc_bytes(raw[:-2])
    if raw[-2:] != expected:
        raise FrameError(
            f"bad CRC {raw[-2:].hex().upper()}, computed {expected.hex().upper()}",
            details={"field": "crc", "position": size - 2},
        )
    body = raw[14:-3]
    packet = None
    if start == SYN:
        if len(body) < PACKET_BYTES:
            raise FrameError(
                "M3 frame without packet count and sequence",
                details={"field": "packet", "position": 14},
            )
        value = int.from_bytes(body[:PACKET_BYTES], "big")
        packet, body = (value >> 12, value & 0x0FFF), body[PACKET_BYTES:]
    return Frame(header=header, start=start, body=body, end=end, raw=raw, packet=packet)


def build_frame(
    *,
    center: int,
    station: str,
    password: int,
    function_code: int,
    body: bytes,
    end: int,
    downlink: bool = False,
    packet: tuple[int, int] | None = None,
) -> bytes:
    """Assemble a frame: header, STX (or SYN + packet bytes), body, end character, CRC."""
    try:
        address = bytes.fromhex(station)
    except ValueError:
        address = b""
    if len(address) != 5:
        raise InvalidInput(
            f"station address {station!r} is not 10 hex digits", details={"field": "station"}
        )
    if packet is not None:
        count, sequence = packet
        if not (1 <= count <= 0xFFF and 1 <= sequence <= 0xFFF):
            raise InvalidInput(f"packet {packet} out of 1–4095", details={"field": "packet"})
        body = (count << 12 | sequence).to_bytes(PACKET_BYTES, "big") + body
    if not 1 <= len(body) <= MAX_LENGTH:
        raise InvalidInput(
            f"body of {len(body)} bytes outside 1–{MAX_LENGTH}", details={"field": "body"}
        )
    for name, value, top in (
        ("center", center, 0xFF),
        ("password", password, 0xFFFF),
        ("function_code", function_code, 0xFF),
    ):
        if not 0 <= value <= top:
            raise InvalidInput(f"{name} {value} out of range", details={"field": name})
    addresses = address + bytes([center]) if downlink else bytes([center]) + address
    flag = (DOWNLINK_FLAG << 12 if downlink else 0) | len(body)
    head = (
        START
        + addresses
        + password.to_bytes(2, "big")
        + bytes([function_code])
        + flag.to_bytes(2, "big")
        + bytes([SYN if packet is not None else STX])
    )
    frame = head + body + bytes([end])
    return frame + crc_bytes(frame)


class _Verdict(Enum):
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    REJECT = "reject"


class Framer:
    """Split a TCP byte stream into checked frames; never raises on bad input.

    ``feed`` returns the frames completed by the new bytes. Bytes before a ``7E7E`` are
    skipped; a candidate whose flag, length, start or end character or CRC is wrong is dropped
    by sliding one byte and searching again (``7E7E`` may occur inside a body). A candidate
    still waiting for bytes is abandoned as truncated as soon as a later complete, CRC-valid
    frame is in the buffer, so a cut-off frame never holds back the next one. The buffer
    never holds more than one candidate frame (at most ``max_length + 17`` bytes) between calls.
    """

    def __init__(self, *, max_length: int = MAX_LENGTH, peer: str = "-") -> None:
        self.max_length = min(max_length, MAX_LENGTH)
        self.peer = peer
        self._buffer = bytearray()
        # Look-ahead state for the candidate waiting for bytes (see ``_next_complete``).
        self._ahead_owner = -1
        self._ahead_scanned = 0
        self._ahead_waiting: list[int] = []
        self.frames = 0
        self.rejected = 0
        self.skipped_bytes = 0

    @property
    def pending(self) -> int:
        """Bytes held while waiting for the rest of a frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Frame]:
        """Add ``data`` and return the frames it completes, in order."""
        buffer = self._buffer
        buffer += data
        found: list[Frame] = []
        position = 0
        while True:
            start = buffer.find(START, position)
            if start < 0:
                # Keep a trailing 7E: it may be the first half of the next start.
                keep = 1 if buffer[-1:] == b"\x7e" else 0
                self.skipped_bytes += max(0, len(buffer) - keep - position)
                position = max(position, len(buffer) - keep)
                break
            self.skipped_bytes += start - position
            position = start
            verdict, size = self._check(buffer, position, quiet=False)
            if verdict is _Verdict.COMPLETE:
                try:
                    found.append(parse_frame(bytes(buffer[position : position + size])))
                except FrameError as error:  # _check and parse_frame agree; belt and braces
                    log.warning("sl651 %s: %s", self.peer, error)
                    self.rejected += 1
                    position += 1
                    continue
                self.frames += 1
                position += size
            elif verdict is _Verdict.REJECT:
                self.rejected += 1
                position += 1
            else:
                later = self._next_complete(buffer, position)
                if later is None:
                    break
                log.warning(
                    "sl651 %s: truncated frame dropped (%d bytes): %s",
                    self.peer,
                    later - position,
                    hex_preview(buffer[position:later]),
                )
                self.rejected += 1
                self.skipped_bytes += later - position
                position = later
        del buffer[:position]
        if self._ahead_owner == position:  # the waiting candidate moves to the front
            self._ahead_owner = 0
            self._ahead_scanned -= position
            self._ahead_waiting = [c - position for c in self._ahead_waiting]
        else:
            self._ahead_owner = -1
        return found

    def _next_complete(self, buffer: bytearray, after: int) -> int | None:
        """Position of the first complete, valid frame after ``after``, if any.

        Called on every feed while a candidate waits, so it remembers, per waiting candidate,
        how far it looked and which later starts were still incomplete: a start once
        rejected stays rejected (its bytes do not change), so a slow sender costs little.
        """
        if self._ahead_owner != after:
            self._ahead_owner, self._ahead_scanned, self._ahead_waiting = after, after + 1, []
        for candidate in list(self._ahead_waiting):
            verdict = self._check(buffer, candidate, quiet=True)[0]
            if verdict is _Verdict.COMPLETE:
                return candidate
            if verdict is _Verdict.REJECT:
                self._ahead_waiting.remove(candidate)
        candidate = buffer.find(START, self._ahead_scanned)
        while candidate >= 0:
            verdict = self._check(buffer, candidate, quiet=True)[0]
            if verdict is _Verdict.COMPLETE:
                return candidate
            if verdict is _Verdict.INCOMPLETE:
                self._ahead_waiting.append(candidate)
            candidate = buffer.find(START, candidate + 1)
        # Every start before the last byte was seen; one may straddle the end.
        self._ahead_scanned = max(self._ahead_scanned, len(buffer) - 1)
        return None

    def _check(self, buffer: bytearray, at: int, *, quiet: bool) -> tuple[_Verdict, int]:
        """Whether a frame starts at ``at``: complete (with its size), incomplete or not."""
        available = len(buffer) - at
        if available < HEADER_SIZE:
            return _Verdict.INCOMPLETE, 0
        flag = buffer[at + 11] >> 4
        length = (buffer[at + 11] & 0x0F) << 8 | buffer[at + 12]
        if flag not in (0, DOWNLINK_FLAG):
            return self._reject(quiet, logging.DEBUG, "direction flag %X", flag)
        if not 1 <= length <= self.max_length:
            return self._reject(
                quiet, logging.WARNING, "body length %d outside 1–%d", length, self.max_length
            )
        if available < HEADER_SIZE + 1:
            return _Verdict.INCOMPLETE, 0
        start = buffer[at + 13]
        if start not in (STX, SYN) or (start == SYN and length < PACKET_BYTES):
            return self._reject(quiet, logging.DEBUG, "start of body %02X", start)
        size = length + OVERHEAD
        if available < size:
            return _Verdict.INCOMPLETE, 0
        end = buffer[at + size - 3]
        if end not in (DOWNLINK_ENDS if flag else UPLINK_ENDS):
            return self._reject(
                quiet,
                logging.WARNING,
                "end character %02X where the length field points (wrong length?): %s",
                end,
                hex_preview(buffer[at : at + size]),
            )
        crc = buffer[at + size - 2] << 8 | buffer[at + size - 1]
        computed = crc16(bytes(buffer[at : at + size - 2]))
        if crc != computed:
            return self._reject(
                quiet,
                logging.WARNING,
                "bad CRC %04X (computed %04X), frame dropped: %s",
                crc,
                computed,
                hex_preview(buffer[at : at + size]),
            )
        return _Verdict.COMPLETE, size

    def _reject(self, quiet: bool, level: int, message: str, *args: object) -> tuple[_Verdict, int]:
        if not quiet:
            log.log(level, "sl651 %s: " + message, self.peer, *args)
        return _Verdict.REJECT, 0
