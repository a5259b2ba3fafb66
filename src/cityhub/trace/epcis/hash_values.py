"""Value normalisation of the CBV 2.0 event hash: URN vocabularies, numbers, GS1 keys, times."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

from cityhub.trace.epcis.digital_link import canonical_gs1

_CBV_URNS = (
    ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"),
    ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
)
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})?"
)


def numeric(text: str) -> str:
    """Numbers without trailing zeros or a leading "+": ``"1.50"`` → ``"1.5"``, ``"2.0"`` → ``"2"``.

    As the reference, any value Python's ``float`` accepts counts as a number. Infinities
    and NaN stay as written (the reference drops an event holding an infinity).
    """
    first = text[:1]
    if first.isalpha() and first not in "iInN":  # float() accepts no other leading letter
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    if number == int(number):
        return str(int(number))
    return str(number)


@lru_cache(maxsize=1 << 16)  # identifiers and vocabulary words repeat across events
def canonize(text: str) -> str:
    """One value as the pre-hash string has it: CBV web URI, plain number or canonical GS1 key."""
    if text.startswith("urn:epcglobal:cbv:"):
        for urn, web in _CBV_URNS:
            text = text.replace(urn, web)
    text = numeric(text)
    return canonical_gs1(text) or text


def parse_timestamp(text: str) -> datetime | None:
    """An RFC 3339 date-time with offset (microseconds kept), else None."""
    match = _DATE_TIME.fullmatch(text)
    if match is None or match.group(8) is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "")[:6].ljust(6, "0")),
            tzinfo=_zone(offset),
        )
    except ValueError:
        return None


def _zone(offset: str | None) -> timezone:
    if not offset or offset in ("Z", "z"):
        return UTC
    sign = 1 if offset[0] == "+" else -1
    digits = offset[1:].replace(":", "")
    return timezone(sign * timedelta(minutes=int(digits[:2]) * 60 + int(digits[2:])))


@lru_cache(maxsize=1 << 14)
def fix_time(text: str) -> str:
    """A timestamp in UTC with milliseconds, ``2020-03-04T10:00:30.000Z``.

    The fourth fractional digit rounds the third half up, as the published rule says
    (CBV 2.0 event hash rule 9); a value that is no RFC 3339 timestamp stays as written.
    """
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        return text
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        # No offset: read as UTC (the reference would use the machine's zone; the schema
        # requires an offset anyway).
        zone = _zone(offset)
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError:
        return text
    fraction = fraction or ""
    millis = int(fraction[:3].ljust(3, "0"))
    if len(fraction) > 3 and fraction[3] >= "5":
        millis += 1
    try:
        utc = (moment + timedelta(milliseconds=millis)).astimezone(UTC)
    except (OverflowError, ValueError):
        return text
    return utc.isoformat(timespec="milliseconds")[:-6] + "Z"
