"""Changing milestones: admins add, move, complete, reopen and delete them; every change is
audited with the milestone before and after. Reading them goes with the tasks (``tasks``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub.audit import record
from cityhub.auth.actor import Actor, Permission
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotFound
from cityhub.programme.models_tasks import ProgrammeMilestone, ProgrammeTask
from cityhub.programme.tasks import (
    DepartmentCodes,
    MilestoneView,
    city_today,
    clean_title,
    milestone_view,
    task_row,
)


def _milestone_row(session: Session, milestone_id: int) -> tuple[ProgrammeMilestone, int]:
    found = session.execute(
        select(ProgrammeMilestone, ProgrammeTask.number)
        .join(ProgrammeTask, ProgrammeTask.id == ProgrammeMilestone.task_id)
        .where(ProgrammeMilestone.id == milestone_id)
    ).first()
    if found is None:
        raise NotFound(f"no milestone {milestone_id}", details={"milestone": milestone_id})
    return found[0], found[1]


def _audit_milestone(
    session: Session, actor: Actor, verb: str, view: MilestoneView, before: MilestoneView | None
) -> None:
    def state(v: MilestoneView | None) -> dict[str, Any] | None:
        if v is None:
            return None
        return {k: (x.isoformat() if isinstance(x, date) else x) for k, x in asdict(v).items()}

    record(
        session,
        actor,
        f"programme.milestone.{verb}",
        object_type="programme_milestone",
        object_id=str(view.id),
        details={
            "task": view.task_number,
            "before": state(before),
            "after": None if verb == "delete" else state(view),
        },
    )


def add_milestone(
    db: Database,
    actor: Actor,
    number: int,
    title: str,
    owner: str,
    due_on: date,
    clause: str | None = None,
) -> MilestoneView:
    """Add an admin milestone to task ``number``, owned by department ``owner``."""
    actor.require(Permission.PROGRAMME_MANAGE)
    with db.transaction() as session:
        codes = DepartmentCodes(session)
        task = task_row(session, number)
        row = ProgrammeMilestone(
            task_id=task.id,
            title=clean_title(title),
            owner_department_id=codes.id_of(owner, "owner"),
            due_on=due_on,
            origin="admin",
            clause=(clause or "").strip() or None,
        )
        session.add(row)
        session.flush()
        view = milestone_view(row, number, codes)
        _audit_milestone(session, actor, "add", view, None)
    return view


def _check_done_on(done_on: date) -> None:
    if done_on > city_today():
        raise InvalidInput(
            "a milestone cannot be done on a future day", details={"field": "done_on"}
        )


def update_milestone(
    db: Database,
    actor: Actor,
    milestone_id: int,
    *,
    title: str | None = None,
    owner: str | None = None,
    due_on: date | None = None,
    done_on: date | None = None,
    reopen: bool = False,
) -> MilestoneView:
    """Change a milestone; a 'policy' one keeps the policy's title and date (Conflict).

    ``reopen`` clears ``done_on`` (a milestone marked done by mistake).
    """
    actor.require(Permission.PROGRAMME_MANAGE)
    with db.transaction() as session:
        codes = DepartmentCodes(session)
        row, number = _milestone_row(session, milestone_id)
        before = milestone_view(row, number, codes)
        if row.origin == "policy" and (
            (title is not None and title.strip() != row.title)
            or (due_on is not None and due_on != row.due_on)
        ):
            raise Conflict(
                "the policy fixes this milestone's title and date; add a milestone instead",
                details={"milestone": milestone_id, "origin": "policy"},
            )
        if title is not None:
            row.title = clean_title(title)
        if owner is not None:
            row.owner_department_id = codes.id_of(owner, "owner")
        if due_on is not None:
            row.due_on = due_on
        if done_on is not None:
            _check_done_on(done_on)
            row.done_on = done_on
        if reopen:
            row.done_on = None
        session.flush()
        view = milestone_view(row, number, codes)
        verb = "complete" if done_on is not None and before.done_on is None else "update"
        _audit_milestone(session, actor, verb, view, before)
    return view


def complete_milestone(
    db: Database, actor: Actor, milestone_id: int, done_on: date | None = None
) -> MilestoneView:
    """Mark a milestone done (today unless ``done_on`` says when); audited as 'complete'."""
    return update_milestone(db, actor, milestone_id, done_on=done_on or city_today())


def delete_milestone(db: Database, actor: Actor, milestone_id: int) -> None:
    """Delete an admin-added milestone; the policy's own cannot be deleted (Conflict)."""
    actor.require(Permission.PROGRAMME_MANAGE)
    with db.transaction() as session:
        row, number = _milestone_row(session, milestone_id)
        if row.origin == "policy":
            raise Conflict(
                "a milestone from the policy's text cannot be deleted",
                details={"milestone": milestone_id, "origin": "policy"},
            )
        view = milestone_view(row, number, DepartmentCodes(session))
        session.delete(row)
        _audit_milestone(session, actor, "delete", view, view)
