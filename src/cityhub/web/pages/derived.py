"""Pages of derived datasets: the list, the form that defines one (with a preview), the
lineage section of the dataset page, and its refresh button."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityhub import catalog, derived
from cityhub.auth import Actor, Permission, Role
from cityhub.db import Database
from cityhub.errors import (
    CityhubError,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    QueryTimeout,
)
from cityhub.pool.service import run_sql
from cityhub.web.csrf import verify_csrf
from cityhub.web.deps import DatabaseDep, PageActor, PoolDep
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)

PREVIEW_ROWS = 20
CITY_TIME = ZoneInfo("Asia/Shanghai")  # times on the page are China Standard Time


@router.get("/derived", response_class=HTMLResponse)
def derived_list(request: Request, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """Every derived dataset with its schedule, state and newest version (logged-in users)."""
    definitions = derived.list_definitions(db, actor)
    newest = catalog.latest_versions(db, [d.dataset_id for d in definitions])
    context = {
        "definitions": definitions,
        "versions": {i: v.number for i, v in newest.items()},
        "can_define": actor.can(Permission.DATASETS_PUBLISH),
        "city_time": CITY_TIME,
    }
    return render(request, "derived_list.html", context)


def _form_page(
    request: Request, actor: Actor, form: dict[str, str], error: CityhubError | None = None
) -> HTMLResponse:
    context = {
        "form": form,
        "error": error,
        "schedules": list(derived.Schedule),
        "pick_department": actor.role is Role.ADMIN,
    }
    return render(request, "derived_new.html", context, status=400 if error else 200)


@router.get("/derived/new", response_class=HTMLResponse)
def derived_form(request: Request, actor: PageActor) -> HTMLResponse:
    """The form that defines a derived dataset (stewards, admins)."""
    actor.require(Permission.DATASETS_PUBLISH)
    form = {"schedule": derived.Schedule.MANUAL.value, "department": actor.department_code or ""}
    return _form_page(request, actor, form)


@router.post("/derived/new", dependencies=[Depends(verify_csrf)], response_model=None)
def define_derived(
    request: Request,
    db: DatabaseDep,
    pool: PoolDep,
    actor: PageActor,
    name: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    sql: Annotated[str, Form()] = "",
    schedule: Annotated[derived.Schedule, Form()] = derived.Schedule.MANUAL,
    abstract: Annotated[str, Form()] = "",
    department: Annotated[str, Form()] = "",
) -> Response:
    """Define the dataset and show it; a refused query, name or sharing comes back in the form."""
    actor.require(Permission.DATASETS_PUBLISH)
    form = {
        "name": name,
        "title": title,
        "sql": sql,
        "schedule": schedule.value,
        "abstract": abstract,
        "department": department,
    }
    spec = derived.DerivedSpec(
        name=name,
        title=title,
        sql=sql,
        schedule=schedule,
        abstract=abstract,
        department=(department.strip() or None) if actor.role is Role.ADMIN else None,
    )
    try:
        definition = derived.define(db, actor, pool, spec)
    except (InvalidInput, Conflict, NotFound, QueryTimeout) as exc:
        return _form_page(request, actor, form, exc)
    return RedirectResponse(f"/datasets/{definition.dataset.name}", status_code=303)


@router.post("/derived/preview", dependencies=[Depends(verify_csrf)], response_class=HTMLResponse)
def preview_derived(
    request: Request, pool: PoolDep, actor: PageActor, sql: Annotated[str, Form()] = ""
) -> HTMLResponse:
    """The query's first rows through the SQL sandbox, as the viewer reads them (for htmx)."""
    context: dict[str, Any] = {"results": None, "error": None, "limit": PREVIEW_ROWS}
    try:
        context["results"] = run_sql(pool, actor, sql, max_rows=PREVIEW_ROWS)
    except (InvalidInput, QueryTimeout) as exc:
        context["error"] = exc
    return render(request, "_derived_preview.html", context, status=200)


@router.post("/derived/{name}/refresh", dependencies=[Depends(verify_csrf)])
def refresh_derived(name: str, db: DatabaseDep, pool: PoolDep, actor: PageActor) -> Response:
    """Refresh now; the dataset page then shows the new version, or why there is none."""
    catalog.require_manage(db, actor, name, "derived.refresh")
    with suppress(CityhubError):  # kept in last_error, which the dataset page shows
        derived.refresh(db, actor, pool, name)
    return RedirectResponse(f"/datasets/{name}", status_code=303)


def lineage_context(db: Database, actor: Actor, name: str) -> dict[str, Any]:
    """The dataset page's lineage section: the graph (also as JSON for the chart) and, for
    logged-in users, the definition if the dataset is derived."""
    graph = derived.lineage(db, actor, name)
    try:
        definition: derived.DerivedDefinition | None = derived.get_definition(db, actor, name)
    except (NotFound, NotAuthenticated):
        definition = None
    chart = {
        "self": graph.dataset,
        "nodes": [
            {
                "name": n.name,
                "title": n.title,
                "department": {"zh-CN": n.department_name, "en": n.department_name_en},
                "version": n.version,
                "role": n.role,
            }
            for n in graph.nodes
        ],
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "source_version": e.source_version,
                "target_version": e.target_version,
            }
            for e in graph.edges
        ],
    }
    return {
        "graph": graph,
        "chart": chart,
        "titles": {n.name: n.title for n in graph.nodes},
        "definition": definition,
        "can_refresh": definition is not None and catalog.can_manage(actor, definition.dataset),
    }
