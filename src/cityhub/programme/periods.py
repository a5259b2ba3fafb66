"""Reporting periods: months ('2021-07') and quarters ('2021-Q3'), as pure calendar maths.

A task reports once per period of its kind, starting with the period that contains its
``reporting_from`` day. A period's report is due ``due_days`` after the period's last day.
Periods of one kind tile the calendar: each day lies in exactly one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from cityhub.errors import InvalidInput

PeriodKind = Literal["monthly", "quarterly"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("monthly", "quarterly")
MIN_YEAR = 2000  # reports before the platform's time are not meaningful
MAX_YEAR = 2999

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits: \d also matches ٠ etc.
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")


@dataclass(frozen=True, order=True)
class Period:
    """One month (``index`` 1–12) or one quarter (``index`` 1–4) of ``year``."""

    year: int
    index: int
    kind: PeriodKind

    @property
    def label(self) -> str:
        """The period's name: '2021-07' or '2021-Q3'."""
        return format_period(self)

    @property
    def start(self) -> date:
        """The period's first day."""
        first_month = self.index if self.kind == "monthly" else 3 * self.index - 2
        return date(self.year, first_month, 1)

    @property
    def end(self) -> date:
        """The period's last day."""
        return self.next().start - timedelta(days=1)

    def next(self) -> Period:
        """The period right after this one."""
        last = 12 if self.kind == "monthly" else 4
        if self.index == last:
            return Period(self.year + 1, 1, self.kind)
        return Period(self.year, self.index + 1, self.kind)

    def due_on(self, due_days: int) -> date:
        """The day its report is due: ``due_days`` after the period's last day."""
        return self.end + timedelta(days=due_days)

    def has_ended(self, on: date) -> bool:
        """Whether the period is over on day ``on`` (its last day is before ``on``)."""
        return self.end < on


def _check_kind(kind: str, field: str = "report_period") -> PeriodKind:
    if kind == "monthly":
        return "monthly"
    if kind == "quarterly":
        return "quarterly"
    raise InvalidInput(
        f"{field} must be 'monthly' or 'quarterly', not {kind!r}",
        details={"field": field, "value": kind},
    )


def format_period(period: Period) -> str:
    """'2021-07' for a month, '2021-Q3' for a quarter."""
    if period.kind == "monthly":
        return f"{period.year:04d}-{period.index:02d}"
    return f"{period.year:04d}-Q{period.index}"


def parse_period(text: str, kind: str | None = None, *, field: str = "period") -> Period:
    """Read '2021-07' or '2021-Q3'; with ``kind``, the text must be a period of that kind.

    Errors are ``InvalidInput`` whose details name ``field``.
    """
    value = text.strip()
    month = _MONTH.fullmatch(value)
    quarter = _QUARTER.fullmatch(value)
    period: Period | None = None
    if month and 1 <= int(month.group(2)) <= 12:
        period = Period(int(month.group(1)), int(month.group(2)), "monthly")
    elif quarter:
        period = Period(int(quarter.group(1)), int(quarter.group(2)), "quarterly")
    if period is None or not MIN_YEAR <= period.year <= MAX_YEAR:
        raise InvalidInput(
            f"{field} must look like '2021-07' (a month) or '2021-Q3' (a quarter), not {text!r}",
            details={"field": field, "value": text},
        )
    if kind is not None and period.kind != _check_kind(kind):
        raise InvalidInput(
            f"{field} {text!r} is not a {kind} period",
            details={"field": field, "value": text, "expected": kind},
        )
    return period


def period_containing(day: date, kind: str) -> Period:
    """The month or quarter that ``day`` lies in."""
    checked = _check_kind(kind)
    if checked == "monthly":
        return Period(day.year, day.month, "monthly")
    return Period(day.year, (day.month - 1) // 3 + 1, "quarterly")


def periods_between(kind: str, first_day: date, last_day: date) -> list[Period]:
    """Every period of ``kind`` that overlaps ``first_day``…``last_day`` (both included)."""
    if last_day < first_day:
        return []
    periods = []
    period = period_containing(first_day, kind)
    while period.start <= last_day:
        periods.append(period)
        period = period.next()
    return periods


def ended_periods(kind: str, reporting_from: date, on: date) -> list[Period]:
    """A task's periods, from the one containing ``reporting_from``, that have ended by ``on``."""
    return [p for p in periods_between(kind, reporting_from, on) if p.has_ended(on)]


def is_reporting_period(period: Period, kind: str, reporting_from: date, on: date) -> bool:
    """Whether a task (``kind``, ``reporting_from``) may report for ``period`` on day ``on``:
    the right kind, not before the first period, and already started."""
    first = period_containing(reporting_from, kind)
    return period.kind == kind and first <= period and period.start <= on
