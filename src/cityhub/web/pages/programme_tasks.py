"""Pages of the programme office: the hub ``/programme`` and one task ``/programme/tasks/{n}``.

Reading needs PROGRAMME_READ; the forms on the task page (add or complete a milestone, set the
report period) PROGRAMME_MANAGE and the CSRF token. A refused form comes back with its error.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityhub.auth import Actor, Permission
from cityhub.auth.departments import DEPARTMENTS
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput
from cityhub.programme import milestones, tasks
from cityhub.programme.policy import GOAL, POLICY, SECTIONS
from cityhub.web.csrf import verify_csrf
from cityhub.web.deps import DatabaseDep, Id, PageActor
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)

# Pages of the other programme areas, linked from the hub: (message id, path).
PROGRAMME_LINKS = (
    ("programme.tasks.link.targets", "/programme/targets"),
    ("programme.tasks.link.projects", "/programme/projects"),
    ("programme.tasks.link.parks", "/programme/parks"),
    ("programme.tasks.link.training", "/programme/training"),
    ("programme.tasks.link.reports", "/programme/reports"),
    ("programme.tasks.link.warnings", "/programme/warnings"),
    ("programme.tasks.link.incentives", "/incentives"),
    ("programme.tasks.link.cockpit", "/cockpit"),
)
UNIT_NAMES = {d.code: (d.name_zh, d.name_en) for d in DEPARTMENTS}


def _counts(view: tasks.TaskView, today: date) -> dict[str, int]:
    counts = {"done": 0, "overdue": 0, "open": 0}
    for milestone in view.milestones:
        counts[milestone.status(today)] += 1
    return counts


@router.get("/programme", response_class=HTMLResponse)
def programme_hub(request: Request, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """The policy's header and goal, its sections with their tasks, leads and milestone status."""
    views = tasks.list_tasks(db, actor)
    today = tasks.city_today()
    sections = [
        (section, [v for v in views if v.section == section])
        for section in SECTIONS
        if any(v.section == section for v in views)
    ]
    context = {
        "policy": POLICY,
        "goal": GOAL,
        "sections": sections,
        "counts": {v.number: _counts(v, today) for v in views},
        "links": PROGRAMME_LINKS,
        "today": today,
    }
    return render(request, "programme/hub.html", context)


def _task_page(
    request: Request,
    db: Database,
    actor: Actor,
    number: int,
    error: Exception | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    view = tasks.get_task(db, actor, number)
    context: dict[str, Any] = {
        "task": view,
        "today": tasks.city_today(),
        "units": UNIT_NAMES,
        "can_manage": actor.can(Permission.PROGRAMME_MANAGE),
        "periods": tasks.REPORT_PERIODS,
        "error": error,
        "form": form or {"owner": view.lead},
    }
    return render(request, "programme/tasks_detail.html", context, status=400 if error else 200)


@router.get("/programme/tasks/{number}", response_class=HTMLResponse)
def task_detail(request: Request, number: Id, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """A task's full text, units and milestones; admins get the forms."""
    return _task_page(request, db, actor, number)


def _back(number: int) -> RedirectResponse:
    return RedirectResponse(f"/programme/tasks/{number}", status_code=303)


@router.post(
    "/programme/tasks/{number}/milestones", dependencies=[Depends(verify_csrf)], response_model=None
)
def add_milestone_form(
    request: Request,
    number: Id,
    db: DatabaseDep,
    actor: PageActor,
    title: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "",
    due_on: Annotated[str, Form()] = "",
    clause: Annotated[str, Form()] = "",
) -> Response:
    """Add a milestone (admins); a bad title, owner or date comes back in the form."""
    actor.require(Permission.PROGRAMME_MANAGE)
    form = {"title": title, "owner": owner, "due_on": due_on, "clause": clause}
    try:
        due = _date(due_on, "due_on")
        milestones.add_milestone(db, actor, number, title, owner, due, clause=clause or None)
    except (InvalidInput, Conflict) as exc:
        return _task_page(request, db, actor, number, exc, form)
    return _back(number)


@router.post(
    "/programme/milestones/{milestone_id}/done",
    dependencies=[Depends(verify_csrf)],
    response_model=None,
)
def complete_milestone_form(
    request: Request,
    milestone_id: Id,
    db: DatabaseDep,
    actor: PageActor,
    number: Annotated[int, Form()],
    done_on: Annotated[str, Form()] = "",
) -> Response:
    """Mark a milestone done (admins), today unless a day is given."""
    actor.require(Permission.PROGRAMME_MANAGE)
    try:
        day = _date(done_on, "done_on") if done_on else None
        view = milestones.complete_milestone(db, actor, milestone_id, day)
    except (InvalidInput, Conflict) as exc:
        return _task_page(request, db, actor, number, exc)
    return _back(view.task_number)


@router.post(
    "/programme/tasks/{number}/settings", dependencies=[Depends(verify_csrf)], response_model=None
)
def task_settings_form(
    request: Request,
    number: Id,
    db: DatabaseDep,
    actor: PageActor,
    report_period: Annotated[str, Form()] = "",
) -> Response:
    """Set the task's report period (admins)."""
    actor.require(Permission.PROGRAMME_MANAGE)
    try:
        tasks.update_task(db, actor, number, report_period=report_period)
    except InvalidInput as exc:
        return _task_page(request, db, actor, number, exc)
    return _back(number)


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"not a date: {text!r}", details={"field": field}) from None
