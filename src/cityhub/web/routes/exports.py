"""``GET /api/datasets/{name}/export``: a dataset version as a CSV, Excel, Parquet or GeoJSON."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from cityhub.pool.exporting import export_dataset
from cityhub.query.rows import parse_filter
from cityhub.web.deps import ApiActor, PoolDep
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/datasets", tags=["datasets"], responses=ERROR_RESPONSES)

RESERVED = {"format", "encoding", "version", "_sort", "_select"}


def content_disposition(filename: str, ascii_filename: str) -> str:
    """An attachment header with the UTF-8 name (RFC 6266/5987) and a plain ASCII fallback."""
    return f"attachment; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/{name}/export",
    response_class=StreamingResponse,
    responses={200: {"description": "The file, streamed", "content": {"text/csv": {}}}},
)
def export_dataset_file(
    name: str,
    request: Request,
    pool: PoolDep,
    actor: ApiActor,
    format: Literal["csv", "xlsx", "parquet", "geojson"] = "csv",
    encoding: Annotated[Literal["utf-8", "gb18030"], Query(description="CSV only")] = "utf-8",
    version: int | None = None,
    _sort: str = "",
    _select: str = "",
) -> StreamingResponse:
    """The whole version (filters ``column__op=value`` as for rows), masked like the row API."""
    filters = tuple(
        parse_filter(key, value)
        for key, value in request.query_params.multi_items()
        if key not in RESERVED
    )
    export = export_dataset(
        pool,
        actor,
        name,
        version=version,
        fmt=format,
        encoding=encoding,
        filters=filters,
        sort=tuple(s for s in _sort.split(",") if s),
        select=tuple(s for s in _select.split(",") if s),
    )
    headers = {
        "Content-Disposition": content_disposition(export.filename, export.ascii_filename),
        "Content-Length": str(export.chunks.size),
    }
    return StreamingResponse(
        export.chunks,
        media_type=export.media_type,
        headers=headers,
        background=BackgroundTask(export.chunks.close),
    )
