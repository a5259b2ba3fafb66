"""Chinese telephone numbers: mobile (11 digits, 1[3-9]…) and fixed lines (area code + 7-8 digits).

Mobile numbers may carry +86, 0086 or 86 in front and spaces or hyphens anywhere:
``+86 138-1234-5678`` → ``13812345678``. Fixed lines are an area code — 010 and 020-029 have
three digits, all others (0310-0999, 聊城 0635) four — then a 7- or 8-digit subscriber number that
does not start with 0 or 1, then optionally an extension (after a space, or ``-``, 转, 分机, ext,
x or # with a space either side or not): ``(0635)8888888 转 123`` → ``0635-8888888-123``.

The patterns are RE2-compatible and shared with ``cityhub.registry.sql``.
"""

from __future__ import annotations

import re

from cityhub.registry.normalise import to_halfwidth, trim, upper_ascii
from cityhub.registry.verdict import Verdict, accept, reject

SEPARATORS = "[ -]"
MOBILE_PATTERN = "(?:\\+86|0086|86)?(1[3-9][0-9]{9})"
AREA = "0(?:10|2[0-9]|[3-9][0-9]{2})"
FIXED_PATTERN = (
    f"(?:\\(({AREA})\\)|({AREA}))[ -]?([2-9][0-9]{{6,7}})"
    "(?:(?: ?(?:转|分机|EXT\\.?|X|#|-) ?| )([0-9]{1,6}))?"
)

_SEPARATORS = re.compile(SEPARATORS)
_MOBILE = re.compile(MOBILE_PATTERN)
_FIXED = re.compile(FIXED_PATTERN)
_INTERNATIONAL = re.compile("(?:\\+86|0086|86)(?=1)")


def validate_phone(value: str) -> Verdict:
    """Check a mobile or fixed-line number; ``details['type']`` says which it is."""
    text = upper_ascii(trim(to_halfwidth(value)))
    if not text:
        return reject("空值", "empty value")
    compact = _SEPARATORS.sub("", text)
    mobile = _MOBILE.fullmatch(compact)
    if mobile is not None:
        return accept(mobile.group(1), type="mobile")
    fixed = _FIXED.fullmatch(text)
    if fixed is not None:
        area = fixed.group(1) or fixed.group(2)
        extension = f"-{fixed.group(4)}" if fixed.group(4) else ""
        return accept(f"{area}-{fixed.group(3)}{extension}", type="fixed", area_code=area)
    return _why(compact)


def _why(compact: str) -> Verdict:
    number = _INTERNATIONAL.sub("", compact, count=1)
    if number.isascii() and number.isdigit() and number.startswith("1"):
        if len(number) != 11:
            return reject(
                f"手机号码应为 11 位，实为 {len(number)} 位",
                f"a mobile number has 11 digits, this has {len(number)}",
            )
        return reject(
            f"没有以 {number[:2]} 开头的手机号码（应为 13-19）",
            f"no mobile numbers begin with {number[:2]} (13-19 do)",
        )
    if number.startswith(("0", "(0")):
        return reject(
            "固定电话号码格式不正确（区号 0xx 或 0xxx，号码 7-8 位且不以 0、1 开头）",
            "not a fixed-line number (area code 0xx or 0xxx, then 7-8 digits not starting "
            "with 0 or 1)",
        )
    return reject(
        "不是手机号码（11 位，1 开头）或固定电话号码（区号 + 7-8 位）",
        "not a mobile number (11 digits starting 1) or a fixed-line number (area code + 7-8 "
        "digits)",
    )
