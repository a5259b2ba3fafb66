"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from cityhub import __version__
from cityhub.web.deps import DatabaseDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health(request: Request, db: DatabaseDep) -> JSONResponse:
    """200 when the process and its database answer, 503 otherwise; with the background
    workers this process runs and those it stands by for (another process runs them)."""
    supervisor = getattr(request.app.state, "workers", None)
    workers = {
        "workers": list(supervisor.running) if supervisor is not None else [],
        "standby": list(supervisor.standby) if supervisor is not None else [],
    }
    try:
        db.ping()
    except Exception:
        return JSONResponse(
            {"status": "unavailable", "database": "down", **workers}, status_code=503
        )
    return JSONResponse({"status": "ok", "database": db.dialect, "version": __version__, **workers})
