"""JSON shapes of the derived-dataset API: definitions, refreshes and lineage graphs."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from cityhub import derived
from cityhub.catalog import (
    DataCategory,
    OpenType,
    ResourceClass,
    SecurityLevel,
    ShareType,
    UpdateCycle,
)
from cityhub.derived import Schedule


class DerivedCreate(BaseModel):
    """A new derived dataset: catalogue fields, the query and its schedule."""

    name: str = Field(description="URL name: a-z, 0-9, '-', '_'.")
    title: str = Field(description="Chinese title (信息资源名称).")
    sql: str = Field(description="One SELECT over datasets the department may read.")
    schedule: Schedule = Schedule.MANUAL
    abstract: str = ""
    department: str | None = Field(
        default=None, description="Owner department code; default: the caller's department."
    )
    resource_code: str | None = None
    category: DataCategory = DataCategory.GOVERNMENT
    resource_class: ResourceClass = ResourceClass.THEMATIC
    keywords: list[str] = []
    update_cycle: UpdateCycle | None = Field(
        default=None, description="更新周期; default: what the schedule promises."
    )
    share_type: ShareType | None = Field(
        default=None, description="Default: the most open type the sources allow."
    )
    share_conditions: str = ""
    open_type: OpenType | None = Field(
        default=None, description="Default: the most open type the sources allow."
    )
    security_level: SecurityLevel | None = Field(
        default=None, description="Default: the highest level among the sources."
    )
    licence: str = ""
    contact: str = ""

    def spec(self) -> derived.DerivedSpec:
        """The domain's form of this request."""
        return derived.DerivedSpec(**self.model_dump() | {"keywords": tuple(self.keywords)})


class DerivedUpdate(BaseModel):
    """Changes to a definition; omitted fields stay. A new query applies from the next refresh."""

    sql: str | None = None
    schedule: Schedule | None = None


class SourceVersion(BaseModel):
    """A source dataset at the version a derived version was made from."""

    dataset: str
    version: int


class DerivedPublic(BaseModel):
    """A derived dataset's definition and state."""

    dataset: str
    title: str
    department: str
    sql: str
    schedule: Schedule
    defined_by: str
    created_at: datetime
    updated_at: datetime
    last_refreshed_at: datetime | None
    next_due_at: datetime | None
    last_error: str | None = Field(description="Why the last refresh failed; null if it worked.")
    version: int | None = Field(description="The newest version; null before the first refresh.")
    share_type: ShareType


class RefreshPublic(BaseModel):
    """The version a refresh made."""

    dataset: str
    version: int
    rows: int
    sources: list[SourceVersion]


class LineageNodePublic(BaseModel):
    """A dataset in a lineage graph, with its newest version."""

    name: str
    title: str
    department: str
    department_name: str
    version: int | None
    derived: bool
    role: str = Field(description="self, upstream or downstream.")


class LineageEdgePublic(BaseModel):
    """Version ``source_version`` of ``source`` made version ``target_version`` of ``target``."""

    source: str
    target: str
    source_version: int
    target_version: int


class LineagePublic(BaseModel):
    """The lineage graph around one dataset."""

    dataset: str
    nodes: list[LineageNodePublic]
    edges: list[LineageEdgePublic]


def derived_public(definition: derived.DerivedDefinition, version: int | None) -> DerivedPublic:
    """The API shape of a definition."""
    return DerivedPublic(
        dataset=definition.dataset.name,
        title=definition.dataset.title,
        department=definition.department.code,
        sql=definition.sql,
        schedule=Schedule(definition.schedule),
        defined_by=definition.defined_by,
        created_at=definition.created_at,
        updated_at=definition.updated_at,
        last_refreshed_at=definition.last_refreshed_at,
        next_due_at=definition.next_due_at,
        last_error=definition.last_error,
        version=version,
        share_type=ShareType(definition.dataset.share_type),
    )


def lineage_public(graph: derived.Lineage) -> LineagePublic:
    """The API shape of a lineage graph."""
    return LineagePublic(
        dataset=graph.dataset,
        nodes=[
            LineageNodePublic(
                name=n.name,
                title=n.title,
                department=n.department,
                department_name=n.department_name,
                version=n.version,
                derived=n.derived,
                role=n.role,
            )
            for n in graph.nodes
        ],
        edges=[
            LineageEdgePublic(
                source=e.source,
                target=e.target,
                source_version=e.source_version,
                target_version=e.target_version,
            )
            for e in graph.edges
        ],
    )
