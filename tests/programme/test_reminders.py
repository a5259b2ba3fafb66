"""Which reports are owed, overdue or due soon (``cityhub.programme.reminders``), per unit.

Uses ``seed_reports`` from ``test_reports``: SLJ is a unit of task 4 (quarterly, from
2020-04-07, reports due 10 days after each quarter; reminders 5 days ahead).
"""

from __future__ import annotations

from datetime import date

import pytest

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.programme.reminders import expected_reports
from cityhub.programme.reports import list_overdue, list_reminders, overdue_reports, reminders
from tests.programme.test_reports import ANALYST, LATE, ON_TIME, STEWARD, seeded, submit

__all__ = ["seeded"]  # the fixture, shared with test_reports


def _overdue_for(db: Database, on: date, department: str, task: int = 4) -> list[tuple[str, int]]:
    with db.reading() as session:
        found = overdue_reports(session, on, 10)
    return [
        (o.period, o.days_overdue)
        for o in found
        if (o.department, o.task_number) == (department, task)
    ]


def test_overdue_periods_are_those_past_due_without_a_report(
    seeded: Database, settings: Settings
) -> None:
    assert _overdue_for(seeded, date(2020, 7, 10), "SLJ") == []  # due today: not overdue yet
    assert _overdue_for(seeded, date(2020, 7, 11), "SLJ") == [("2020-Q2", 1)]
    assert _overdue_for(seeded, date(2020, 10, 11), "SLJ") == [("2020-Q2", 93), ("2020-Q3", 1)]
    submit(seeded, settings, period="2020-Q2", now=LATE)  # late, but it answers the period
    assert _overdue_for(seeded, date(2020, 10, 11), "SLJ") == [("2020-Q3", 1)]
    # The other units of task 4 still owe 2020-Q2.
    assert ("2020-Q2", 93) in _overdue_for(seeded, date(2020, 10, 11), "DSJJ")
    view = list_overdue(seeded, ANALYST, date(2020, 10, 11), 10, department="SLJ")
    assert [(o.task_number, o.period, o.due_on) for o in view] == [
        (4, "2020-Q3", date(2020, 10, 10))
    ]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2020, 10, 4), []),  # due 2020-10-10: six days ahead, outside the five
        (date(2020, 10, 5), [("2020-Q3", 5)]),
        (date(2020, 10, 10), [("2020-Q3", 0)]),
        (date(2020, 10, 11), []),  # overdue now, no longer a reminder
    ],
)
def test_reminders_come_within_the_window(
    seeded: Database, on: date, expected: list[tuple[str, int]]
) -> None:
    with seeded.reading() as session:
        found = reminders(session, on, 10, 5)
    assert [
        (r.period, r.days_left) for r in found if (r.department, r.task_number) == ("SLJ", 4)
    ] == expected


def test_no_reminder_once_the_report_is_in(seeded: Database, settings: Settings) -> None:
    submit(seeded, settings, period="2021-Q3")
    assert list_reminders(seeded, STEWARD, date(2021, 10, 6), 10, 5, department="SLJ") == []
    assert list_reminders(seeded, STEWARD, date(2021, 10, 6), 10, 5, department="DSJJ")


def test_expected_reports_say_which_came_and_whether_late(
    seeded: Database, settings: Settings
) -> None:
    on_time = submit(seeded, settings, period="2021-Q3", now=ON_TIME)
    late = submit(seeded, settings, period="2021-Q2", now=LATE)
    with seeded.reading() as session:
        found = {
            e.period: e
            for e in expected_reports(session, date(2022, 1, 1), 10)
            if (e.task_number, e.department) == (4, "SLJ")
        }
    assert list(found)[:2] == ["2020-Q2", "2020-Q3"] and list(found)[-1] == "2021-Q4"
    assert (found["2021-Q3"].report_id, found["2021-Q3"].late) == (on_time.id, False)
    assert (found["2021-Q2"].report_id, found["2021-Q2"].late) == (late.id, True)
    assert found["2021-Q1"].report_id is None and not found["2021-Q1"].late
