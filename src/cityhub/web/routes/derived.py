"""The derived-dataset API: ``/api/derived`` (define, list, change, refresh) and lineage."""

from __future__ import annotations

from fastapi import APIRouter

from cityhub import catalog, derived
from cityhub.web.deps import ApiActor, DatabaseDep, PoolDep
from cityhub.web.derived_schemas import (
    DerivedCreate,
    DerivedPublic,
    DerivedUpdate,
    LineagePublic,
    RefreshPublic,
    SourceVersion,
    derived_public,
    lineage_public,
)
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api", tags=["derived"], responses=ERROR_RESPONSES)


def _public(db: DatabaseDep, definition: derived.DerivedDefinition) -> DerivedPublic:
    newest = catalog.latest_versions(db, [definition.dataset_id]).get(definition.dataset_id)
    return derived_public(definition, newest.number if newest else None)


@router.post("/derived", status_code=201)
def define_derived(
    body: DerivedCreate, db: DatabaseDep, pool: PoolDep, actor: ApiActor
) -> DerivedPublic:
    """Define a derived dataset and materialise version 1 (stewards: own department; admins)."""
    return _public(db, derived.define(db, actor, pool, body.spec()))


@router.get("/derived")
def read_derived_list(db: DatabaseDep, actor: ApiActor) -> list[DerivedPublic]:
    """Every derived dataset's definition and state (logged-in users)."""
    definitions = derived.list_definitions(db, actor)
    newest = catalog.latest_versions(db, [d.dataset_id for d in definitions])
    return [
        derived_public(d, newest[d.dataset_id].number if d.dataset_id in newest else None)
        for d in definitions
    ]


@router.get("/derived/{name}")
def read_derived(name: str, db: DatabaseDep, actor: ApiActor) -> DerivedPublic:
    """One definition (logged-in users)."""
    return _public(db, derived.get_definition(db, actor, name))


@router.patch("/derived/{name}")
def update_derived(
    name: str, body: DerivedUpdate, db: DatabaseDep, pool: PoolDep, actor: ApiActor
) -> DerivedPublic:
    """Change the query (checked again) or the schedule (owner department's stewards, admins)."""
    patch = derived.DerivedPatch(sql=body.sql, schedule=body.schedule)
    return _public(db, derived.update_definition(db, actor, pool, name, patch))


@router.post("/derived/{name}/refresh")
def refresh_derived(name: str, db: DatabaseDep, pool: PoolDep, actor: ApiActor) -> RefreshPublic:
    """Run the query over the newest source versions now, as the owner department."""
    done = derived.refresh(db, actor, pool, name)
    return RefreshPublic(
        dataset=done.dataset,
        version=done.version,
        rows=done.rows,
        sources=[SourceVersion(dataset=n, version=v) for n, v in done.sources],
    )


@router.get("/datasets/{name}/lineage")
def read_lineage(name: str, db: DatabaseDep, actor: ApiActor) -> LineagePublic:
    """Where a dataset comes from and what is made from it, with version numbers."""
    return lineage_public(derived.lineage(db, actor, name))
