"""Which progress reports are expected, overdue, or due soon.

Every unit of a task (lead and co-responsible) owes one report per ended period of the task's
kind, from the period containing the task's ``reporting_from``. A report is overdue when its
due day (period end + ``due_days``) has passed and the unit has sent none for that period;
a reminder is due when the due day is within ``reminder_days`` and no report is in yet.

``expected_reports``, ``overdue_reports`` and ``reminders`` work inside the caller's session and
check no permission (B's warnings call them); ``list_expected``, ``list_overdue`` and
``list_reminders`` are the audited, permission-checked versions for the API, pages and CLI.
In-app notifications are not created: the sharing module's notifications are tied to sharing
requests, so reminders are listed (API, page, CLI) instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub.audit import record
from cityhub.auth.actor import Actor, Permission
from cityhub.auth.models import Department
from cityhub.db import Database
from cityhub.errors import NotFound
from cityhub.programme.models_reports import ProgrammeReport
from cityhub.programme.models_tasks import ProgrammeTask, ProgrammeTaskUnit
from cityhub.programme.periods import Period, periods_between
from cityhub.programme.tasks import CITY_TIME


@dataclass(frozen=True)
class ExpectedReport:
    """One report a unit owes for one period, and the report that answered it (if any)."""

    task_number: int
    task_title: str
    department: str
    department_name_zh: str
    department_name_en: str
    period: str
    period_start: date
    period_end: date
    due_on: date
    report_id: int | None
    submitted_on: date | None  # the city's calendar day of the first report

    @property
    def late(self) -> bool:
        """Whether the first report came in after the due day."""
        return self.submitted_on is not None and self.submitted_on > self.due_on


@dataclass(frozen=True)
class OverdueReport:
    """A period whose report is past due and missing."""

    task_number: int
    task_title: str
    department: str
    period: str
    due_on: date
    days_overdue: int


@dataclass(frozen=True)
class Reminder:
    """A period whose report is due within the reminder window and not in yet."""

    task_number: int
    task_title: str
    department: str
    department_name_zh: str
    department_name_en: str
    period: str
    due_on: date
    days_left: int  # 0 means due today


def city_day(moment: datetime) -> date:
    """The calendar day in Liaocheng of an aware timestamp."""
    return moment.astimezone(CITY_TIME).date()


def _first_reports(session: Session) -> dict[tuple[int, int, str], tuple[int, date]]:
    """(task id, department id, period) → (id, city day) of the first report sent for it."""
    first: dict[tuple[int, int, str], tuple[int, date]] = {}
    rows = session.execute(
        select(
            ProgrammeReport.id,
            ProgrammeReport.task_id,
            ProgrammeReport.department_id,
            ProgrammeReport.period,
            ProgrammeReport.submitted_at,
        ).order_by(ProgrammeReport.id)
    )
    for report_id, task_id, department_id, period, submitted_at in rows:
        first.setdefault((task_id, department_id, period), (report_id, city_day(submitted_at)))
    return first


def expected_reports(
    session: Session, on: date, due_days: int, *, until: date | None = None
) -> list[ExpectedReport]:
    """Every (task, unit, period) owed by day ``on``: periods that have ended by then.

    ``until`` widens the window to periods ending before that day (for reminders that look
    ahead). Sorted by due day, task number, then the unit's place in the task's list.
    """
    last_day = (until or on) - timedelta(days=1)
    departments = {d.id: d for d in session.scalars(select(Department))}
    first = _first_reports(session)
    expected: list[ExpectedReport] = []
    units = session.execute(
        select(ProgrammeTask, ProgrammeTaskUnit.department_id)
        .join(ProgrammeTaskUnit, ProgrammeTaskUnit.task_id == ProgrammeTask.id)
        .order_by(ProgrammeTask.number, ProgrammeTaskUnit.position)
    )
    for task, department_id in units:
        department = departments[department_id]
        for period in periods_between(task.report_period, task.reporting_from, last_day):
            if period.end > last_day:
                continue
            answer = first.get((task.id, department_id, period.label))
            expected.append(_expected(task, department, period, due_days, answer))
    expected.sort(key=lambda e: (e.due_on, e.task_number))
    return expected


def _expected(
    task: ProgrammeTask,
    department: Department,
    period: Period,
    due_days: int,
    answer: tuple[int, date] | None,
) -> ExpectedReport:
    return ExpectedReport(
        task_number=task.number,
        task_title=task.title,
        department=department.code,
        department_name_zh=department.name_zh,
        department_name_en=department.name_en,
        period=period.label,
        period_start=period.start,
        period_end=period.end,
        due_on=period.due_on(due_days),
        report_id=answer[0] if answer else None,
        submitted_on=answer[1] if answer else None,
    )


def overdue_reports(session: Session, on: date, due_days: int) -> list[OverdueReport]:
    """Reports past their due day on ``on`` that the unit has not sent, most overdue first."""
    overdue = [
        OverdueReport(
            task_number=e.task_number,
            task_title=e.task_title,
            department=e.department,
            period=e.period,
            due_on=e.due_on,
            days_overdue=(on - e.due_on).days,
        )
        for e in expected_reports(session, on, due_days)
        if e.report_id is None and e.due_on < on
    ]
    overdue.sort(key=lambda o: (-o.days_overdue, o.task_number, o.department))
    return overdue


def reminders(session: Session, on: date, due_days: int, reminder_days: int) -> list[Reminder]:
    """Reports due from ``on`` to ``on + reminder_days`` (included) and not sent yet."""
    horizon = on + timedelta(days=reminder_days)
    # A period is due ``due_days`` after its end: look at periods ending up to horizon - due_days.
    until = horizon - timedelta(days=due_days) + timedelta(days=1)
    return [
        Reminder(
            task_number=e.task_number,
            task_title=e.task_title,
            department=e.department,
            department_name_zh=e.department_name_zh,
            department_name_en=e.department_name_en,
            period=e.period,
            due_on=e.due_on,
            days_left=(e.due_on - on).days,
        )
        for e in expected_reports(session, on, due_days, until=max(until, on))
        if e.report_id is None and on <= e.due_on <= horizon
    ]


# --- for callers: permission-checked and audited ------------------------------------------------


def _check_department(session: Session, code: str) -> None:
    if session.scalar(select(Department.id).where(Department.code == code)) is None:
        raise NotFound(f"no department {code!r}", details={"field": "department", "value": code})


def list_expected(
    db: Database, actor: Actor, on: date, due_days: int, department: str | None = None
) -> list[ExpectedReport]:
    """Every report owed by ``on`` and whether it came (PROGRAMME_READ), for one unit or all."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        if department is not None:
            _check_department(session, department)
        found = [
            e
            for e in expected_reports(session, on, due_days)
            if department is None or e.department == department
        ]
        _audit_schedule(session, actor, "expected", on, department, len(found))
    return found


def list_overdue(
    db: Database, actor: Actor, on: date, due_days: int, department: str | None = None
) -> list[OverdueReport]:
    """Missing reports past their due day on ``on`` (PROGRAMME_READ), for one unit or all."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        if department is not None:
            _check_department(session, department)
        found = [
            o
            for o in overdue_reports(session, on, due_days)
            if department is None or o.department == department
        ]
        _audit_schedule(session, actor, "overdue", on, department, len(found))
    return found


def list_reminders(
    db: Database,
    actor: Actor,
    on: date,
    due_days: int,
    reminder_days: int,
    department: str | None = None,
) -> list[Reminder]:
    """Reports due within ``reminder_days`` of ``on`` and not sent (PROGRAMME_READ)."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        if department is not None:
            _check_department(session, department)
        found = [
            r
            for r in reminders(session, on, due_days, reminder_days)
            if department is None or r.department == department
        ]
        _audit_schedule(session, actor, "reminders", on, department, len(found))
    return found


def _audit_schedule(
    session: Session, actor: Actor, what: str, on: date, department: str | None, count: int
) -> None:
    record(
        session,
        actor,
        f"programme.report.{what}",
        object_type="programme_report",
        details={"on": on.isoformat(), "department": department, "count": count},
    )
