"""Targets (KPIs) of the programme: definitions, measured values, and the "十百千" three.

A target runs from ``baseline`` on ``baseline_on`` to ``target_value`` by ``deadline`` in a
``direction`` ('up': more is better; 'down': less is). Its values are typed in (source
'manual'), come with progress reports ('report'), or are computed: by a saved SQL query over
pool datasets ('sql') or by a registry count ('registry'; see ``cityhub.programme.computed``).
Admins (PROGRAMME_MANAGE) define and edit targets; stewards (PROGRAMME_REPORT) of the owner
department record values, and for figures of a report also the stewards of the linked task's
units. Every read and change is audited in the transaction that does it.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub.audit import record
from cityhub.auth.actor import Actor, Permission
from cityhub.auth.models import Department
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from cityhub.programme.models_targets import ProgrammeTarget, ProgrammeTargetValue
from cityhub.programme.models_tasks import ProgrammeMilestone, ProgrammeTask, ProgrammeTaskUnit
from cityhub.programme.target_specs import (
    DIRECTIONS,
    GOAL_TARGETS,
    PATHS,
    SOURCES,
    VALUE_SOURCES,
    MeasuredValue,
    TargetSpec,
    TargetView,
    checked,
    finite,
    progress_of,
)
from cityhub.programme.tasks import city_today

__all__ = [
    "DIRECTIONS",
    "GOAL_TARGETS",
    "PATHS",
    "SOURCES",
    "VALUE_SOURCES",
    "MeasuredValue",
    "TargetSpec",
    "TargetView",
    "add_value",
    "all_target_views",
    "create_target",
    "ensure_goal_targets",
    "get_target",
    "list_targets",
    "progress_of",
    "record_value",
    "target_row",
    "target_view",
    "update_target",
]


# --- rows and views ----------------------------------------------------------------------------


def _department_id(session: Session, code: str, field: str = "owner") -> int:
    found = session.scalar(select(Department.id).where(Department.code == code))
    if found is None:
        raise InvalidInput(f"no department with code {code!r}", details={"field": field})
    return found


def _task_id(session: Session, number: int | None) -> int | None:
    if number is None:
        return None
    found = session.scalar(select(ProgrammeTask.id).where(ProgrammeTask.number == number))
    if found is None:
        raise InvalidInput(f"no programme task {number}", details={"field": "task_number"})
    return found


def target_row(session: Session, code: str) -> ProgrammeTarget:
    """The row of a target by its code; NotFound otherwise."""
    row = session.scalar(select(ProgrammeTarget).where(ProgrammeTarget.code == code))
    if row is None:
        raise NotFound(f"no programme target {code!r}", details={"target": code})
    return row


def target_view(session: Session, row: ProgrammeTarget) -> TargetView:
    """The view of a target row with its series (not audited: callers audit)."""
    owner = session.get(Department, row.owner_department_id)
    assert owner is not None
    task_number = None
    milestone_dates: tuple[date, ...] = ()
    if row.task_id is not None:
        task_number = session.scalar(
            select(ProgrammeTask.number).where(ProgrammeTask.id == row.task_id)
        )
        milestone_dates = tuple(
            session.scalars(
                select(ProgrammeMilestone.due_on)
                .where(ProgrammeMilestone.task_id == row.task_id)
                .order_by(ProgrammeMilestone.due_on)
            )
        )
    values = tuple(
        MeasuredValue(v.measured_on, v.value, v.source, v.source_ref)
        for v in session.scalars(
            select(ProgrammeTargetValue)
            .where(ProgrammeTargetValue.target_id == row.id)
            .order_by(ProgrammeTargetValue.measured_on, ProgrammeTargetValue.id)
        )
    )
    latest = values[-1].value if values else None
    return TargetView(
        code=row.code,
        name_zh=row.name_zh,
        name_en=row.name_en,
        unit_zh=row.unit_zh,
        unit_en=row.unit_en,
        baseline=row.baseline,
        baseline_on=row.baseline_on,
        target_value=row.target_value,
        deadline=row.deadline,
        owner=owner.code,
        task_number=task_number,
        direction=row.direction,
        source=row.source,
        sql=row.sql,
        measure=row.measure,
        path=row.path,
        values=values,
        latest=latest,
        progress=progress_of(row.baseline, row.target_value, latest),
        milestone_dates=milestone_dates,
    )


def all_target_views(session: Session) -> list[TargetView]:
    """Every target by code (for warnings and the cockpit; not audited: callers audit)."""
    rows = session.scalars(select(ProgrammeTarget).order_by(ProgrammeTarget.code))
    return [target_view(session, row) for row in rows]


def spec_of(view: TargetView) -> TargetSpec:
    """The defining part of a view."""
    return TargetSpec(**{f.name: getattr(view, f.name) for f in fields(TargetSpec)})


def _snapshot(spec: TargetSpec) -> dict[str, Any]:
    return {
        f.name: (v.isoformat() if isinstance(v := getattr(spec, f.name), date) else v)
        for f in fields(TargetSpec)
    }


def _write(session: Session, row: ProgrammeTarget, spec: TargetSpec) -> None:
    row.name_zh, row.name_en = spec.name_zh, spec.name_en
    row.unit_zh, row.unit_en = spec.unit_zh, spec.unit_en
    row.baseline, row.baseline_on = spec.baseline, spec.baseline_on
    row.target_value, row.deadline = spec.target_value, spec.deadline
    row.owner_department_id = _department_id(session, spec.owner)
    row.task_id = _task_id(session, spec.task_number)
    row.direction, row.source, row.path = spec.direction, spec.source, spec.path
    row.sql, row.measure = spec.sql, spec.measure


# --- service functions -------------------------------------------------------------------------


def list_targets(db: Database, actor: Actor) -> list[TargetView]:
    """Every target by code, with its series."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        views = all_target_views(session)
        record(
            session,
            actor,
            "programme.target.read",
            object_type="programme_target",
            details={"count": len(views)},
        )
    return views


def get_target(db: Database, actor: Actor, code: str) -> TargetView:
    """One target by its code, with its series."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        view = target_view(session, target_row(session, code))
        record(
            session, actor, "programme.target.read", object_type="programme_target", object_id=code
        )
    return view


def create_target(db: Database, actor: Actor, spec: TargetSpec) -> TargetView:
    """Define a target (admins). A query of source 'sql' is checked when it first runs."""
    actor.require(Permission.PROGRAMME_MANAGE)
    spec = checked(spec)
    with db.transaction() as session:
        if session.scalar(select(ProgrammeTarget.id).where(ProgrammeTarget.code == spec.code)):
            raise Conflict(f"target {spec.code!r} exists already", details={"target": spec.code})
        row = ProgrammeTarget(code=spec.code)
        _write(session, row, spec)
        session.add(row)
        session.flush()
        record(
            session,
            actor,
            "programme.target.create",
            object_type="programme_target",
            object_id=spec.code,
            details={"after": _snapshot(spec)},
        )
        return target_view(session, row)


def update_target(db: Database, actor: Actor, code: str, **changes: Any) -> TargetView:
    """Change fields of a target (admins): any field of ``TargetSpec`` but ``code``.

    ``task_number=None`` unlinks the task; a field left out stays as it is.
    """
    actor.require(Permission.PROGRAMME_MANAGE)
    allowed = {f.name for f in fields(TargetSpec)} - {"code"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(
            f"cannot change {', '.join(sorted(unknown))}", details={"field": sorted(unknown)[0]}
        )
    with db.transaction() as session:
        row = target_row(session, code)
        before = spec_of(target_view(session, row))
        after = checked(replace(before, **changes))
        _write(session, row, after)
        session.flush()
        record(
            session,
            actor,
            "programme.target.update",
            object_type="programme_target",
            object_id=code,
            details={"before": _snapshot(before), "after": _snapshot(after)},
        )
        return target_view(session, row)


def _may_record(session: Session, actor: Actor, row: ProgrammeTarget, source: str) -> None:
    """Admins record for any target; stewards for their own department's targets, and with a
    report also for the targets of tasks their department shares."""
    if actor.can(Permission.PROGRAMME_MANAGE):
        return
    actor.require(Permission.PROGRAMME_REPORT)
    department = actor.department_code
    owner = session.get(Department, row.owner_department_id)
    if department is not None and owner is not None and owner.code == department:
        return
    if source == "report" and department is not None and row.task_id is not None:
        unit = session.scalar(
            select(ProgrammeTaskUnit.id)
            .join(Department, Department.id == ProgrammeTaskUnit.department_id)
            .where(ProgrammeTaskUnit.task_id == row.task_id, Department.code == department)
        )
        if unit is not None:
            return
    raise PermissionDenied(
        f"target {row.code!r} belongs to another department",
        details={"target": row.code, "department": department},
    )


def record_value(
    session: Session,
    actor: Actor,
    target_code: str,
    value: float,
    measured_on: date,
    source: str,
    source_ref: str | None = None,
) -> None:
    """Add a measured value inside the caller's transaction (reports add their figures so)."""
    row = target_row(session, target_code)
    _may_record(session, actor, row, source)
    if source not in VALUE_SOURCES:
        raise InvalidInput(
            f"source must be one of {', '.join(VALUE_SOURCES)}", details={"field": "source"}
        )
    value = finite(value, "value")
    if measured_on < row.baseline_on:
        raise InvalidInput(
            f"{target_code}: a value measured before the baseline date {row.baseline_on}",
            details={"field": "measured_on", "target": target_code},
        )
    if measured_on > city_today():
        raise InvalidInput(
            f"{target_code}: a value cannot be measured in the future",
            details={"field": "measured_on", "target": target_code},
        )
    session.add(
        ProgrammeTargetValue(
            target_id=row.id,
            measured_on=measured_on,
            value=value,
            source=source,
            source_ref=source_ref[:500] if source_ref else None,
            recorded_by=actor.username[:64],
        )
    )
    record(
        session,
        actor,
        "programme.target_value.record",
        object_type="programme_target",
        object_id=target_code,
        details={
            "value": value,
            "measured_on": measured_on.isoformat(),
            "source": source,
            "source_ref": source_ref,
        },
    )


def add_value(db: Database, actor: Actor, code: str, value: float, measured_on: date) -> TargetView:
    """Record a manual value in a transaction of its own; the target as it is afterwards."""
    with db.transaction() as session:
        record_value(session, actor, code, value, measured_on, "manual")
        session.flush()
        return target_view(session, target_row(session, code))


def ensure_goal_targets(session: Session) -> int:
    """Add the 十百千 targets that are missing; returns how many were added.

    Linked to their tasks when the tasks are loaded (``ensure_tasks``), else unlinked. Not
    audited: it runs as part of setting the platform up, like ``ensure_tasks``.
    """
    present = set(session.scalars(select(ProgrammeTarget.code)))
    tasks = dict(session.execute(select(ProgrammeTask.number, ProgrammeTask.id)).all())
    added = 0
    for spec in GOAL_TARGETS:
        if spec.code in present:
            continue
        row = ProgrammeTarget(code=spec.code)
        _write(session, row, replace(spec, task_number=None))
        row.task_id = tasks.get(spec.task_number) if spec.task_number else None
        session.add(row)
        added += 1
    session.flush()
    return added
