"""The one table from ``cityhub.errors`` to HTTP, and the handlers that render errors.

Under ``/api`` errors are the JSON envelope ``{"error": {"code", "message", "details"}}``; pages get
``error.html``. No stack trace ever reaches a client: unexpected errors are logged and answered 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from cityhub.errors import (
    AccountLocked,
    CityhubError,
    ConfigurationError,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    StorageFull,
    is_disk_full,
)

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5  # after "database unavailable": a restart takes a few seconds

HTTP_STATUS: dict[type[CityhubError], int] = {
    InvalidInput: 400,
    NotAuthenticated: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    AccountLocked: 429,
    RateLimited: 429,
    StorageFull: 507,
    ConfigurationError: 500,
}

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}


def status_of(error: CityhubError) -> int:
    """The HTTP status of an error: its nearest class in ``HTTP_STATUS``."""
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 500


def wants_json(request: Request) -> bool:
    """JSON for the API and machine endpoints, HTML for pages."""
    path = request.url.path
    return (
        path.startswith(("/api", "/sta/"))
        or path.endswith(".jsonld")
        or path in {"/healthz", "/openapi.json", "/sta"}
    )


def envelope(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The JSON error envelope."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _respond(request: Request, status: int, code: str, message: str, details: Any) -> Response:
    headers: dict[str, str] = {}
    if status == 401:
        # SensorThings clients speak HTTP Basic (user name, API token as password).
        sta = request.url.path.startswith("/sta")
        headers["WWW-Authenticate"] = 'Basic realm="cityhub SensorThings"' if sta else "Bearer"
    if isinstance(details, dict) and "retry_after" in details:
        headers["Retry-After"] = str(details["retry_after"])
    if wants_json(request):
        return JSONResponse(envelope(code, message, details), status_code=status, headers=headers)
    if status == 401:
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    from cityhub.web.pages.render import render

    return render(
        request, "error.html", {"status": status, "code": code, "message": message}, status=status
    )


async def _cityhub_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CityhubError)
    status = status_of(exc)
    if status >= 500:
        log.error("%s: %s", type(exc).__name__, exc.message)
    return _respond(request, status, exc.code, exc.message, exc.details)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "location": list(err.get("loc", ())),
            "message": err.get("msg", ""),
            "type": err.get("type"),
        }
        for err in exc.errors()
    ]
    where = ", ".join(".".join(str(p) for p in e["location"]) for e in problems)
    return _respond(
        request, 400, "invalid_input", f"invalid request: {where}", {"errors": problems}
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return _respond(request, exc.status_code, code, message, None)


async def _out_of_range(request: Request, exc: Exception) -> Response:
    # A value the database cannot take: a number beyond 64 bits for SQLite's driver
    # (OverflowError), or a PostgreSQL data exception (SQLSTATE class 22: integer out of range,
    # invalid text representation …). Every stored value fits, so it came with the request: a
    # 400 that says so. It also means a check is missing before the database, hence the warning.
    reason = str(exc.orig).splitlines()[0] if isinstance(exc, DataError) else str(exc)
    log.warning(
        "the database refused a value on %s %s: %s", request.method, request.url.path, reason
    )
    return _respond(
        request, 400, "invalid_input", "a value in the request is out of range", {"reason": reason}
    )


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    # The database is restarting, unreachable or (SQLite) locked past the timeout: the pool drops
    # the dead connections (pre-ping), so the same request succeeds once it is back. A 503 with
    # Retry-After tells clients to come back; one log line, no trace: it is not a bug here.
    reason = (str(getattr(exc, "orig", exc)).strip().splitlines() or [type(exc).__name__])[0]
    log.error("database unavailable on %s %s: %s", request.method, request.url.path, reason)
    return _respond(
        request,
        503,
        "database_unavailable",
        "the database is not answering; try again shortly",
        {"retry_after": RETRY_AFTER_SECONDS},
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    if is_disk_full(exc):  # a write path without its own check: still no 500 and no trace
        log.error("disk full on %s %s: %s", request.method, request.url.path, exc)
        return _respond(
            request, 507, "storage_full", "the server's storage is full; nothing was changed", None
        )
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return _respond(request, 500, "internal_error", "internal error; it has been logged", None)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(CityhubError, _cityhub_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(InterfaceError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
