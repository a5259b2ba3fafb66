"""Validators of Chinese identifiers and codes: ``validate(kind, value) -> Verdict``.

Every validator normalises first (full-width → half-width, trim, a-z → A-Z where check
characters are letters) and then checks; ``cityhub.registry.sql.valid_sql`` answers the same
valid/invalid for any input string. The rules, with the clauses of the standards, are in
``docs/registry.md``.

>>> validate("id_card", "11010519491231002x").normalised
'11010519491231002X'
>>> validate("credit_code", "91350100M000100Y44").reason_en
'check character expected 3 got 4'
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cityhub.registry.credit_code import validate_credit_code
from cityhub.registry.id_card import validate_id_card
from cityhub.registry.normalise import date_parts, normalise_date, to_halfwidth, trim
from cityhub.registry.phone import validate_phone
from cityhub.registry.regions import region
from cityhub.registry.verdict import Verdict, accept, reject

__all__ = ["KINDS", "Verdict", "validate"]

KINDS = ("id_card", "credit_code", "region_code", "phone", "postal_code", "date")

SIX_DIGITS = "[0-9]{6}"
_SIX_DIGITS = re.compile(SIX_DIGITS)


def validate_region_code(value: str) -> Verdict:
    """A 6-digit GB/T 2260 code in the table (current or historical)."""
    text = trim(to_halfwidth(value))
    if not _SIX_DIGITS.fullmatch(text):
        return reject("行政区划代码应为 6 位数字", "a region code is 6 digits")
    place = region(text)
    if place is None:
        return reject(
            f"{text} 不是已知的行政区划代码（GB/T 2260）",
            f"unknown region code {text} (GB/T 2260)",
            text,
        )
    parent = region(place.parent) if place.parent else None
    return accept(
        text,
        name=place.name,
        level=place.level,
        parent=place.parent,
        parent_name=parent.name if parent else "",
        current="true" if place.current else "false",
    )


def validate_postal_code(value: str) -> Verdict:
    """A 6-digit postal code (邮政编码), e.g. 252000 for 聊城."""
    text = trim(to_halfwidth(value))
    if not _SIX_DIGITS.fullmatch(text):
        return reject("邮政编码应为 6 位数字", "a postal code is 6 digits")
    return accept(text)


def validate_date(value: str) -> Verdict:
    """A date in a common Chinese form; normalised to ISO ``YYYY-MM-DD``."""
    iso = normalise_date(value)
    if iso is not None:
        return accept(iso)
    parts = date_parts(value)
    if parts is None:
        return reject(
            "不是可识别的日期格式（如 2020年4月7日、2020-04-07、2020/4/7、20200407）",
            "not a date in a recognised form (such as 2020年4月7日, 2020-04-07, 2020/4/7, "
            "20200407)",
        )
    year, month, day = parts
    written = f"{year:04d}-{month:02d}-{day:02d}"
    return reject(f"{written} 不是有效日期", f"{written} is not a calendar date")


VALIDATORS: dict[str, Callable[[str], Verdict]] = {
    "id_card": validate_id_card,
    "credit_code": validate_credit_code,
    "region_code": validate_region_code,
    "phone": validate_phone,
    "postal_code": validate_postal_code,
    "date": validate_date,
}


def validate(kind: str, value: str) -> Verdict:
    """Validate and normalise ``value`` as ``kind`` (one of ``KINDS``; ValueError for others)."""
    validator = VALIDATORS.get(kind)
    if validator is None:
        raise ValueError(f"unknown kind {kind!r}; kinds are {', '.join(KINDS)}")
    return validator(value)
