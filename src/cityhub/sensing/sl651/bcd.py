"""BCD numbers and times as SL 651-2014 encodes them (§6.6.2.5, §6.6.2.8, §6.6.3.3).

- Numbers are BCD with the decimal point removed; the identifier's definition byte says how
  many bytes and how many decimals. A negative number starts with byte ``FF`` (an odd digit
  count puts ``FF0`` in front, an even one the byte ``FF``), so both cases decode by dropping
  the leading ``FF``. A value made only of ``F`` nibbles is missing (``None``).
- Times are BCD ``YYMMDDHHmm`` (observation) or ``YYMMDDHHmmSS`` (send time), years 2000–2099,
  in the station's clock: China Standard Time (UTC+8, no daylight saving) by default.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from cityhub.errors import InvalidInput
from cityhub.sensing.sl651.errors import FrameError

CHINA_TIME = timezone(timedelta(hours=8), "CST")
_DIGITS = frozenset("0123456789")


def is_missing(data: bytes) -> bool:
    """True for a value made only of ``F`` nibbles (the standard's "no data")."""
    return bool(data) and all(byte == 0xFF for byte in data)


def bcd_digits(data: bytes, *, field: str, position: int = 0) -> str:
    """The decimal digits of ``data``; FrameError if a nibble is not 0–9."""
    text = data.hex()
    if not _DIGITS.issuperset(text):
        raise FrameError(
            f"{field}: {text.upper()} is not BCD",
            details={"field": field, "position": position, "bytes": text.upper()},
        )
    return text


def decode_number(data: bytes, decimals: int, *, field: str, position: int = 0) -> Decimal | None:
    """A BCD number with ``decimals`` implied decimal places; ``None`` when all-``F``."""
    if not data or is_missing(data):
        return None
    negative = data[0] == 0xFF
    digits = bcd_digits(data[1:] if negative else data, field=field, position=position)
    if not digits:
        return None
    # Built from the digit tuple so that no context precision rounds long values.
    sign = 1 if negative and int(digits) else 0
    return Decimal((sign, tuple(int(c) for c in digits.lstrip("0") or "0"), -decimals))


def number_width(digits: int) -> int:
    """Bytes a positive number of ``digits`` decimal digits takes."""
    return (digits + 1) // 2


def encode_number(
    value: Decimal | None, digits: int, decimals: int, *, field: str, width: int = 0
) -> bytes:
    """Encode ``value`` with ``digits`` digits of which ``decimals`` after the point.

    ``None`` becomes all-``F``. The value is rounded half up to ``decimals``; one that does
    not fit in ``digits`` digits raises InvalidInput. ``width`` pads to that many bytes with
    leading zeros (after the ``FF`` of a negative number), for equally wide 31H rows.
    """
    if value is None:
        return b"\xff" * max(width, number_width(digits))
    if not value.is_finite():
        raise InvalidInput(f"{field}: {value} is not a number", details={"field": field})
    scaled = int(value.scaleb(decimals).to_integral_value(rounding=ROUND_HALF_UP))
    if abs(scaled) >= 10**digits:
        raise InvalidInput(
            f"{field}: {value} does not fit in {digits} digits with {decimals} decimals",
            details={"field": field, "value": str(value)},
        )
    text = str(abs(scaled)).zfill(digits)
    sign = ""
    if scaled < 0:
        sign, width = "FF", width - 1
    text = text.zfill(max(2 * width, len(text) + len(text) % 2))
    return bytes.fromhex(sign + text)


def decode_time(
    data: bytes, *, seconds: bool, tz: tzinfo = CHINA_TIME, field: str, position: int = 0
) -> datetime:
    """A BCD ``YYMMDDHHmm[SS]`` time as an aware datetime in ``tz``."""
    expected = 6 if seconds else 5
    if len(data) != expected:
        raise FrameError(
            f"{field}: needs {expected} bytes, got {len(data)}",
            details={"field": field, "position": position},
        )
    text = bcd_digits(data, field=field, position=position)
    parts = [int(text[i : i + 2]) for i in range(0, len(text), 2)]
    try:
        year, month, day, hour, minute = parts[:5]
        second = parts[5] if seconds else 0
        return datetime(2000 + year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError as error:
        raise FrameError(
            f"{field}: {text} is not a valid time ({error})",
            details={"field": field, "position": position, "bytes": text},
        ) from None


def encode_time(value: datetime, *, seconds: bool, tz: tzinfo = CHINA_TIME, field: str) -> bytes:
    """Encode an aware datetime as BCD ``YYMMDDHHmm[SS]`` in the station clock ``tz``."""
    if value.tzinfo is None:
        raise InvalidInput(f"{field}: a naive datetime is ambiguous", details={"field": field})
    local = value.astimezone(tz)
    if not 2000 <= local.year <= 2099:
        raise InvalidInput(
            f"{field}: year {local.year} outside 2000–2099", details={"field": field}
        )
    text = local.strftime("%y%m%d%H%M%S" if seconds else "%y%m%d%H%M")
    return bytes.fromhex(text)
