"""The Action API's frame: the action table, the route, CKAN's envelope and error types.

Actions register themselves with ``@action``; the route reads the request data, finds who asks
and wraps the result (or the failure) in CKAN's envelope. The API key may come bare in
``Authorization`` (as ckanapi sends it), as a Bearer token, or in ``X-CKAN-API-Key``; without one
the caller is the public. The site's own actions, ``status_show`` and ``help_show``, are here too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from cityhub import auth
from cityhub.db import Database
from cityhub.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    QueryTimeout,
    RateLimited,
)
from cityhub.pool.service import Pool
from cityhub.web.ckan.search import SearchQueryError
from cityhub.web.deps import DatabaseDep, PoolDep, client_address
from cityhub.web.ratelimit import CKAN_LIMITED, enforce

log = logging.getLogger(__name__)
router = APIRouter(tags=["ckan"])

# The parameter a validation error without a field of its own is reported under.
MAIN_PARAMETER = {
    "datastore_search_sql": "sql",
    "datastore_search": "filters",
    "resource_create": "upload",
    "package_create": "name",
}
ROW_PARAMETERS = {"_sort": "sort", "_select": "fields", "limit": "limit"}
SITE_TITLE = "聊城城市数据平台"


@dataclass(frozen=True)
class Call:
    """One action call: the platform's services, who asks, and the site's base URL."""

    db: Database
    pool: Pool
    actor: auth.Actor
    base: str


Action = Callable[[Call, dict[str, Any]], Any]
ACTIONS: dict[str, Action] = {}
SIDE_EFFECT_FREE: set[str] = set()


def action(*, reads: bool) -> Callable[[Action], Action]:
    """Register the function as the action of its name; ``reads``: it may be called by GET."""

    def register(function: Action) -> Action:
        ACTIONS[function.__name__] = function
        if reads:  # CKAN lets side-effect-free actions be called by GET
            SIDE_EFFECT_FREE.add(function.__name__)
        return function

    return register


def required(data: dict[str, Any], key: str) -> str:
    """The non-empty text parameter ``key``, stripped."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{key}: Missing value", details={"field": key})
    return value.strip()


@router.get("/api/3")
def api_root() -> dict[str, int]:
    """CKAN's API root: the Action API version."""
    return {"version": 3}


@router.get("/api/3/action/{name}")
@router.post("/api/3/action/{name}")
@router.get("/api/action/{name}")  # the address ckanapi uses
@router.post("/api/action/{name}")
async def call_action(name: str, request: Request, db: DatabaseDep, pool: PoolDep) -> Response:
    """Call a CKAN action with a JSON body, a multipart form, or (reads) query parameters."""
    function = ACTIONS.get(name)
    if function is None:
        return JSONResponse(f"Bad request - Action name not known: {name}", status_code=400)
    form: FormData | None = None
    try:
        data, form = await _request_data(request, name in SIDE_EFFECT_FREE)
    except ValueError as exc:
        return JSONResponse(f"Bad request - JSON Error: {exc}", status_code=400)
    base = str(request.base_url).rstrip("/")
    envelope: dict[str, Any] = {"help": f"{base}/api/3/action/help_show?name={name}"}

    def run() -> Any:
        actor = _actor(request, db)
        if name not in SIDE_EFFECT_FREE and not actor.is_authenticated:
            # Before any lookup: a write by the public reveals nothing of what it names.
            raise NotAuthenticated(f"{name} needs an API token", details={"action": name})
        return function(Call(db, pool, actor, base), data)

    try:
        if name in CKAN_LIMITED:
            enforce(request, CKAN_LIMITED[name])
        envelope |= {"success": True, "result": await run_in_threadpool(run)}
    except Exception as exc:  # every failure leaves as a CKAN error, never the native envelope
        status, error = _error(exc, name)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return JSONResponse(
            envelope | {"success": False, "error": error}, status_code=status, headers=headers
        )
    finally:
        if form is not None:
            await form.close()
    return JSONResponse(envelope)


async def _request_data(request: Request, reads: bool) -> tuple[dict[str, Any], FormData | None]:
    if request.method == "GET":
        if not reads:
            raise ValueError("Invalid request. Please use POST method for your request")
        return _mixed(request.query_params.multi_items()), None
    if request.headers.get("content-type", "").startswith(
        ("multipart/form-data", "application/x-www-form-urlencoded")
    ):
        try:
            form = await request.form()
        except HTTPException as exc:  # a broken multipart body
            raise ValueError(str(exc.detail)) from None
        return _mixed(form.multi_items()), form
    body = await request.body()
    if not body.strip():
        return (_mixed(request.query_params.multi_items()) if reads else {}), None
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ValueError(f"Error decoding JSON data. Error: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"Request data JSON decoded to {data!r} but it needs to be a dictionary.")
    return data, None


def _mixed(items: list[tuple[str, Any]]) -> dict[str, Any]:
    grouped: dict[str, list[Any]] = {}
    for key, value in items:
        grouped.setdefault(key, []).append(value)
    return {key: values[0] if len(values) == 1 else values for key, values in grouped.items()}


def _actor(request: Request, db: Database) -> auth.Actor:
    header = request.headers.get("authorization", "").strip()
    secret = header or request.headers.get("x-ckan-api-key", "").strip()
    if not secret:
        return auth.Actor.public(client_address(request))
    scheme, _, rest = secret.partition(" ")
    if scheme.lower() == "bearer":
        secret = rest.strip()
    return auth.actor_for_token(db, secret, client_address(request))


def _error(exc: Exception, action: str) -> tuple[int, dict[str, Any]]:
    if isinstance(exc, SearchQueryError):
        return 400, {"__type": "Search Query Error", "message": f"Search Query is invalid: {exc}"}
    if isinstance(exc, InvalidInput | Conflict | QueryTimeout):
        details = exc.details
        field = details.get("field")
        if not isinstance(field, str):
            parameter = details.get("parameter")
            field = (
                ROW_PARAMETERS.get(parameter, "filters")
                if isinstance(parameter, str)
                else MAIN_PARAMETER.get(action, "data")
            )
        return 409, {field: [exc.message], "__type": "Validation Error", "message": exc.message}
    if isinstance(exc, NotAuthenticated | PermissionDenied):
        return 403, {"__type": "Authorization Error", "message": f"Access denied: {exc.message}"}
    if isinstance(exc, NotFound):
        return 404, {"__type": "Not Found Error", "message": f"Not found: {exc.message}"}
    if isinstance(exc, RateLimited):
        return 429, {"__type": "Rate Limit Error", "message": exc.message}
    log.error("CKAN action %s failed", action, exc_info=exc)
    return 500, {"__type": "Internal Server Error", "message": "Internal Server Error"}


# --- the site's actions -----------------------------------------------------------------------


@action(reads=True)
def status_show(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """The site's name, address and CKAN version."""
    return {
        "site_title": SITE_TITLE,
        "site_url": call.base,
        "site_description": "聊城市大数据局的政务数据目录与共享服务",
        "ckan_version": "2.11.0",
        "locale_default": "zh_Hans_CN",
        "extensions": ["datastore"],
    }


@action(reads=True)
def help_show(call: Call, data: dict[str, Any]) -> str | None:
    """The documentation of the action ``name``."""
    function = ACTIONS.get(required(data, "name"))
    if function is None:
        raise NotFound(f"no action {data['name']!r}", details={"name": data["name"]})
    return function.__doc__
