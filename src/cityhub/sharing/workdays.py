"""Working days (工作日) of mainland China: weekends, public holidays and adjusted working days.

The State Council publishes each year's holiday arrangement (国务院办公厅关于部分节假日安排的通知)
in the autumn before: which days are off (放假) and which weekend days are working days
(调休上班). ``data/holidays_cn.json`` holds the years whose notices we have checked; a year not
in it falls back to Monday–Friday, which can be wrong by a few days around its holidays until the
file gains that year.

Counting follows Chinese administrative practice (期间开始之日不计算在期间内): the day something
arrives is not counted, so a request made on a Monday is answered "within 1 working day" if it
is answered by the end of Tuesday.

>>> add_working_days(date(2026, 2, 13), 1)  # Friday → the adjusted working Saturday
datetime.date(2026, 2, 14)
>>> working_days_between(date(2026, 2, 14), date(2026, 2, 24))  # the Spring Festival in between
1
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

CITY_TIME = ZoneInfo("Asia/Shanghai")  # deadlines are days in China Standard Time
DATA = Path(__file__).parent / "data" / "holidays_cn.json"
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    """The days that differ from Monday–Friday, and the years for which they are known."""

    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]


@cache
def calendar() -> Calendar:
    """The holiday calendar shipped with the package (read once)."""
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    holidays: set[date] = set()
    workdays: set[date] = set()
    for year, arrangement in raw["years"].items():
        for first, last in arrangement["holidays"]:
            day, end = date.fromisoformat(first), date.fromisoformat(last)
            while day <= end:
                holidays.add(day)
                day += ONE_DAY
        workdays.update(date.fromisoformat(d) for d in arrangement["workdays"])
        # A typo in a year is the likely mistake in a hand-kept file: refuse it loudly.
        strays = [d for d in holidays | workdays if str(d.year) not in raw["years"]]
        if strays:
            raise ValueError(f"{DATA}: {year} lists days of another year: {sorted(strays)}")
    return Calendar(frozenset(holidays), frozenset(workdays), frozenset(map(int, raw["years"])))


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day: a weekday that is no holiday, or an adjusted weekend."""
    known = calendar()
    if day in known.workdays:
        return True
    return day.weekday() < 5 and day not in known.holidays


def add_working_days(start: date, n: int) -> date:
    """The day on which the ``n``-th working day after ``start`` falls (``start`` not counted).

    ``n`` 0 gives ``start`` itself.
    """
    if n < 0:
        raise ValueError("n must be 0 or more")
    day = start
    while n > 0:
        day += ONE_DAY
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(a: date, b: date) -> int:
    """How many working days fall after ``a`` up to and including ``b`` (negative if b < a)."""
    if b < a:
        return -working_days_between(b, a)
    count, day = 0, a
    while day < b:
        day += ONE_DAY
        count += is_working_day(day)
    return count


def local_day(moment: datetime) -> date:
    """The day in China Standard Time on which ``moment`` falls."""
    return moment.astimezone(CITY_TIME).date()


def response_deadline(received: datetime, working_days: int) -> datetime:
    """The moment a reply to something received at ``received`` is due: the end (24:00 China
    Standard Time) of the ``working_days``-th working day after the day it arrived; aware UTC.
    """
    last = add_working_days(local_day(received), working_days)
    return datetime.combine(last + ONE_DAY, time(), CITY_TIME).astimezone(UTC)
