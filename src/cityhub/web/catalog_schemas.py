"""JSON shapes of the catalogue and pool API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from cityhub import catalog
from cityhub.catalog import (
    ColumnType,
    DataCategory,
    OpenType,
    PersonalKind,
    ResourceClass,
    SecurityLevel,
    ShareType,
    UpdateCycle,
)
from cityhub.db import utcnow


class ColumnPublic(BaseModel):
    """A column (信息项)."""

    name: str
    label: str
    type: ColumnType
    description: str
    personal: PersonalKind | None


class VersionPublic(BaseModel):
    """A version of a dataset."""

    number: int
    mode: str
    source_name: str
    source_format: str
    source_encoding: str | None
    source_bytes: int
    rows_added: int
    row_count: int
    created_by: str
    created_at: datetime
    columns: list[dict[str, Any]]
    notes: list[str]


class DatasetBase(BaseModel):
    """Catalogue fields a steward edits."""

    title: str = Field(description="Chinese title (信息资源名称).")
    abstract: str = Field(default="", description="信息资源摘要.")
    resource_code: str | None = Field(default=None, description="信息资源代码.")
    category: DataCategory = DataCategory.GOVERNMENT
    resource_class: ResourceClass = ResourceClass.DEPARTMENTAL
    keywords: list[str] = []
    update_cycle: UpdateCycle = UpdateCycle.IRREGULAR
    share_type: ShareType = ShareType.UNCONDITIONAL
    share_conditions: str = ""
    open_type: OpenType = OpenType.CLOSED
    security_level: SecurityLevel = SecurityLevel.INTERNAL
    licence: str = ""
    contact: str = ""


class DatasetCreate(DatasetBase):
    """A new catalogue entry."""

    name: str = Field(description="URL name: a-z, 0-9, '-', '_'.")
    department: str = Field(description="Owner department code, e.g. SCJGJ.")


class DatasetUpdate(BaseModel):
    """Changes to a catalogue entry; omitted fields stay."""

    title: str | None = None
    abstract: str | None = None
    resource_code: str | None = None
    category: DataCategory | None = None
    resource_class: ResourceClass | None = None
    keywords: list[str] | None = None
    update_cycle: UpdateCycle | None = None
    share_type: ShareType | None = None
    share_conditions: str | None = None
    open_type: OpenType | None = None
    security_level: SecurityLevel | None = None
    licence: str | None = None
    contact: str | None = None


class DatasetPublic(DatasetBase):
    """A catalogue entry with its columns and newest version."""

    name: str
    id: str = Field(description="Package id (UUID), as CKAN clients use it.")
    resource_id: str = Field(description="Resource id (UUID) of the dataset's table.")
    department: str
    department_name: str
    columns: list[ColumnPublic]
    created_at: datetime
    updated_at: datetime
    latest_version: VersionPublic | None
    on_time: bool | None = Field(
        description="更新及时: updated within its cycle (None: irregular)."
    )


class DatasetsPublic(BaseModel):
    """A search result page with facet counts."""

    count: int
    data: list[DatasetPublic]
    facets: dict[str, dict[str, int]]


class ColumnUpdate(BaseModel):
    """Changes to one column."""

    name: str
    label: str | None = None
    description: str | None = None
    type: ColumnType | None = None
    personal: PersonalKind | None = None
    not_personal: bool = False


class RowsPublic(BaseModel):
    """A page of rows."""

    dataset: str
    version: int
    columns: list[str]
    rows: list[list[Any]]
    total: int
    limit: int
    offset: int
    masked: bool = Field(description="Personal columns are masked for the caller.")


class SqlRequest(BaseModel):
    """One SELECT over datasets named by their names."""

    sql: str


class SqlResult(BaseModel):
    """Result of the SQL API."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool


class GrantCreate(BaseModel):
    """A grant of a 有条件共享 dataset (every column) to a department, maybe until a time."""

    department: str
    note: str = ""
    expires_at: datetime | None = Field(
        default=None, description="When the grant ends (ISO 8601 with a zone); empty: no end."
    )


def version_public(version: catalog.DatasetVersion) -> VersionPublic:
    """The API shape of a version."""
    return VersionPublic(
        number=version.number,
        mode=version.mode,
        source_name=version.source_name,
        source_format=version.source_format,
        source_encoding=version.source_encoding,
        source_bytes=version.source_bytes,
        rows_added=version.rows_added,
        row_count=version.row_count,
        created_by=version.created_by,
        created_at=version.created_at,
        columns=version.schema,
        notes=version.notes,
    )


def dataset_public(
    dataset: catalog.Dataset, latest: catalog.DatasetVersion | None
) -> DatasetPublic:
    """The API shape of a catalogue entry."""
    state = catalog.timeliness(
        dataset.update_cycle, latest.created_at if latest else None, utcnow()
    )
    return DatasetPublic(
        name=dataset.name,
        id=dataset.uuid,
        resource_id=dataset.resource_uuid,
        title=dataset.title,
        abstract=dataset.abstract,
        resource_code=dataset.resource_code,
        category=DataCategory(dataset.category),
        resource_class=ResourceClass(dataset.resource_class),
        keywords=dataset.keywords,
        update_cycle=UpdateCycle(dataset.update_cycle),
        share_type=ShareType(dataset.share_type),
        share_conditions=dataset.share_conditions,
        open_type=OpenType(dataset.open_type),
        security_level=SecurityLevel(dataset.security_level),
        licence=dataset.licence,
        contact=dataset.contact,
        department=dataset.department.code,
        department_name=dataset.department.name_zh,
        columns=[
            ColumnPublic(
                name=c.name,
                label=c.label,
                type=ColumnType(c.type),
                description=c.description,
                personal=PersonalKind(c.personal) if c.personal else None,
            )
            for c in dataset.columns
        ],
        created_at=dataset.created_at,
        updated_at=dataset.updated_at,
        latest_version=version_public(latest) if latest else None,
        on_time=state.on_time,
    )
