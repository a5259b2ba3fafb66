"""The policy's tasks as live records: responsible units, milestones, admin edits, all audited.

``ensure_tasks`` loads the 19 tasks from the policy text once; afterwards the database is the
record (admins may retitle a task, change its units or report period, add milestones). The
policy's own dated commitments become milestones with origin 'policy': their title and date are
the policy's words and stay fixed; admins mark them done or hand them to another unit.
Every read is audited ``programme.task.read`` and every change ``programme.<thing>.<verb>`` with
the state before and after, in the transaction of the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cityhub.audit import record
from cityhub.auth.actor import Actor, Permission
from cityhub.auth.models import Department
from cityhub.db import Database
from cityhub.errors import InvalidInput, NotFound
from cityhub.programme.models_tasks import (
    REPORTING_FROM,
    ProgrammeMilestone,
    ProgrammeTask,
    ProgrammeTaskUnit,
)
from cityhub.programme.policy import policy_tasks

REPORT_PERIODS = ("monthly", "quarterly")
CITY_TIME = ZoneInfo("Asia/Shanghai")  # "today" is the city's calendar day
MAX_TITLE = 200

MilestoneStatus = Literal["done", "overdue", "open"]


@dataclass(frozen=True)
class MilestoneView:
    """A milestone as callers see it; ``owner`` is a department code."""

    id: int
    task_number: int
    title: str
    owner: str
    due_on: date
    done_on: date | None
    origin: str
    clause: str | None
    start_on: date | None = None

    def status(self, on: date) -> MilestoneStatus:
        """'done', 'overdue' (past due on ``on`` and not done) or 'open'."""
        if self.done_on is not None:
            return "done"
        return "overdue" if self.due_on < on else "open"


@dataclass(frozen=True)
class TaskView:
    """A task with its units (codes, lead first) and milestones (by due date)."""

    number: int
    section: str
    section_title: str
    title: str
    text: str
    lead: str
    lead_name_zh: str
    lead_name_en: str
    units: tuple[str, ...]
    report_period: str
    reporting_from: date
    milestones: tuple[MilestoneView, ...]


def city_today() -> date:
    """Today in Liaocheng."""
    return datetime.now(CITY_TIME).date()


# --- loading -----------------------------------------------------------------------------------


def ensure_tasks(session: Session) -> int:
    """Add the policy's tasks that are missing, with units and 'policy' milestones.

    Existing tasks are left as they are (admins may have edited them); returns how many were
    added. Needs the departments (``cityhub.auth.departments.ensure_departments``).
    """
    departments = {d.code: d.id for d in session.scalars(select(Department))}
    present = set(session.scalars(select(ProgrammeTask.number)))
    added = 0
    for spec in policy_tasks():
        if spec.number in present:
            continue
        missing = [code for code in spec.unit_codes if code not in departments]
        if missing:
            raise NotFound(
                f"task {spec.number}: departments {missing} are not in the database",
                details={"task": spec.number, "departments": missing},
            )
        lead_id = departments[spec.unit_codes[0]]
        task = ProgrammeTask(
            number=spec.number,
            section=spec.section,
            section_title=spec.section_title,
            title=spec.title,
            text=spec.text,
            lead_department_id=lead_id,
            report_period="quarterly",
            reporting_from=REPORTING_FROM,
        )
        session.add(task)
        session.flush()
        for position, code in enumerate(spec.unit_codes):
            session.add(
                ProgrammeTaskUnit(
                    task_id=task.id,
                    department_id=departments[code],
                    is_lead=position == 0,
                    position=position,
                )
            )
        for commitment in spec.commitments:
            session.add(
                ProgrammeMilestone(
                    task_id=task.id,
                    title=(commitment.subject or commitment.text)[:MAX_TITLE],
                    owner_department_id=lead_id,
                    start_on=commitment.start_on,
                    due_on=commitment.due_on,
                    origin="policy",
                    clause=commitment.text,
                )
            )
        added += 1
    if added:
        record(
            session,
            Actor.system(),
            "programme.task.load",
            object_type="programme_task",
            details={"added": added},
        )
    return added


# --- reading -----------------------------------------------------------------------------------


class DepartmentCodes:
    """Department id ↔ code for one session (the table is small)."""

    def __init__(self, session: Session) -> None:
        self.rows = {d.id: d for d in session.scalars(select(Department))}
        self.ids = {d.code: d.id for d in self.rows.values()}

    def code(self, department_id: int) -> str:
        return self.rows[department_id].code

    def id_of(self, code: str, field: str) -> int:
        if code not in self.ids:
            raise InvalidInput(f"no department with code {code!r}", details={"field": field})
        return self.ids[code]


def milestone_view(row: ProgrammeMilestone, number: int, codes: DepartmentCodes) -> MilestoneView:
    return MilestoneView(
        id=row.id,
        task_number=number,
        title=row.title,
        owner=codes.code(row.owner_department_id),
        due_on=row.due_on,
        done_on=row.done_on,
        origin=row.origin,
        clause=row.clause,
        start_on=row.start_on,
    )


def _task_view(session: Session, task: ProgrammeTask, codes: DepartmentCodes) -> TaskView:
    units = session.scalars(
        select(ProgrammeTaskUnit)
        .where(ProgrammeTaskUnit.task_id == task.id)
        .order_by(ProgrammeTaskUnit.is_lead.desc(), ProgrammeTaskUnit.position)
    )
    milestones = session.scalars(
        select(ProgrammeMilestone)
        .where(ProgrammeMilestone.task_id == task.id)
        .order_by(ProgrammeMilestone.due_on, ProgrammeMilestone.id)
    )
    lead = codes.rows[task.lead_department_id]
    return TaskView(
        number=task.number,
        section=task.section,
        section_title=task.section_title,
        title=task.title,
        text=task.text,
        lead=lead.code,
        lead_name_zh=lead.name_zh,
        lead_name_en=lead.name_en,
        units=tuple(codes.code(u.department_id) for u in units),
        report_period=task.report_period,
        reporting_from=task.reporting_from,
        milestones=tuple(milestone_view(m, task.number, codes) for m in milestones),
    )


def task_row(session: Session, number: int) -> ProgrammeTask:
    task = session.scalar(select(ProgrammeTask).where(ProgrammeTask.number == number))
    if task is None:
        raise NotFound(f"no programme task {number}", details={"task": number})
    return task


def list_tasks(db: Database, actor: Actor) -> list[TaskView]:
    """Every task in policy order, with units and milestones."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        codes = DepartmentCodes(session)
        rows = session.scalars(select(ProgrammeTask).order_by(ProgrammeTask.number))
        views = [_task_view(session, task, codes) for task in rows]
        record(
            session,
            actor,
            "programme.task.read",
            object_type="programme_task",
            details={"count": len(views)},
        )
    return views


def get_task(db: Database, actor: Actor, number: int) -> TaskView:
    """One task by its number (1–19)."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        view = _task_view(session, task_row(session, number), DepartmentCodes(session))
        record(
            session,
            actor,
            "programme.task.read",
            object_type="programme_task",
            object_id=str(number),
        )
    return view


def task_units(session: Session) -> dict[int, tuple[str, ...]]:
    """Task number → its unit codes, lead first (for reports and warnings; not audited)."""
    codes = DepartmentCodes(session)
    rows = session.execute(
        select(ProgrammeTask.number, ProgrammeTaskUnit.department_id)
        .join(ProgrammeTaskUnit, ProgrammeTaskUnit.task_id == ProgrammeTask.id)
        .order_by(
            ProgrammeTask.number, ProgrammeTaskUnit.is_lead.desc(), ProgrammeTaskUnit.position
        )
    )
    units: dict[int, tuple[str, ...]] = {}
    for number, department_id in rows:
        units[number] = (*units.get(number, ()), codes.code(department_id))
    return units


def overdue_milestones(session: Session, on: date) -> list[MilestoneView]:
    """Milestones not done and due before ``on``, oldest first (for warnings; not audited)."""
    codes = DepartmentCodes(session)
    rows = session.execute(
        select(ProgrammeMilestone, ProgrammeTask.number)
        .join(ProgrammeTask, ProgrammeTask.id == ProgrammeMilestone.task_id)
        .where(ProgrammeMilestone.done_on.is_(None), ProgrammeMilestone.due_on < on)
        .order_by(ProgrammeMilestone.due_on, ProgrammeMilestone.id)
    )
    return [milestone_view(row, number, codes) for row, number in rows]


# --- editing -----------------------------------------------------------------------------------


def clean_title(title: str, field: str = "title") -> str:
    cleaned = title.strip()
    if not cleaned or len(cleaned) > MAX_TITLE:
        raise InvalidInput(
            f"a title needs 1–{MAX_TITLE} characters",
            details={"field": field, "length": len(cleaned)},
        )
    return cleaned


def _snapshot(view: TaskView) -> dict[str, Any]:
    return {
        "title": view.title,
        "lead": view.lead,
        "units": list(view.units),
        "report_period": view.report_period,
        "reporting_from": view.reporting_from.isoformat(),
    }


def update_task(
    db: Database,
    actor: Actor,
    number: int,
    *,
    title: str | None = None,
    report_period: str | None = None,
    lead: str | None = None,
    units: list[str] | None = None,
    reporting_from: date | None = None,
) -> TaskView:
    """Change a task's title, report period, lead or units (admins); the lead is always a unit."""
    actor.require(Permission.PROGRAMME_MANAGE)
    if report_period is not None and report_period not in REPORT_PERIODS:
        raise InvalidInput(
            f"report_period must be one of {REPORT_PERIODS}", details={"field": "report_period"}
        )
    with db.transaction() as session:
        codes = DepartmentCodes(session)
        task = task_row(session, number)
        before = _task_view(session, task, codes)
        if title is not None:
            task.title = clean_title(title)
        if report_period is not None:
            task.report_period = report_period
        if reporting_from is not None:
            task.reporting_from = reporting_from
        if lead is not None or units is not None:
            _set_units(session, task, codes, lead or before.lead, units or list(before.units))
        session.flush()
        after = _task_view(session, task, codes)
        record(
            session,
            actor,
            "programme.task.update",
            object_type="programme_task",
            object_id=str(number),
            details={"before": _snapshot(before), "after": _snapshot(after)},
        )
    return after


def _set_units(
    session: Session, task: ProgrammeTask, codes: DepartmentCodes, lead: str, units: list[str]
) -> None:
    ordered = [lead, *(code for code in dict.fromkeys(units) if code != lead)]
    ids = [codes.id_of(code, "lead" if i == 0 else "units") for i, code in enumerate(ordered)]
    session.execute(delete(ProgrammeTaskUnit).where(ProgrammeTaskUnit.task_id == task.id))
    for position, department_id in enumerate(ids):
        session.add(
            ProgrammeTaskUnit(
                task_id=task.id,
                department_id=department_id,
                is_lead=position == 0,
                position=position,
            )
        )
    task.lead_department_id = ids[0]
