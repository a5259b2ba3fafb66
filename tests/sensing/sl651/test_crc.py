"""CRC-16/MODBUS, sent high byte first (reference §4.7)."""

from __future__ import annotations

import pytest

from cityhub.sensing.sl651.crc import crc16, crc_bytes
from tests.sensing.sl651.samples import KEEPALIVE, TIMED


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"123456789", 0x4B37),  # the catalogued check value of CRC-16/MODBUS
        (b"", 0xFFFF),  # initial value, no final XOR
        (b"\x00", 0x40BF),
        (KEEPALIVE[:-2], 0x6BCA),
        (TIMED[:-2], 0xA421),
    ],
)
def test_crc16(data: bytes, expected: int) -> None:
    assert crc16(data) == expected


@pytest.mark.parametrize("frame", [KEEPALIVE, TIMED], ids=["2F", "32"])
def test_reference_frames_carry_their_crc_high_byte_first(frame: bytes) -> None:
    assert crc_bytes(frame[:-2]) == frame[-2:]
    assert crc_bytes(frame[:-2]) != frame[-2:][::-1]  # Modbus RTU order would differ


def test_bitwise_definition_agrees_with_the_table() -> None:
    def bitwise(data: bytes) -> int:
        crc = 0xFFFF
        for byte in data:
            crc ^= byte
            for _ in range(8):
                crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        return crc

    data = bytes(range(256)) * 3
    assert crc16(data) == bitwise(data)
