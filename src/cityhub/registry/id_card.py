"""公民身份号码 (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit sequence, check.

Clause 4 of the standard: the address code is a GB/T 2260 code of the place of first registration
(kept for life, so historical codes are accepted); the birth date is YYYYMMDD (GB/T 7408); the
17th digit is odd for men and even for women; the check character is ISO 7064 MOD 11-2
(``codes.id_number_check``). First-generation numbers (15 digits, 1984-1999) lack the century
and the check character; they are not valid 18-digit numbers, but their upgraded form is given as
``normalised`` (the upgrade rule of GB 11643: insert ``19`` before the birth year, append the check
character).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from cityhub.registry.codes import id_number_check
from cityhub.registry.normalise import is_calendar_date, to_halfwidth, trim, upper_ascii
from cityhub.registry.regions import region
from cityhub.registry.verdict import Verdict, accept, reject

DIGITS = "0123456789"
SHAPE = "[0-9]{17}[0-9X]"
MIN_BIRTH_YEAR = 1900
# China has one time zone and no daylight saving time: "today" is the date at UTC+8.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


def china_today() -> date:
    """Today's date in China; birth dates after it are refused."""
    return datetime.now(CHINA).date()


def validate_id_card(value: str, today: date | None = None) -> Verdict:
    """Check a 公民身份号码: length, characters, address code, birth date, check character."""
    text = upper_ascii(trim(to_halfwidth(value)))
    if not text:
        return reject("空值", "empty value")
    if len(text) == 15 and all(c in DIGITS for c in text):
        return _first_generation(text, today)
    if len(text) != 18:
        return reject(
            f"长度为 {len(text)} 位，应为 18 位", f"length is {len(text)}, expected 18", None
        )
    for position, char in enumerate(text[:17], start=1):
        if char not in DIGITS:
            return reject(
                f"第 {position} 位“{char}”应为数字",
                f"character at position {position} is {char!r}, expected a digit",
            )
    if text[17] not in DIGITS + "X":
        return reject(
            f"第 18 位（校验码）“{text[17]}”应为数字或 X",
            f"character at position 18 (check) is {text[17]!r}, expected a digit or X",
        )
    return _checked(text, today)


def _checked(text: str, today: date | None) -> Verdict:
    code = text[:6]
    place = region(code)
    if place is None:
        return reject(
            f"地址码 {code} 不是已知的行政区划代码（GB/T 2260）",
            f"unknown region code {code} (GB/T 2260)",
            text,
        )
    problem = _birth_problem(text[6:14], today or china_today())
    if problem is not None:
        return reject(*problem, text)
    check = id_number_check(text[:17])
    if check != text[17]:
        return reject(
            f"校验码应为 {check}，实为 {text[17]}",
            f"check character expected {check} got {text[17]}",
            text,
        )
    birth = f"{text[6:10]}-{text[10:12]}-{text[12:14]}"
    return accept(
        text,
        region=code,
        region_name=place.name,
        region_current="true" if place.current else "false",
        birth_date=birth,
        sex="male" if int(text[16]) % 2 else "female",
    )


def _birth_problem(birth: str, today: date) -> tuple[str, str] | None:
    year, month, day = int(birth[:4]), int(birth[4:6]), int(birth[6:])
    if not is_calendar_date(year, month, day):
        return f"出生日期 {birth} 不是有效日期", f"birth date {birth} is not a calendar date"
    if year < MIN_BIRTH_YEAR:
        return f"出生日期 {birth} 早于 1900 年", f"birth date {birth} is before 1900"
    if date(year, month, day) > today:
        return f"出生日期 {birth} 在未来", f"birth date {birth} is in the future"
    return None


def _first_generation(text: str, today: date | None) -> Verdict:
    body = text[:6] + "19" + text[6:]
    upgraded = body + id_number_check(body)
    verdict = _checked(upgraded, today)
    if not verdict.valid:
        return reject(
            f"15 位第一代身份证号码；升级为 18 位后：{verdict.reason_zh}",
            f"15-digit first-generation number; upgraded to 18 digits: {verdict.reason_en}",
        )
    return reject(
        f"15 位第一代身份证号码，18 位号码为 {upgraded}",
        f"15-digit first-generation number; the 18-digit form is {upgraded}",
        upgraded,
        **verdict.details,
    )
