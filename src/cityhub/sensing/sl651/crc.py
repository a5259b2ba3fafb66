"""CRC-16/MODBUS as SL 651-2014 uses it (§6.5, Table 20; reference §4.7).

Polynomial X¹⁶+X¹⁵+X²+1 reflected (0xA001), initial value 0xFFFF, no final XOR, over every
byte from the first ``7E`` up to and including the end character. Unlike Modbus RTU, SL 651
sends the result **high byte first**.
"""

from __future__ import annotations


def _build_table() -> tuple[int, ...]:
    table = []
    for index in range(256):
        crc = index
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _build_table()


def crc16(data: bytes | bytearray | memoryview) -> int:
    """CRC-16/MODBUS of ``data`` as an integer 0..0xFFFF."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc


def crc_bytes(data: bytes | bytearray | memoryview) -> bytes:
    """The two CRC bytes to append to ``data``, high byte first as SL 651 sends them."""
    return crc16(data).to_bytes(2, "big")
