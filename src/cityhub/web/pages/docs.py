"""The OpenAPI explorer at ``/docs``, from the vendored Swagger UI (no CDN, no inline script)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityhub.web.deps import PageActor
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request, actor: PageActor) -> HTMLResponse:
    """Swagger UI over /openapi.json."""
    return render(request, "docs.html", {})
