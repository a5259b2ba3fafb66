"""Pages of the registries: projects (with screening buttons for admins), parks, training and
talent. Reading needs PROGRAMME_READ; the screening form PROGRAMME_MANAGE and the CSRF token.
Attendees are shown masked unless the reader is of the organiser department or an admin.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput
from cityhub.programme import parks, projects, talent, training
from cityhub.programme.registry_common import COUNTIES
from cityhub.programme.tiering import CRITERIA
from cityhub.web.csrf import verify_csrf
from cityhub.web.deps import DatabaseDep, Id, PageActor
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)


def _common(actor: Actor) -> dict[str, Any]:
    return {
        "counties": COUNTIES,
        "domains": projects.DOMAINS,
        "screening_states": projects.SCREENING,
        "next_states": projects.TRANSITIONS,
        "can_manage": actor.can(Permission.PROGRAMME_MANAGE),
    }


@router.get("/programme/projects", response_class=HTMLResponse)
def projects_page(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    screening: str = "",
    domain: str = "",
    county: str = "",
) -> HTMLResponse:
    """The project library, filtered by screening state, domain and county."""
    found = projects.list_projects(
        db, actor, screening=screening or None, domain=domain or None, county=county or None
    )
    context = {
        **_common(actor),
        "projects": found,
        "filters": {"screening": screening, "domain": domain, "county": county},
        "selected_count": sum(1 for p in found if p.screening == "selected"),
        "investment": round(sum(p.investment for p in found), 2),
    }
    return render(request, "programme/projects.html", context)


def _project_page(
    request: Request, db: Database, actor: Actor, project_id: int, error: Exception | None = None
) -> HTMLResponse:
    view = projects.get_project(db, actor, project_id)
    context = {**_common(actor), "project": view, "error": error}
    return render(request, "programme/projects_detail.html", context, status=400 if error else 200)


@router.get("/programme/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    request: Request, project_id: Id, db: DatabaseDep, actor: PageActor
) -> HTMLResponse:
    """One project with its screening history; admins get the decision form."""
    return _project_page(request, db, actor, project_id)


@router.post(
    "/programme/projects/{project_id}/decide",
    dependencies=[Depends(verify_csrf)],
    response_model=None,
)
def decide_form(
    request: Request,
    project_id: Id,
    db: DatabaseDep,
    actor: PageActor,
    to: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Screen, select or reject (admins); a refused decision comes back with its error."""
    actor.require(Permission.PROGRAMME_MANAGE)
    try:
        projects.decide_project(db, actor, project_id, to, reason=reason or None)
    except (InvalidInput, Conflict) as exc:
        return _project_page(request, db, actor, project_id, exc)
    return RedirectResponse(f"/programme/projects/{project_id}", status_code=303)


@router.get("/programme/parks", response_class=HTMLResponse)
def parks_page(request: Request, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """Parks with their scores, weights, tier and the explanation."""
    context = {"parks": parks.list_parks(db, actor), "counties": COUNTIES, "criteria": CRITERIA}
    return render(request, "programme/parks.html", context)


@router.get("/programme/training", response_class=HTMLResponse)
def training_page(request: Request, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """Training events with attendee and certificate counts."""
    events = training.list_events(db, actor)
    context = {
        "events": events,
        "attendees": sum(e.attendee_count for e in events),
        "certified": sum(e.certified_count for e in events),
    }
    return render(request, "programme/training.html", context)


@router.get("/programme/training/{event_id}", response_class=HTMLResponse)
def training_event_page(
    request: Request, event_id: Id, db: DatabaseDep, actor: PageActor
) -> HTMLResponse:
    """One event's attendees, masked outside the organiser department and admins."""
    view = training.get_event(db, actor, event_id)
    return render(request, "programme/training_detail.html", {"event": view})


@router.get("/programme/talent", response_class=HTMLResponse)
def talent_page(
    request: Request, db: DatabaseDep, actor: PageActor, level: str = ""
) -> HTMLResponse:
    """Talent-programme entries, latest year first."""
    entries = talent.list_talent(db, actor, level=level or None)
    return render(request, "programme/talent.html", {"entries": entries, "level": level})
