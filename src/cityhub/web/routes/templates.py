"""The base-database templates: ``/api/templates`` (list, show, create a dataset from one)."""

from __future__ import annotations

from fastapi import APIRouter

from cityhub import catalog
from cityhub.catalog import templates
from cityhub.web.basedb_schemas import (
    TemplateDatasetCreate,
    TemplatePublic,
    TemplateSummary,
    template_public,
    template_summary,
)
from cityhub.web.catalog_schemas import DatasetPublic, dataset_public
from cityhub.web.deps import ApiActor, DatabaseDep
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/templates", tags=["templates"], responses=ERROR_RESPONSES)


@router.get("")
def list_templates() -> list[TemplateSummary]:
    """The six base-database templates (人口, 法人, 信用, 宏观经济, 空间地理, 电子证照)."""
    return [template_summary(t) for t in templates.list_templates()]


@router.get("/{key}")
def read_template(key: str) -> TemplatePublic:
    """A template: catalogue defaults, standard columns, standards cited, preset rule set."""
    return template_public(templates.get_template(key))


@router.post("/{key}/datasets", status_code=201)
def create_from_template(
    key: str, body: TemplateDatasetCreate, db: DatabaseDep, actor: ApiActor
) -> DatasetPublic:
    """Create a dataset from the template (stewards: own department; admins: any)."""
    overrides = body.model_dump(exclude={"name", "department", "bases"}, exclude_none=True)
    dataset = templates.create_from_template(
        db, actor, key, body.name, body.department, bases=body.bases, **overrides
    )
    return dataset_public(dataset, catalog.latest_versions(db, [dataset.id]).get(dataset.id))
