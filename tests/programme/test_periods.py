"""Reporting periods: parsing, bounds, tiling of the calendar, due days, a task's periods."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.errors import InvalidInput
from cityhub.programme.periods import (
    PERIOD_KINDS,
    Period,
    ended_periods,
    format_period,
    is_reporting_period,
    parse_period,
    period_containing,
    periods_between,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2998, 12, 31))
kinds = st.sampled_from(PERIOD_KINDS)
periods = st.one_of(
    st.builds(Period, st.integers(2000, 2999), st.integers(1, 12), st.just("monthly")),
    st.builds(Period, st.integers(2000, 2999), st.integers(1, 4), st.just("quarterly")),
)


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2021-07", "monthly", date(2021, 7, 1), date(2021, 7, 31)),
        ("2020-02", "monthly", date(2020, 2, 1), date(2020, 2, 29)),  # leap year
        ("2021-02", "monthly", date(2021, 2, 1), date(2021, 2, 28)),
        ("2021-12", "monthly", date(2021, 12, 1), date(2021, 12, 31)),
        ("2021-Q1", "quarterly", date(2021, 1, 1), date(2021, 3, 31)),
        ("2021-Q2", "quarterly", date(2021, 4, 1), date(2021, 6, 30)),
        ("2021-Q3", "quarterly", date(2021, 7, 1), date(2021, 9, 30)),
        ("2021-Q4", "quarterly", date(2021, 10, 1), date(2021, 12, 31)),
        (" 2022-Q4 ", "quarterly", date(2022, 10, 1), date(2022, 12, 31)),
    ],
)
def test_parse_gives_kind_and_bounds(text: str, kind: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert period.label == text.strip()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2021",
        "2021-7",
        "2021-00",
        "2021-13",
        "2021-Q0",
        "2021-Q5",
        "2021-q3",
        "21-Q3",
        "2021/07",
        "2021-07-01",
        "1999-12",
        "3000-01",
        "二〇二一年七月",
        "2021-Q3x",
    ],
)
def test_bad_period_strings_name_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_period(text, field="period")
    assert caught.value.details["field"] == "period"
    assert caught.value.details["value"] == text


@pytest.mark.parametrize(("text", "kind"), [("2021-07", "quarterly"), ("2021-Q3", "monthly")])
def test_a_period_of_the_wrong_kind_is_refused(text: str, kind: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_period(text, kind)
    assert caught.value.details == {"field": "period", "value": text, "expected": kind}


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        period_containing(date(2021, 1, 1), "weekly")
    assert caught.value.details["field"] == "report_period"


@given(st.text(max_size=12) | st.from_regex(r"\d{4}-(Q\d|\d{2})", fullmatch=True))
def test_any_text_parses_to_its_own_label_or_is_refused_naming_the_field(text: str) -> None:
    try:
        period = parse_period(text, field="period")
    except InvalidInput as error:
        assert error.details["field"] == "period"
        return
    assert period.label == text.strip()


@given(periods)
def test_parse_inverts_format(period: Period) -> None:
    assert parse_period(format_period(period)) == period


@given(days, kinds)
def test_the_period_containing_a_day_contains_it(day: date, kind: str) -> None:
    period = period_containing(day, kind)
    assert period.start <= day <= period.end
    assert period.kind == kind


@given(days, st.integers(0, 800), kinds)
def test_periods_tile_the_calendar(first: date, span: int, kind: str) -> None:
    """Consecutive periods touch: no gap, no overlap, and every day is covered once."""
    last = first + timedelta(days=span)
    tiles = periods_between(kind, first, last)
    assert tiles[0].start <= first and tiles[-1].end >= last
    for before, after in pairwise(tiles):
        assert after.start == before.end + timedelta(days=1)
        assert before < after
    covered = sum((p.end - p.start).days + 1 for p in tiles)
    assert covered == (tiles[-1].end - tiles[0].start).days + 1


@pytest.mark.parametrize(
    ("period", "due_days", "due_on"),
    [
        ("2021-Q3", 10, date(2021, 10, 10)),
        ("2021-Q4", 10, date(2022, 1, 10)),
        ("2021-02", 10, date(2021, 3, 10)),
        ("2021-12", 0, date(2021, 12, 31)),
    ],
)
def test_due_day_is_end_plus_due_days(period: str, due_days: int, due_on: date) -> None:
    assert parse_period(period).due_on(due_days) == due_on


@pytest.mark.parametrize(
    ("kind", "on", "labels"),
    [
        # The policy's day, 2020-04-07, lies in 2020-Q2: that is the first quarter reported on.
        ("quarterly", date(2020, 6, 30), []),
        ("quarterly", date(2020, 7, 1), ["2020-Q2"]),
        ("quarterly", date(2021, 1, 1), ["2020-Q2", "2020-Q3", "2020-Q4"]),
        ("monthly", date(2020, 4, 30), []),
        ("monthly", date(2020, 5, 1), ["2020-04"]),
        ("monthly", date(2020, 7, 15), ["2020-04", "2020-05", "2020-06"]),
    ],
)
def test_a_tasks_ended_periods(kind: str, on: date, labels: list[str]) -> None:
    assert [p.label for p in ended_periods(kind, date(2020, 4, 7), on)] == labels


@pytest.mark.parametrize(
    ("period", "kind", "on", "allowed"),
    [
        ("2020-Q2", "quarterly", date(2020, 4, 7), True),  # the first period, started
        ("2020-Q1", "quarterly", date(2021, 1, 1), False),  # before reporting began
        ("2020-Q3", "quarterly", date(2020, 6, 30), False),  # not started yet
        ("2020-Q3", "quarterly", date(2020, 7, 1), True),  # started today
        ("2020-07", "quarterly", date(2021, 1, 1), False),  # wrong kind
        ("2020-04", "monthly", date(2020, 4, 7), True),
    ],
)
def test_which_periods_a_task_may_report_on(
    period: str, kind: str, on: date, allowed: bool
) -> None:
    assert is_reporting_period(parse_period(period), kind, date(2020, 4, 7), on) is allowed
