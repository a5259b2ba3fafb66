"""The home page: what the platform holds, in figures."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityhub.overview import holdings
from cityhub.web.deps import DatabaseDep, PageActor
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """Figures and a chart of what cityhub holds."""
    return render(request, "home.html", {"holdings": asdict(holdings(db))})
