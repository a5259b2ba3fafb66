"""The CKAN Action API over the catalogue and pool, at ``/api/3/action/{name}`` and without ``/3``.

CKAN clients (ckanapi, ckanext-harvest, udata) see a CKAN 2.11 site with the DataStore: a package
is a dataset, its one resource is the dataset's table, an organisation is a department and a group
is a 6+N resource class. Answers use CKAN's envelope and error types, never the native ones. The
API key may come bare in ``Authorization`` (as ckanapi sends it), as a Bearer token, or in
``X-CKAN-API-Key``; without one the caller is the public. ``resource_create`` ingests the multipart
``upload`` as the dataset's next version, appended, or replacing the rows when ``mode=replace``
or ``clear=true`` is sent.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from fastapi import APIRouter, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException

from cityhub import auth, catalog
from cityhub.catalog.search import MAX_ROWS
from cityhub.db import Database
from cityhub.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    QueryTimeout,
)
from cityhub.pool import ingest as ingesting
from cityhub.pool.engine import quote
from cityhub.pool.service import Pool, Readable, read_rows, readable, run_sql
from cityhub.query.rows import MAX_LIMIT, Filter, RowQuery
from cityhub.web import ckan_shapes as shapes
from cityhub.web.deps import DatabaseDep, PoolDep, client_address
from cityhub.web.uploads import saved_upload

log = logging.getLogger(__name__)
router = APIRouter(tags=["ckan"])

DEFAULT_SORT = "score desc, metadata_modified desc"
DATASTORE_MAX = 32_000
SITE_TITLE = "聊城城市数据平台"
# The parameter a validation error without a field of its own is reported under.
MAIN_PARAMETER = {
    "datastore_search_sql": "sql",
    "datastore_search": "filters",
    "resource_create": "upload",
    "package_create": "name",
}
ROW_PARAMETERS = {"_sort": "sort", "_select": "fields", "limit": "limit"}


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


def _action(*, reads: bool) -> Callable[[Action], Action]:
    def register(function: Action) -> Action:
        ACTIONS[function.__name__] = function
        if reads:  # CKAN lets side-effect-free actions be called by GET
            SIDE_EFFECT_FREE.add(function.__name__)
        return function

    return register


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
        return function(Call(db, pool, _actor(request, db), base), data)

    try:
        envelope |= {"success": True, "result": await run_in_threadpool(run)}
    except Exception as exc:  # every failure leaves as a CKAN error, never the native envelope
        status, error = _error(exc, name)
        return JSONResponse(envelope | {"success": False, "error": error}, status_code=status)
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
    if isinstance(exc, shapes.SearchQueryError):
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
    log.error("CKAN action %s failed", action, exc_info=exc)
    return 500, {"__type": "Internal Server Error", "message": "Internal Server Error"}


def _required(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{key}: Missing value", details={"field": key})
    return value.strip()


def _package(call: Call, dataset: catalog.Dataset) -> dict[str, Any]:
    latest = catalog.latest_versions(call.db, [dataset.id]).get(dataset.id)
    return shapes.package_dict(dataset, latest, call.base)


def _resource(call: Call, dataset: catalog.Dataset) -> dict[str, Any]:
    latest = catalog.latest_versions(call.db, [dataset.id]).get(dataset.id)
    return shapes.resource_dict(dataset, latest, call.base)


def _visible(call: Call, text: str = "") -> list[catalog.Dataset]:
    """Every dataset the caller may see that contains the text, most relevant first."""
    found: list[catalog.Dataset] = []
    while True:
        query = catalog.SearchQuery(text=text, rows=MAX_ROWS, start=len(found))
        page = catalog.search(call.db, call.actor, query)
        found += page.datasets
        if not page.datasets or len(found) >= page.count:
            return found


def _counts(call: Call, facet: str) -> dict[str, int]:
    """How many datasets the caller may see per department or per resource class."""
    return catalog.search(call.db, call.actor, catalog.SearchQuery(rows=0)).facets[facet]


def _packages_in(call: Call, facet: str, value: str) -> list[dict[str, Any]]:
    """The visible packages of one department or resource class, by name."""
    query = catalog.SearchQuery(filters={facet: (value,)}, sort="name", rows=MAX_ROWS)
    return [_package(call, d) for d in catalog.search(call.db, call.actor, query).datasets]


# --- catalogue --------------------------------------------------------------------------------


@_action(reads=True)
def package_search(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Search packages: q (Chinese substrings work), Solr-style fq, sort, rows/start, facets."""
    text, query = shapes.split_q(str(data.get("q") or ""))
    for fq in [data.get("fq"), *shapes.as_list(data.get("fq_list"), "fq_list")]:
        query += shapes.parse_query(str(fq or ""))
    rows = min(shapes.as_int(data.get("rows"), "rows", 10), MAX_ROWS)  # CKAN caps, silently
    start = shapes.as_int(data.get("start"), "start", 0)
    sort = str(data.get("sort") or DEFAULT_SORT)
    # Like CKAN's +capacity:public: private datasets only when asked for (and visible anyway).
    private = shapes.as_bool(data.get("include_private"), "include_private")
    found = [d for d in _visible(call, text) if private or d.open_type == catalog.OpenType.OPEN]
    latest = catalog.latest_versions(call.db, [d.id for d in found])
    matches = [d for d in found if shapes.holds(query, d, latest.get(d.id))]
    matches = shapes.sort_datasets(matches, sort)
    wanted = shapes.as_bool(data.get("facet"), "facet", True)
    facets, search_facets = shapes.facets(
        shapes.as_list(data.get("facet.field"), "facet.field") if wanted else [],
        matches,
        latest,
        limit=shapes.as_int(data.get("facet.limit"), "facet.limit", 50, minimum=None),
        mincount=shapes.as_int(data.get("facet.mincount"), "facet.mincount", 1),
    )
    page = matches[start : start + rows]
    return {
        "count": len(matches),
        "results": [shapes.package_dict(d, latest.get(d.id), call.base) for d in page],
        "facets": facets,
        "search_facets": search_facets,
        "sort": sort,
    }


@_action(reads=True)
def package_show(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """A package by id or name."""
    return _package(call, catalog.get_dataset(call.db, call.actor, _required(data, "id")))


@_action(reads=True)
def package_list(call: Call, data: dict[str, Any]) -> list[str]:
    """Names of the packages the caller may see, sorted; limit and offset page them."""
    names = sorted(d.name for d in _visible(call))
    offset = shapes.as_int(data.get("offset"), "offset", 0)
    return names[offset : offset + shapes.as_int(data.get("limit"), "limit", len(names))]


def _listing(data: dict[str, Any], entries: list[dict[str, Any]], kind: str) -> list[Any]:
    """Organisations or groups filtered, sorted and paged as CKAN's *_list actions do."""
    wanted = {str(n).lower() for n in shapes.as_list(data.get(kind), kind)}
    entries = [e for e in entries if not wanted or e["name"] in wanted]
    field, _, direction = str(data.get("sort") or "name asc").partition(" ")
    if field not in {"name", "title", "package_count"}:
        raise InvalidInput(f"cannot sort {kind} by {field!r}", details={"field": "sort"})
    entries.sort(key=lambda e: e[field], reverse=direction.strip().lower() == "desc")
    offset = shapes.as_int(data.get("offset"), "offset", 0)
    entries = entries[offset : offset + shapes.as_int(data.get("limit"), "limit", len(entries))]
    full = shapes.as_bool(data.get("all_fields"), "all_fields")
    return entries if full else [e["name"] for e in entries]


@_action(reads=True)
def organization_list(call: Call, data: dict[str, Any]) -> list[Any]:
    """Organisations (departments): names, or dicts with package_count when all_fields=true."""
    counts = _counts(call, "department")
    departments = auth.list_departments(call.db, call.actor)
    entries = [shapes.organization_dict(d, counts.get(d.code, 0)) for d in departments]
    return _listing(data, entries, "organizations")


@_action(reads=True)
def organization_show(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """An organisation by id (``org-slj``) or name (``slj``); include_datasets lists packages."""
    code = shapes.org_code(_required(data, "id"))
    department = next(
        (d for d in auth.list_departments(call.db, call.actor) if d.code == code), None
    )
    if department is None:
        raise NotFound(f"no organization {data['id']!r}", details={"id": data["id"]})
    result = shapes.organization_dict(department, _counts(call, "department").get(code, 0))
    if shapes.as_bool(data.get("include_datasets"), "include_datasets"):
        result["packages"] = _packages_in(call, "department", code)
    return result


@_action(reads=True)
def group_list(call: Call, data: dict[str, Any]) -> list[Any]:
    """Groups (the 6+N resource classes): names, or dicts when all_fields=true."""
    counts = _counts(call, "resource_class")
    entries = [shapes.group_dict(c, counts.get(c.value, 0)) for c in catalog.ResourceClass]
    return _listing(data, entries, "groups")


@_action(reads=True)
def group_show(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """A group by id or name; include_datasets lists its packages."""
    resource_class = shapes.group_of(_required(data, "id"))
    if resource_class is None:
        raise NotFound(f"no group {data['id']!r}", details={"id": data["id"]})
    count = _counts(call, "resource_class").get(resource_class.value, 0)
    result = shapes.group_dict(resource_class, count)
    if shapes.as_bool(data.get("include_datasets"), "include_datasets"):
        result["packages"] = _packages_in(call, "resource_class", resource_class.value)
    return result


@_action(reads=False)
def package_create(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Create a package in owner_org (a department code); extras carry the 目录 fields."""
    name = _required(data, "name")
    owner = data.get("owner_org") or call.actor.department_code
    if not owner:
        raise InvalidInput("owner_org: Missing value", details={"field": "owner_org"})
    fields = shapes.catalogue_fields(data, full=True)
    fields["title"] = fields.get("title") or name
    spec = catalog.DatasetSpec(name=name, department=shapes.org_code(str(owner)), **fields)
    return _package(call, catalog.create_dataset(call.db, call.actor, spec))


def _change(call: Call, data: dict[str, Any], *, full: bool) -> dict[str, Any]:
    key = "id" if data.get("id") else "name"
    dataset = catalog.get_dataset(call.db, call.actor, _required(data, key))
    if data.get("name") not in {None, dataset.name, dataset.uuid}:
        raise InvalidInput("a package keeps its name", details={"field": "name"})
    owner = data.get("owner_org")
    if owner and shapes.org_code(str(owner)) != dataset.department.code:
        raise InvalidInput("a package keeps its organization", details={"field": "owner_org"})
    patch = catalog.DatasetPatch(**shapes.catalogue_fields(data, full=full))
    return _package(call, catalog.update_dataset(call.db, call.actor, dataset.name, patch))


@_action(reads=False)
def package_update(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Replace a package's catalogue fields: omitted ones return to their defaults."""
    return _change(call, data, full=True)


@_action(reads=False)
def package_patch(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Change the given catalogue fields of a package (extras: only the keys sent)."""
    return _change(call, data, full=False)


@_action(reads=True)
def resource_show(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """A resource (a dataset's table) by its id."""
    return _resource(call, catalog.get_dataset(call.db, call.actor, _required(data, "id")))


@_action(reads=False)
def resource_create(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Ingest the multipart ``upload`` into package_id's table as its next version."""
    dataset = catalog.get_dataset(call.db, call.actor, _required(data, "package_id"))
    upload = data.get("upload")
    if not isinstance(upload, StarletteUpload):
        raise InvalidInput(
            "upload must be a file sent as multipart/form-data "
            "(ckanapi: upload=open(path, 'rb'); ckanapi CLI: upload@path)",
            details={"field": "upload"},
        )
    mode = str(data.get("mode") or "append")
    if shapes.as_bool(data.get("clear"), "clear"):
        mode = "replace"
    if mode not in {m.value for m in ingesting.IngestMode}:
        raise InvalidInput("mode must be append or replace", details={"field": "mode"})
    file_name = upload.filename or "upload"
    if data.get("format") and not Path(file_name).suffix:  # the reader is chosen by suffix
        file_name += f".{str(data['format']).lower()}"
    with saved_upload(cast(UploadFile, upload), call.pool.settings) as path:
        ingesting.ingest(
            call.db,
            call.actor,
            call.pool.warehouse,
            dataset=dataset.name,
            path=path,
            file_name=file_name,
            mode=ingesting.IngestMode(mode),
        )
    return _resource(call, catalog.get_dataset(call.db, call.actor, dataset.uuid))


# --- DataStore --------------------------------------------------------------------------------


@_action(reads=True)
def datastore_search(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Rows of a resource: filters, q, fields, sort, limit/offset; personal columns masked."""
    source = readable(call.pool, call.actor, _required(data, "resource_id"), None, "dataset.read")
    types = source.types
    fields = [c for c, _ in shapes.column_names(data.get("fields"), "fields", types)] or list(types)
    filters = shapes.as_dict(data.get("filters"), "filters")
    if set(filters) - set(types):
        unknown = ", ".join(sorted(set(filters) - set(types)))
        raise InvalidInput(f"filters: no column {unknown}", details={"field": "filters"})
    query = RowQuery(
        filters=_row_filters(filters),
        sort=tuple(
            f"-{c}" if d else c for c, d in shapes.column_names(data.get("sort"), "sort", types)
        ),
        select=tuple(fields),
        limit=min(shapes.as_int(data.get("limit"), "limit", 100), DATASTORE_MAX),  # CKAN caps
        offset=shapes.as_int(data.get("offset"), "offset", 0),
        version=source.version.number,
    )
    q = data.get("q")
    q = shapes.as_dict(q, "q") if isinstance(q, str) and q.lstrip().startswith("{") else q
    # The row API cannot say OR; q (and IN lists of values with commas) go through the sandbox.
    if q or _lists_need_sql(filters):
        query = replace(query, limit=min(query.limit, call.pool.settings.query_max_rows))
        rows, total = _search_sql(call, source, query, filters, q)
    else:
        rows, total = _search_rows(call, source, query)
    rid = source.dataset.resource_uuid
    link = f"/api/3/action/datastore_search?resource_id={rid}&limit={query.limit}&offset="
    result: dict[str, Any] = {
        "resource_id": rid,
        "fields": shapes.datastore_fields(fields, types, source.dataset.columns),
        "records": shapes.records(fields, rows, str(data.get("records_format") or "objects")),
        "filters": filters,
        "limit": query.limit,
        "offset": query.offset,
        "_links": {"start": f"{link}0", "next": f"{link}{query.offset + query.limit}"},
    }
    if shapes.as_bool(data.get("include_total"), "include_total", True):
        result |= {"total": total, "total_was_estimated": False}
    return result | ({"q": q} if q else {})


def _lists_need_sql(filters: dict[str, Any]) -> bool:
    """Whether an IN list cannot be the row API's comma-separated ``in`` value."""
    lists = [
        [shapes.scalar(v) for v in value] for value in filters.values() if isinstance(value, list)
    ]
    return any(not values or any("," in v or v != v.strip() for v in values) for values in lists)


def _row_filters(filters: dict[str, Any]) -> tuple[Filter, ...]:
    """Equality filters in the row API's terms: a list is IN, null is IS NULL."""
    return tuple(
        Filter(column, "isnull", "true")
        if value is None
        else Filter(column, "in", ",".join(map(shapes.scalar, value)))
        if isinstance(value, list)
        else Filter(column, "eq", shapes.scalar(value))
        for column, value in filters.items()
    )


def _search_rows(call: Call, source: Readable, query: RowQuery) -> tuple[list[Any], int]:
    """Rows through the row API, in pages of its largest limit, all of one version."""
    rows: list[Any] = []
    while True:
        wanted = min(MAX_LIMIT, query.limit - len(rows))
        page_query = replace(query, limit=wanted, offset=query.offset + len(rows))
        page = read_rows(call.pool, call.actor, source.dataset.name, page_query)
        rows += page.rows
        if len(rows) >= query.limit or len(page.rows) < wanted:
            return rows, page.total


def _search_sql(
    call: Call, source: Readable, query: RowQuery, filters: dict[str, Any], q: Any
) -> tuple[list[Any], int]:
    """Rows through the SQL sandbox: q is a substring of any text column (or of named ones)."""
    conditions = [
        f"{quote(c)} IS NULL"
        if v is None
        else f"{quote(c)} IN ({', '.join(map(shapes.literal, shapes.as_list(v, c))) or 'NULL'})"
        for c, v in filters.items()
    ]
    text = [c for c, t in source.types.items() if t is catalog.ColumnType.STRING]
    searches = q.items() if isinstance(q, dict) else [(None, w) for w in str(q or "").split()]
    for column, word in searches:
        if column is not None and column not in source.types:
            raise InvalidInput(f"q: no column {column!r}", details={"field": "q"})
        found = [
            f"contains(lower(CAST({quote(c)} AS VARCHAR)), lower({shapes.literal(word)}))"
            for c in ([column] if column is not None else text)
        ]
        conditions.append(" OR ".join(found) or "FALSE")
    table = quote(source.dataset.resource_uuid)  # run_sql knows each table by its resource id
    where = f" WHERE {' AND '.join(f'({c})' for c in conditions)}" if conditions else ""
    order = ", ".join(
        f"{quote(s.lstrip('-'))} {'DESC' if s[0] == '-' else 'ASC'}" for s in query.sort
    )
    sql = f"SELECT {', '.join(map(quote, query.select))} FROM {table}{where}"
    sql += f"{' ORDER BY ' + order if order else ''} LIMIT {query.limit} OFFSET {query.offset}"
    page = run_sql(call.pool, call.actor, sql, aliases="resource_id")
    count = f"SELECT count(*) FROM {table}{where}"
    return page.rows, int(run_sql(call.pool, call.actor, count, aliases="resource_id").rows[0][0])


@_action(reads=True)
def datastore_search_sql(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """One SELECT; tables are dataset names or resource ids written as quoted identifiers."""
    sql = _required(data, "sql")
    results = run_sql(call.pool, call.actor, sql, aliases="resource_id")
    columns = results.columns
    result: dict[str, Any] = {
        "sql": sql,
        "records": shapes.records(columns, results.rows, "objects"),
        "fields": [
            {"id": c, "type": shapes.sql_type(row[i] for row in results.rows)}
            for i, c in enumerate(columns)
        ],
    }
    if results.truncated:  # CKAN sends the key only when rows were cut
        result["records_truncated"] = True
    return result


# --- site -------------------------------------------------------------------------------------


@_action(reads=True)
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


@_action(reads=True)
def help_show(call: Call, data: dict[str, Any]) -> str | None:
    """The documentation of the action ``name``."""
    function = ACTIONS.get(_required(data, "name"))
    if function is None:
        raise NotFound(f"no action {data['name']!r}", details={"name": data["name"]})
    return function.__doc__
