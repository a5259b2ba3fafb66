"""Normalisers: full-width → half-width, trimming, collapsing spaces, upper-casing, unified dates.

Each step is defined by operations DuckDB has too (character translation, RE2-compatible regular
expressions), so ``cityhub.registry.sql.normalise_sql`` computes exactly the same strings; the
property tests in ``tests/registry/test_agreement.py`` hold the two to that.

- ``halfwidth``: U+FF01–U+FF5E → U+0021–U+007E (``１２３ＡＢＣ（）`` → ``123ABC()``), and the
  ideographic space U+3000 → an ordinary space.
- ``trim``: removes leading and trailing ``WHITESPACE`` (ASCII whitespace, no-break space,
  ideographic space, and the byte-order mark that spreadsheets leave in first cells).
- ``collapse_spaces``: every run of ``WHITESPACE`` inside the text becomes one space.
- ``upper``: a–z → A–Z and nothing else. Identifiers are ASCII; other scripts stay as they are,
  because full Unicode upper-casing differs between Python and DuckDB (``ı`` → ``I`` in DuckDB).
- ``date``: a date in a common Chinese form → ISO ``YYYY-MM-DD``, or None (see ``normalise_date``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

STEPS = ("trim", "halfwidth", "upper", "collapse_spaces", "date")

FULLWIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
HALFWIDTH = "".join(chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)) + " "
LOWER = "abcdefghijklmnopqrstuvwxyz"
UPPER = LOWER.upper()

# The same class is written in RE2 syntax in sql.py (\x{3000} …); keep the two in step.
WHITESPACE = " \t\n\v\f\r\u00a0\u3000\ufeff"
WHITESPACE_CLASS = "[ \\t\\n\\x0B\\f\\r\\x{00A0}\\x{3000}\\x{FEFF}]"

# Chinese numerals in dates: 〇 and ○ (both seen for zero in years), 零, 一 … 九; 十 is handled by
# TEN_RULES. Mixed forms such as 2020年十二月七日 are accepted as well.
CHINESE_DIGITS = "〇○零一二三四五六七八九"
ARABIC_DIGITS = "000123456789"
# Applied in order to the whole text: 二十一 → 21, 二十 → 20, 十一 → 11, 十 → 10.
TEN_RULES = (
    ("([1-9])十([1-9])", r"\1\2"),
    ("([1-9])十", r"\g<1>0"),
    ("十([1-9])", r"1\1"),
    ("十", "10"),
)
# One expression for every accepted shape, so SQL runs a single regexp_extract:
#   2020年4月7日 / 2020年4月7号, 2020-4-7 2020/04/07 2020.4.7 (same separator twice), 20200407.
DATE_PATTERN = (
    "([0-9]{4})"
    "(?:年([0-9]{1,2})月([0-9]{1,2})[日号]"
    "|([-/.])([0-9]{1,2})([-/.])([0-9]{1,2})"
    "|([0-9]{2})([0-9]{2}))"
)
MIN_YEAR = 1000  # four digits, no leading zero: 0999 is a typo, not a date

_HALFWIDTH_TABLE = str.maketrans(FULLWIDTH, HALFWIDTH)
_UPPER_TABLE = str.maketrans(LOWER, UPPER)
_CHINESE_TABLE = str.maketrans(CHINESE_DIGITS, ARABIC_DIGITS)
_RUNS = re.compile(f"[{re.escape(WHITESPACE)}]+")
_DATE = re.compile(DATE_PATTERN)
_TEN_RULES = tuple((re.compile(pattern), replacement) for pattern, replacement in TEN_RULES)
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space as plain ASCII."""
    return text if text.isascii() else text.translate(_HALFWIDTH_TABLE)


def trim(text: str) -> str:
    """``text`` without leading and trailing ``WHITESPACE``."""
    return text.strip(WHITESPACE)


def collapse_spaces(text: str) -> str:
    """Every run of ``WHITESPACE`` as one space (leading and trailing runs too: trim separately)."""
    return _RUNS.sub(" ", text)


def upper_ascii(text: str) -> str:
    """a–z as A–Z; everything else unchanged."""
    # For ASCII text str.upper() is exactly this, and much faster than translate.
    return text.upper() if text.isascii() else text.translate(_UPPER_TABLE)


def clean_text(text: str) -> str:
    """Half-width, trimmed, inner whitespace collapsed: the form free text is compared in."""
    return collapse_spaces(trim(to_halfwidth(text)))


def is_leap(year: int) -> bool:
    """Gregorian leap year."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    """Days in ``month`` (1-12) of ``year``."""
    return _DAYS_IN_MONTH[month - 1] + (1 if month == 2 and is_leap(year) else 0)


def is_calendar_date(year: int, month: int, day: int) -> bool:
    """Whether year-month-day exists (year 1000-9999)."""
    return MIN_YEAR <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= days_in_month(year, month)


def date_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) written in ``text`` in an accepted form, not yet checked as a date."""
    prepared = trim(to_halfwidth(text)).translate(_CHINESE_TABLE)
    for pattern, replacement in _TEN_RULES:
        prepared = pattern.sub(replacement, prepared)
    match = _DATE.fullmatch(prepared)
    if match is None:
        return None
    groups = [g or "" for g in match.groups()]
    if groups[3] != groups[5]:  # 2020-4/7: the two separators differ
        return None
    month = groups[1] + groups[4] + groups[7]  # exactly one alternative took part
    day = groups[2] + groups[6] + groups[8]
    return int(groups[0]), int(month), int(day)


def normalise_date(text: str) -> str | None:
    """ISO ``YYYY-MM-DD`` of a date in a common Chinese form, or None.

    >>> normalise_date(" 二〇二〇年四月七日 "), normalise_date("2020.4.7")
    ('2020-04-07', '2020-04-07')
    >>> normalise_date("2021-2-29") is None
    True
    """
    parts = date_parts(text)
    if parts is None or not is_calendar_date(*parts):
        return None
    year, month, day = parts
    return f"{year:04d}-{month:02d}-{day:02d}"


def apply_step(text: str, step: str) -> str | None:
    """One step of ``STEPS``; None when the step cannot produce a value (an unparseable date)."""
    if step == "trim":
        return trim(text)
    if step == "halfwidth":
        return to_halfwidth(text)
    if step == "upper":
        return upper_ascii(text)
    if step == "collapse_spaces":
        return collapse_spaces(text)
    if step == "date":
        return normalise_date(text)
    raise ValueError(f"unknown normalising step {step!r}; steps are {', '.join(STEPS)}")


def apply_steps(text: str, steps: Iterable[str]) -> str | None:
    """``text`` through ``steps`` in order; None as soon as one step gives None."""
    steps = tuple(steps)
    unknown = [step for step in steps if step not in STEPS]
    if unknown:
        raise ValueError(f"unknown normalising step {unknown[0]!r}; steps are {', '.join(STEPS)}")
    result: str | None = text
    for step in steps:
        if result is None:
            return None
        result = apply_step(result, step)
    return result
