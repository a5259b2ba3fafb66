"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from cityhub import __version__
from cityhub.web.deps import DatabaseDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health(db: DatabaseDep) -> JSONResponse:
    """200 when the process and its database answer, 503 otherwise."""
    try:
        db.ping()
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": db.dialect, "version": __version__})
