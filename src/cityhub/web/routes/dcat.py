"""The catalogue as DCAT 3 JSON-LD: ``/catalog.jsonld`` (Hydra-paged) and one dataset's entry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from cityhub import catalog
from cityhub.catalog import dcat
from cityhub.web.deps import ApiActor, DatabaseDep
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(tags=["catalog"], responses=ERROR_RESPONSES)

PAGE_SIZE = dcat.PAGE_SIZE
MEDIA_TYPE = "application/ld+json"


class JsonLdResponse(JSONResponse):
    """JSON-LD, with Chinese kept as UTF-8."""

    media_type = MEDIA_TYPE


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get(dcat.CATALOG_PATH, response_class=JsonLdResponse)
def read_catalog(
    request: Request,
    db: DatabaseDep,
    actor: ApiActor,
    page: Annotated[int, Query(ge=1)] = 1,
) -> JsonLdResponse:
    """The datasets visible to the caller as a DCAT 3 catalogue, 100 per page (Hydra paging)."""
    query = catalog.SearchQuery(sort="name", rows=PAGE_SIZE, start=(page - 1) * PAGE_SIZE)
    found = catalog.search(db, actor, query)
    latest = catalog.latest_versions(db, [d.id for d in found.datasets])
    entries = [(d, latest.get(d.id)) for d in found.datasets]
    document: dict[str, Any] = dcat.catalog_document(
        entries, base=_base(request), total=found.count, page=page, page_size=PAGE_SIZE
    )
    return JsonLdResponse(document)


@router.get("/api/datasets/{name}/dcat.jsonld", response_class=JsonLdResponse)
def read_dataset_dcat(
    name: str, request: Request, db: DatabaseDep, actor: ApiActor
) -> JsonLdResponse:
    """One catalogue entry as a DCAT 3 dataset in JSON-LD."""
    dataset = catalog.get_dataset(db, actor, name)
    version = catalog.latest_versions(db, [dataset.id]).get(dataset.id)
    return JsonLdResponse(dcat.dataset_document(dataset, version, base=_base(request)))
