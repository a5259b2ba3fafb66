"""The catalogue and pool API: ``/api/datasets`` (search, entries, columns, versions, rows)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from cityhub import catalog
from cityhub.pool import ingest as ingesting
from cityhub.pool.exporting import page_csv
from cityhub.pool.service import read_rows
from cityhub.query.rows import row_query_from
from cityhub.web.catalog_schemas import (
    ColumnUpdate,
    DatasetCreate,
    DatasetPublic,
    DatasetsPublic,
    DatasetUpdate,
    GrantCreate,
    RowsPublic,
    VersionPublic,
    dataset_public,
    version_public,
)
from cityhub.web.deps import ApiActor, DatabaseDep, PoolDep, SettingsDep
from cityhub.web.schemas import ERROR_RESPONSES
from cityhub.web.uploads import saved_upload

router = APIRouter(prefix="/api/datasets", tags=["datasets"], responses=ERROR_RESPONSES)


def _public(db: DatabaseDep, dataset: catalog.Dataset) -> DatasetPublic:
    return dataset_public(dataset, catalog.latest_versions(db, [dataset.id]).get(dataset.id))


@router.get("")
def search_datasets(
    db: DatabaseDep,
    actor: ApiActor,
    q: str = "",
    department: Annotated[list[str] | None, Query()] = None,
    category: Annotated[list[str] | None, Query()] = None,
    share_type: Annotated[list[str] | None, Query()] = None,
    update_cycle: Annotated[list[str] | None, Query()] = None,
    format: Annotated[list[str] | None, Query()] = None,
    sort: str = "relevance",
    rows: int = 20,
    start: int = 0,
) -> DatasetsPublic:
    """Search the catalogue (substring match, Chinese works) with facet filters and counts."""
    given = {
        "department": department,
        "category": category,
        "share_type": share_type,
        "update_cycle": update_cycle,
        "format": format,
    }
    filters = {k: tuple(v) for k, v in given.items() if v}
    result = catalog.search(db, actor, catalog.SearchQuery(q, filters, {}, sort, rows, start))
    latest = catalog.latest_versions(db, [d.id for d in result.datasets])
    return DatasetsPublic(
        count=result.count,
        data=[dataset_public(d, latest.get(d.id)) for d in result.datasets],
        facets=result.facets,
    )


@router.post("", status_code=201)
def create_dataset(body: DatasetCreate, db: DatabaseDep, actor: ApiActor) -> DatasetPublic:
    """Register a dataset (stewards: own department; admins: any)."""
    spec = catalog.DatasetSpec(**body.model_dump() | {"keywords": tuple(body.keywords)})
    return _public(db, catalog.create_dataset(db, actor, spec))


@router.get("/{name}")
def read_dataset(name: str, db: DatabaseDep, actor: ApiActor) -> DatasetPublic:
    """A catalogue entry by name, package id or resource id."""
    return _public(db, catalog.get_dataset(db, actor, name))


@router.patch("/{name}")
def update_dataset(
    name: str, body: DatasetUpdate, db: DatabaseDep, actor: ApiActor
) -> DatasetPublic:
    """Change catalogue fields (owner department's stewards, admins)."""
    values = body.model_dump(exclude_none=True)
    if "keywords" in values:
        values["keywords"] = tuple(values["keywords"])
    return _public(db, catalog.update_dataset(db, actor, name, catalog.DatasetPatch(**values)))


@router.patch("/{name}/columns")
def update_columns(
    name: str, body: list[ColumnUpdate], db: DatabaseDep, actor: ApiActor
) -> DatasetPublic:
    """Describe columns: label, description, type (from the next version on), personal class."""
    changes = [catalog.ColumnChange(**c.model_dump()) for c in body]
    return _public(db, catalog.describe_columns(db, actor, name, changes))


@router.get("/{name}/versions")
def read_versions(name: str, db: DatabaseDep, actor: ApiActor) -> list[VersionPublic]:
    """Every version, newest first."""
    return [version_public(v) for v in catalog.list_versions(db, actor, name)]


@router.get("/{name}/versions/diff")
def diff_versions(
    name: str,
    db: DatabaseDep,
    actor: ApiActor,
    from_version: Annotated[int, Query(alias="from")],
    to_version: Annotated[int, Query(alias="to")],
) -> dict[str, list[dict[str, str]]]:
    """How the columns changed between two versions."""
    return catalog.diff_versions(db, actor, name, from_version, to_version)


@router.post("/{name}/versions", status_code=201)
async def upload_version(
    name: str,
    file: Annotated[UploadFile, File(description="CSV, TSV, xlsx, JSON, NDJSON, GeoJSON, Parquet")],
    db: DatabaseDep,
    settings: SettingsDep,
    pool: PoolDep,
    actor: ApiActor,
    mode: Annotated[ingesting.IngestMode, Form()] = ingesting.IngestMode.APPEND,
) -> VersionPublic:
    """Upload a file as the dataset's next version (append to or replace the rows)."""

    def work() -> VersionPublic:
        with saved_upload(file, settings) as path:
            result = ingesting.ingest(
                db,
                actor,
                pool.warehouse,
                dataset=name,
                path=path,
                file_name=file.filename or "upload",
                mode=mode,
            )
        # By number, not the newest: another ingest may have recorded a later one since.
        versions = catalog.list_versions(db, actor, result.dataset)
        return version_public(next(v for v in versions if v.number == result.version))

    return await run_in_threadpool(work)


@router.get("/{name}/rows", response_model=RowsPublic)
def read_dataset_rows(
    name: str,
    request: Request,
    pool: PoolDep,
    actor: ApiActor,
    version: int | None = None,
    _sort: str = "",
    _select: str = "",
    _limit: int = 100,
    _offset: int = 0,
    _format: Literal["json", "csv"] = "json",
) -> RowsPublic | Response:
    """Rows with filters ``column__op=value`` (eq ne lt lte gt gte in like isnull), sort, paging.

    ``_format=csv`` gives the same page as CSV (UTF-8 with BOM, formula cells neutralised).
    """
    query = row_query_from(
        request.query_params.multi_items(),
        sort=_sort,
        select=_select,
        limit=_limit,
        offset=_offset,
        version=version,
    )
    page = read_rows(pool, actor, name, query)
    if _format == "csv":
        return Response(page_csv(page), media_type="text/csv; charset=utf-8")
    return RowsPublic(
        dataset=page.dataset,
        version=page.version,
        columns=page.columns,
        rows=[list(r) for r in page.rows],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
        masked=page.masked,
    )


@router.post("/{name}/grants", status_code=204)
def create_grant(name: str, body: GrantCreate, db: DatabaseDep, actor: ApiActor) -> None:
    """Let a department read a 有条件共享 dataset, maybe until ``expires_at`` (admins)."""
    catalog.grant(db, actor, name, body.department, body.note, expires_at=body.expires_at)


@router.delete("/{name}/grants/{department}", status_code=204)
def revoke_grant(name: str, department: str, db: DatabaseDep, actor: ApiActor) -> None:
    """Withdraw a department's grant (admins)."""
    catalog.revoke(db, actor, name, department)
