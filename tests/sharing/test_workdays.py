"""Working days: the State Council's holiday arrangements, weekends, and the arithmetic on them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.sharing import workdays
from cityhub.sharing.workdays import (
    add_working_days,
    calendar,
    is_working_day,
    response_deadline,
    working_days_between,
)

DAYS = st.dates(min_value=date(2023, 6, 1), max_value=date(2028, 6, 30))
COUNTS = st.integers(min_value=0, max_value=60)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 1), False),  # 元旦, a Wednesday
        (date(2025, 1, 26), True),  # a Sunday worked for the Spring Festival
        (date(2025, 1, 28), False),  # 除夕, a holiday since 2025
        (date(2025, 2, 4), False),  # the last day of the 2025 Spring Festival
        (date(2025, 2, 8), True),  # a Saturday worked
        (date(2025, 10, 8), False),  # 国庆 and 中秋 together, eight days
        (date(2025, 10, 11), True),
        (date(2026, 1, 2), False),  # 元旦 2026: Thursday to Saturday
        (date(2026, 1, 4), True),  # and the Sunday after it worked
        (date(2026, 2, 14), True),
        (date(2026, 2, 23), False),  # 正月初七, a Monday
        (date(2026, 2, 28), True),
        (date(2026, 5, 9), True),
        (date(2026, 6, 19), False),  # 端午
        (date(2026, 9, 25), False),  # 中秋
        (date(2026, 9, 20), True),
        (date(2026, 10, 7), False),
        (date(2026, 10, 10), True),
        (date(2026, 11, 27), True),  # an ordinary Friday
        (date(2026, 11, 28), False),  # an ordinary Saturday
        (date(2024, 2, 18), True),  # 2024: a Sunday worked after the Spring Festival
        (date(2024, 9, 16), False),  # 中秋 2024
        (date(2027, 1, 1), True),  # 2027 is not in the file: Monday–Friday only (a Friday)
        (date(2027, 1, 2), False),
    ],
)
def test_known_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 11, 27), 10, date(2026, 12, 11)),  # two ordinary weeks
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Friday → the Saturday worked
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # over the nine-day Spring Festival
        (date(2026, 2, 12), 10, date(2026, 3, 4)),  # both worked Saturdays count
        (date(2025, 9, 26), 1, date(2025, 9, 28)),  # Friday → the Sunday worked
        (date(2025, 9, 30), 2, date(2025, 10, 10)),  # over 国庆/中秋
        (date(2026, 4, 3), 1, date(2026, 4, 7)),  # 清明 Saturday–Monday
        (date(2026, 11, 27), 0, date(2026, 11, 27)),
    ],
)
def test_adding_working_days(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected
    assert working_days_between(start, expected) == n


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        add_working_days(date(2026, 1, 5), -1)


def test_deadline_is_the_end_of_the_day_in_china() -> None:
    # Thursday 2026-11-26 23:30 in Liaocheng is 15:30 UTC; ten working days later is Thursday
    # 2026-12-10, and the answer is due before midnight there (16:00 UTC).
    received = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
    assert response_deadline(received, 10) == datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
    # An hour later it is Friday in Liaocheng, though still Thursday in UTC: a day later.
    late = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)
    assert response_deadline(late, 10) == datetime(2026, 12, 11, 16, 0, tzinfo=UTC)
    # Arriving on a Saturday gives the same deadline as arriving on the Friday before.
    saturday = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert response_deadline(saturday, 10) == datetime(2026, 12, 11, 16, 0, tzinfo=UTC)


@given(DAYS, COUNTS)
def test_adding_lands_on_a_working_day_n_days_later(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    assert end >= start
    if n > 0:
        assert is_working_day(end)
        assert working_days_between(start, end - timedelta(days=1)) == n - 1
    # Never more than the longest holiday (9 days) beyond n weeks of five days.
    assert (end - start).days <= n * 7 // 5 + 12


@given(DAYS, DAYS, DAYS)
def test_counts_add_up_and_reverse(a: date, b: date, c: date) -> None:
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)
    assert working_days_between(a, b) == -working_days_between(b, a)
    assert working_days_between(a, a) == 0


@given(DAYS, COUNTS, COUNTS)
def test_adding_is_monotonic(start: date, n: int, m: int) -> None:
    small, large = sorted((n, m))
    assert add_working_days(start, small) <= add_working_days(start, large)


@given(st.dates(min_value=date(2027, 1, 1), max_value=date(2040, 12, 31)))
def test_years_outside_the_file_are_monday_to_friday(day: date) -> None:
    assert is_working_day(day) is (day.weekday() < 5)


def test_the_data_file_is_consistent() -> None:
    raw = json.loads(workdays.DATA.read_text(encoding="utf-8"))
    known = calendar()
    assert known.years == {2024, 2025, 2026}
    # Adjusted working days are weekend days, and no day is both a holiday and a working day.
    assert all(d.weekday() >= 5 for d in known.workdays)
    assert not known.holidays & known.workdays
    for year, arrangement in raw["years"].items():
        assert arrangement["notice"].startswith("国务院办公厅关于" + year)
        for first, last in arrangement["holidays"]:
            assert date.fromisoformat(first) <= date.fromisoformat(last)
    # Weekend days moved around the statutory holidays cancel out: weekdays off minus weekend
    # days worked is the number of statutory holiday days, 11 until 2024 and 13 since the
    # 2024 revision of 《全国年节及纪念日放假办法》 (除夕 and 5月2日 added). A typo in the file
    # breaks this sum.
    for year, statutory in ((2024, 11), (2025, 13), (2026, 13)):
        off = sum(1 for d in known.holidays if d.year == year and d.weekday() < 5)
        worked = sum(1 for d in known.workdays if d.year == year)
        assert off - worked == statutory, year
