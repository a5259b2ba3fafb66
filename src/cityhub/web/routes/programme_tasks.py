"""The programme tasks API: ``/api/programme/tasks`` and their milestones.

Reads need PROGRAMME_READ (analysts, stewards, admins); every change PROGRAMME_MANAGE (admins).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from cityhub.programme import milestones, tasks
from cityhub.web.deps import ApiActor, DatabaseDep, Id
from cityhub.web.programme_tasks_schemas import (
    MilestoneCreate,
    MilestonePublic,
    MilestoneUpdate,
    TaskPublic,
    TaskUpdate,
    milestone_public,
    task_public,
)
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/programme", tags=["programme"], responses=ERROR_RESPONSES)


@router.get("/tasks")
def read_tasks(db: DatabaseDep, actor: ApiActor) -> list[TaskPublic]:
    """The policy's 19 tasks in order, with units and milestones."""
    today = tasks.city_today()
    return [task_public(view, today) for view in tasks.list_tasks(db, actor)]


@router.get("/tasks/{number}")
def read_task(number: Id, db: DatabaseDep, actor: ApiActor) -> TaskPublic:
    """One task by its number (1–19)."""
    return task_public(tasks.get_task(db, actor, number), tasks.city_today())


@router.patch("/tasks/{number}")
def update_task(number: Id, body: TaskUpdate, db: DatabaseDep, actor: ApiActor) -> TaskPublic:
    """Change a task's title, report period, lead or units (admins)."""
    view = tasks.update_task(db, actor, number, **body.model_dump(exclude_unset=True))
    return task_public(view, tasks.city_today())


@router.post("/tasks/{number}/milestones", status_code=201)
def add_milestone(
    number: Id, body: MilestoneCreate, db: DatabaseDep, actor: ApiActor
) -> MilestonePublic:
    """Add a milestone to a task (admins)."""
    view = milestones.add_milestone(
        db, actor, number, body.title, body.owner, body.due_on, clause=body.clause
    )
    return milestone_public(view, tasks.city_today())


@router.patch("/milestones/{milestone_id}")
def update_milestone(
    milestone_id: Id, body: MilestoneUpdate, db: DatabaseDep, actor: ApiActor
) -> MilestonePublic:
    """Change, complete (``done_on``) or reopen a milestone (admins)."""
    view = milestones.update_milestone(
        db, actor, milestone_id, **body.model_dump(exclude_unset=True)
    )
    return milestone_public(view, tasks.city_today())


@router.delete("/milestones/{milestone_id}", status_code=204)
def delete_milestone(milestone_id: Id, db: DatabaseDep, actor: ApiActor) -> Response:
    """Delete an admin-added milestone (admins); the policy's own stay."""
    milestones.delete_milestone(db, actor, milestone_id)
    return Response(status_code=204)
