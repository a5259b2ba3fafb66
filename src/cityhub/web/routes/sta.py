"""The OGC SensorThings API v1.1 under ``/sta/v1.1`` (OGC 18-088).

One catch-all route per method hands the resource path to ``cityhub.sensing.sta``: reads to
``read.read``, writes to ``write``. Errors keep the API's envelope (``{"error": {...}}``) and
are rendered here, so that a 401 carries the Basic challenge standard clients answer to and
an unknown ``$`` option is 501 Not Implemented, as the standard asks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.routing import APIRoute

from cityhub.auth import Actor
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import CityhubError, InvalidInput, NotAuthenticated
from cityhub.sensing.bus import Bus
from cityhub.sensing.sta import write
from cityhub.sensing.sta.entities import ENTITY_TYPES
from cityhub.sensing.sta.paths import parse_path
from cityhub.sensing.sta.query import unknown_options
from cityhub.sensing.sta.read import Reply, locate, read
from cityhub.sensing.sta.root import root_document
from cityhub.sensing.sta.serialise import Links
from cityhub.web.deps import DatabaseDep, SettingsDep
from cityhub.web.errors import envelope, status_of
from cityhub.web.sta_auth import CHALLENGE, StaActor

PREFIX = "/sta/v1.1"
JSON_PATCH = "application/json-patch+json"
OBSERVATIONS = ENTITY_TYPES["Observations"]
log = logging.getLogger(__name__)


def error_response(error: CityhubError) -> JSONResponse:
    """The envelope of ``error``; 501 for options not implemented, a Basic challenge on 401."""
    status, code = status_of(error), error.code
    if isinstance(error, InvalidInput) and error.details.get("not_implemented"):
        status, code = 501, "not_implemented"
    headers = {"WWW-Authenticate": CHALLENGE} if status == 401 else None
    return JSONResponse(envelope(code, error.message, error.details), status, headers=headers)


class StaRoute(APIRoute):
    """A route whose errors — its dependencies' included — are answered in the envelope."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The usual handler, with cityhub errors turned into responses."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except CityhubError as error:
                if status_of(error) >= 500:
                    log.error("%s: %s", type(error).__name__, error.message)
                return error_response(error)

        return guarded


router = APIRouter(prefix=PREFIX, tags=["sensorthings"], route_class=StaRoute)


def links_for(request: Request, settings: Settings) -> Links:
    """Links under the public URL when one is set, else under the URL the request came to."""
    base = settings.public_url or str(request.base_url)
    return Links(base.rstrip("/") + PREFIX)


def _extra_conformance(request: Request) -> Mapping[str, Mapping[str, Any]] | None:
    # Classes served elsewhere in the app (MQTT) with their settings, if the sensing runtime
    # offers them as ``sta_conformance()``.
    sensing = getattr(request.app.state, "sensing", None)
    offer = getattr(sensing, "sta_conformance", None)
    found: Mapping[str, Mapping[str, Any]] | None = offer() if callable(offer) else None
    return found


def _bus(request: Request) -> Bus | None:
    sensing = getattr(request.app.state, "sensing", None)
    return getattr(sensing, "bus", None)


def _params(request: Request) -> list[tuple[str, str]]:
    """The query parameters; 501 for a ``$`` option not implemented, 400 for one given twice."""
    params = request.query_params.multi_items()
    unknown = unknown_options(dict(params))
    if unknown:
        raise InvalidInput(
            f"the query option {unknown[0]} is not implemented",
            details={"option": unknown[0], "not_implemented": True},
        )
    seen: set[str] = set()
    for name, _ in params:
        if name.startswith("$"):
            if name.lower() in seen:
                raise InvalidInput(
                    f"the query option {name} is given twice", details={"option": name}
                )
            seen.add(name.lower())
    return params


def require_login(actor: Actor) -> None:
    """Writes need credentials; the public is challenged (401) before anything else."""
    if not actor.is_authenticated:
        raise NotAuthenticated(
            "writing SensorThings data needs a steward's, an admin's or a station's API token, "
            "as a Bearer token or as the password of HTTP Basic",
            details={"permission": "sensing.write"},
        )


def _no_constants(name: str) -> Any:
    raise InvalidInput(f"{name} is not a JSON number", details={"value": name})


async def json_body(request: Request) -> Any:
    """The request's JSON body; InvalidInput with the position of a syntax error.

    ``NaN`` and ``Infinity``, which Python's parser would accept, are refused: they are not
    JSON, and could not be written back out."""
    raw = await request.body()
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError as error:
        raise InvalidInput(
            "the body is not UTF-8 text", details={"position": error.start}
        ) from None
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"malformed JSON: {error.msg}",
            details={"position": error.pos, "line": error.lineno, "column": error.colno},
        ) from None


def _respond(reply: Reply) -> Response:
    if reply.status == 204:
        return Response(status_code=204)
    if reply.text:
        return PlainTextResponse(reply.body, reply.status)
    return JSONResponse(reply.body, reply.status)


def _entity_reply(
    db: Database, request: Request, settings: Settings, set_name: str, entity_id: int, status: int
) -> Response:
    """The stored entity, as the writer sees what was written (read back by the platform, so
    that an entity the writer cannot list — a Location of no visible Thing — still shows)."""
    links = links_for(request, settings)
    path = f"{set_name}({entity_id})"
    reply = read(db, Actor.system(), path, [], links=links, max_top=1, default_top=1)
    response = JSONResponse(reply.body, status)
    if status == 201:
        response.headers["Location"] = f"{links.root}/{path}"
    return response


@router.get("", summary="SensorThings service root")
def service_root(request: Request, settings: SettingsDep) -> JSONResponse:
    """The entity sets and the conformance classes implemented (usage 1)."""
    return JSONResponse(root_document(links_for(request, settings), _extra_conformance(request)))


@router.post("/CreateObservations", status_code=201, summary="Create Observations (dataArray)")
async def create_observations(
    request: Request, db: DatabaseDep, settings: SettingsDep, actor: StaActor
) -> JSONResponse:
    """Many Observations at once, grouped by Datastream; their URLs in order, or "error"."""
    require_login(actor)
    body = await json_body(request)
    ids = await run_in_threadpool(write.create_observations, db, actor, body, bus=_bus(request))
    links = links_for(request, settings)
    urls = [links.entity(OBSERVATIONS, i) if i is not None else "error" for i in ids]
    return JSONResponse(urls, 201)


@router.get("/{path:path}", summary="Read SensorThings entities")
def get_resource(
    path: str, request: Request, db: DatabaseDep, settings: SettingsDep, actor: StaActor
) -> Response:
    """Collections, entities, properties, ``$value``, ``$ref`` and navigation (usages 2–8)."""
    if not path.strip("/"):
        return service_root(request, settings)
    reply = read(
        db,
        actor,
        path,
        _params(request),
        links=links_for(request, settings),
        max_top=settings.sta_max_top,
        default_top=settings.sta_default_top,
    )
    return _respond(reply)


@router.post("/{path:path}", status_code=201, summary="Create a SensorThings entity")
async def post_entity(
    path: str, request: Request, db: DatabaseDep, settings: SettingsDep, actor: StaActor
) -> Response:
    """Create (deep insert, links by ``@iot.id``) in a collection or a navigation collection."""
    require_login(actor)
    body = await json_body(request)
    target = parse_path(path)
    if target.prop is not None or target.ref or not target.is_collection:
        raise InvalidInput(
            "POST creates entities in a collection, e.g. /Things or /Datastreams(1)/Observations",
            details={"path": path},
        )
    scope = await run_in_threadpool(locate, db, actor, target.steps[:-1])
    relation = target.last.relation
    parent = None
    if scope is not None and scope.key is not None and relation is not None:
        parent = (scope.entity.set_name, scope.key, relation.name)
    set_name = target.last.entity.set_name
    new_id = await run_in_threadpool(
        write.create, db, actor, set_name, body, parent=parent, bus=_bus(request)
    )
    return await run_in_threadpool(_entity_reply, db, request, settings, set_name, new_id, 201)


async def _update(
    path: str, request: Request, db: Database, settings: Settings, actor: Actor, *, replace: bool
) -> Response:
    require_login(actor)
    body = await json_body(request)
    set_name, entity_id = await run_in_threadpool(_entity_of, db, actor, path)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not replace and content_type == JSON_PATCH:
        await run_in_threadpool(write.json_patch, db, actor, set_name, entity_id, body)
    else:
        await run_in_threadpool(
            lambda: write.update(db, actor, set_name, entity_id, body, replace=replace)
        )
    return await run_in_threadpool(_entity_reply, db, request, settings, set_name, entity_id, 200)


def _entity_of(db: Database, actor: Actor, path: str) -> tuple[str, int]:
    target = parse_path(path)
    if target.prop is not None or target.ref or target.is_collection:
        raise InvalidInput("address one entity, e.g. /Things(1)", details={"path": path})
    scope = locate(db, actor, target.steps)
    assert scope is not None and scope.key is not None
    return scope.entity.set_name, scope.key


@router.patch("/{path:path}", summary="Update a SensorThings entity (merge or JSON Patch)")
async def patch_entity(
    path: str, request: Request, db: DatabaseDep, settings: SettingsDep, actor: StaActor
) -> Response:
    """Merge the sent properties, or apply RFC 6902 with ``application/json-patch+json``."""
    return await _update(path, request, db, settings, actor, replace=False)


@router.put("/{path:path}", summary="Replace a SensorThings entity")
async def put_entity(
    path: str, request: Request, db: DatabaseDep, settings: SettingsDep, actor: StaActor
) -> Response:
    """Replace every property of the entity."""
    return await _update(path, request, db, settings, actor, replace=True)


@router.delete("/{path:path}", status_code=204, summary="Delete a SensorThings entity")
def delete_entity(path: str, db: DatabaseDep, actor: StaActor) -> Response:
    """Delete the entity and what depends on it (Thing → Datastreams → Observations …)."""
    require_login(actor)
    set_name, entity_id = _entity_of(db, actor, path)
    write.delete(db, actor, set_name, entity_id)
    return Response(status_code=204)
