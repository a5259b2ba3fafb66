"""The list of departments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityhub import auth
from cityhub.web.deps import DatabaseDep, PageActor
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)


@router.get("/departments", response_class=HTMLResponse)
def departments(request: Request, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """Every department with its code and kind."""
    return render(request, "departments.html", {"departments": auth.list_departments(db, actor)})
