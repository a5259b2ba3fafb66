"""The catalogue pages: search (数据目录) with facets and paging, and uploading a new version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from cityhub import auth, catalog
from cityhub.auth import Actor
from cityhub.db import Database, utcnow
from cityhub.errors import CityhubError, InvalidInput
from cityhub.pool.ingest import IngestMode, IngestResult, ingest
from cityhub.web.csrf import verify_csrf
from cityhub.web.deps import DatabaseDep, PageActor, PoolDep, SettingsDep
from cityhub.web.errors import envelope, status_of
from cityhub.web.i18n import Translator, language_of
from cityhub.web.pages.render import render
from cityhub.web.uploads import saved_upload

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
FacetParam = Annotated[list[str] | None, Query()]


@dataclass(frozen=True)
class Entry:
    """One search hit: the dataset, its newest version, and whether it is updated on time."""

    dataset: catalog.Dataset
    latest: catalog.DatasetVersion | None
    on_time: bool | None


@dataclass(frozen=True)
class Facet:
    """One facet value with its count, its label, and whether it is selected."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class CatalogView:
    """What the catalogue page shows."""

    q: str
    count: int
    entries: list[Entry]
    facets: dict[str, list[Facet]]
    page: int
    pages: int
    prev_url: str | None
    next_url: str | None
    clear_url: str


def _url(q: str, filters: dict[str, tuple[str, ...]], page: int) -> str:
    pairs = [("q", q)] if q else []
    pairs += [(facet, value) for facet, values in filters.items() for value in values]
    pairs += [("page", str(page))] if page > 1 else []
    return "/datasets" + (f"?{urlencode(pairs)}" if pairs else "")


def _label(t: Translator, facet: str, value: str, departments: dict[str, auth.Department]) -> str:
    if facet == "department":
        department = departments.get(value)
        if department is None:
            return value
        return department.name_zh if t.language == "zh-CN" else department.name_en
    return value.upper() if facet == "format" else t(f"{facet}.{value}")


def catalog_view(
    db: Database,
    actor: Actor,
    q: str,
    filters: dict[str, tuple[str, ...]],
    page: int,
    t: Translator,
) -> CatalogView:
    """One page of matching datasets with their newest versions and the facet counts."""
    start = (page - 1) * PAGE_SIZE
    result = catalog.search(
        db, actor, catalog.SearchQuery(q, filters, {}, "relevance", PAGE_SIZE, start)
    )
    latest = catalog.latest_versions(db, [d.id for d in result.datasets])
    now = utcnow()
    entries = []
    for dataset in result.datasets:
        version = latest.get(dataset.id)
        state = catalog.timeliness(
            dataset.update_cycle, version.created_at if version else None, now
        )
        entries.append(Entry(dataset, version, state.on_time))
    departments = {d.code: d for d in auth.list_departments(db, actor)}
    facets = {
        facet: [
            Facet(value, _label(t, facet, value, departments), n, value in filters.get(facet, ()))
            for value, n in sorted(result.facets[facet].items(), key=lambda i: (-i[1], i[0]))
        ]
        for facet in catalog.FACETS
    }
    pages = max(1, -(-result.count // PAGE_SIZE))
    return CatalogView(
        q=q,
        count=result.count,
        entries=entries,
        facets=facets,
        page=page,
        pages=pages,
        prev_url=_url(q, filters, page - 1) if page > 1 else None,
        next_url=_url(q, filters, page + 1) if page < pages else None,
        clear_url=_url(q, {}, 1),
    )


@router.get("/datasets", response_class=HTMLResponse)
def catalog_page(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    q: str = "",
    department: FacetParam = None,
    category: FacetParam = None,
    resource_class: FacetParam = None,
    share_type: FacetParam = None,
    update_cycle: FacetParam = None,
    format: FacetParam = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Search the catalogue; the public sees the datasets open to it."""
    given = {
        "department": department,
        "category": category,
        "resource_class": resource_class,
        "share_type": share_type,
        "update_cycle": update_cycle,
        "format": format,
    }
    filters = {facet: tuple(v for v in values if v) for facet, values in given.items() if values}
    filters = {facet: values for facet, values in filters.items() if values}
    t = Translator(language_of(request))
    view = catalog_view(db, actor, q.strip(), filters, page, t)
    return render(request, "catalog.html", {"view": view})


def _upload_page(
    request: Request,
    dataset: catalog.Dataset,
    done: catalog.DatasetVersion | None = None,
    error: InvalidInput | None = None,
) -> HTMLResponse:
    context = {"dataset": dataset, "done": done, "error": error, "modes": list(IngestMode)}
    return render(request, "upload.html", context, status=400 if error else 200)


@router.get("/datasets/{name}/upload", response_class=HTMLResponse)
def upload_form(
    request: Request, name: str, db: DatabaseDep, actor: PageActor, done: int | None = None
) -> HTMLResponse:
    """The form for a dataset's next version (owner department's stewards, admins)."""
    dataset = catalog.require_manage(db, actor, name, "dataset.ingest")
    versions = catalog.list_versions(db, actor, dataset.name)
    return _upload_page(request, dataset, next((v for v in versions if v.number == done), None))


@router.post("/datasets/{name}/upload", dependencies=[Depends(verify_csrf)], response_model=None)
async def upload(
    request: Request,
    name: str,
    file: Annotated[UploadFile, File()],
    db: DatabaseDep,
    settings: SettingsDep,
    pool: PoolDep,
    actor: PageActor,
    mode: Annotated[IngestMode, Form()] = IngestMode.APPEND,
) -> Response:
    """Ingest the file as the next version: JSON for the page's XHR, else a redirect."""

    def work() -> IngestResult:
        with saved_upload(file, settings) as path:
            return ingest(
                db,
                actor,
                pool.warehouse,
                dataset=name,
                path=path,
                file_name=file.filename or "upload",
                mode=mode,
            )

    as_json = "application/json" in request.headers.get("accept", "")
    try:
        result = await run_in_threadpool(work)
    except CityhubError as exc:
        if as_json:
            return JSONResponse(envelope(exc.code, exc.message, exc.details), status_of(exc))
        if not isinstance(exc, InvalidInput):
            raise
        return _upload_page(request, catalog.get_dataset(db, actor, name), error=exc)
    if as_json:
        return JSONResponse(
            {
                "dataset": result.dataset,
                "version": result.version,
                "rows_added": result.rows_added,
                "row_count": result.row_count,
                "encoding": result.encoding,
                "format": result.format,
                "url": f"/datasets/{result.dataset}?version={result.version}",
            }
        )
    return RedirectResponse(f"/datasets/{result.dataset}/upload?done={result.version}", 303)
