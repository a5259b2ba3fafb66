"""The 6+N pages: the six base databases and the thematic groups, and curating a group."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cityhub import catalog
from cityhub.auth import Permission
from cityhub.catalog import groups, templates
from cityhub.web.csrf import verify_csrf
from cityhub.web.deps import DatabaseDep, PageActor
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)


@router.get("/groups", response_class=HTMLResponse)
def groups_page(request: Request, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """The six base-database templates, with visible dataset counts, and the thematic groups."""
    counts = catalog.search(db, actor, catalog.SearchQuery(rows=0)).facets["resource_class"]
    context = {
        "templates": templates.list_templates(),
        "class_counts": counts,
        "groups": groups.list_groups(db, actor),
        "may_create": actor.can(Permission.DATASETS_PUBLISH),
    }
    return render(request, "groups.html", context)


@router.get("/groups/{name}", response_class=HTMLResponse)
def group_page(request: Request, name: str, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """A thematic group: its datasets the viewer may see; managers add and remove datasets."""
    view = groups.get_group(db, actor, name)
    context = {"view": view, "may_manage": groups.can_manage_group(actor, view.group)}
    return render(request, "group.html", context)


@router.post("/groups", dependencies=[Depends(verify_csrf)])
def create_group(
    db: DatabaseDep,
    actor: PageActor,
    name: Annotated[str, Form()],
    title: Annotated[str, Form()],
    description: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Create a group managed by the viewer's department, then show it."""
    group = groups.create_group(db, actor, groups.GroupSpec(name, title, description))
    return RedirectResponse(f"/groups/{group.name}", 303)


@router.post("/groups/{name}/datasets", dependencies=[Depends(verify_csrf)])
def add_dataset(
    name: str, db: DatabaseDep, actor: PageActor, dataset: Annotated[str, Form()]
) -> RedirectResponse:
    """Put a dataset in the group."""
    groups.add_dataset(db, actor, name, dataset)
    return RedirectResponse(f"/groups/{name}", 303)


@router.post("/groups/{name}/datasets/{dataset}/remove", dependencies=[Depends(verify_csrf)])
def remove_dataset(name: str, dataset: str, db: DatabaseDep, actor: PageActor) -> RedirectResponse:
    """Take a dataset out of the group."""
    groups.remove_dataset(db, actor, name, dataset)
    return RedirectResponse(f"/groups/{name}", 303)
