"""JSON shapes of the base-database templates and thematic groups API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

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
from cityhub.catalog.base_databases import Template
from cityhub.catalog.groups import DatasetGroup, GroupView
from cityhub.catalog.templates import rule_set


class TemplateColumnPublic(BaseModel):
    """A standard column of a template."""

    name: str
    label: str
    type: ColumnType
    description: str
    personal: PersonalKind | None
    standard: str


class TemplateSummary(BaseModel):
    """A base-database template in the list."""

    key: str
    title: str
    title_en: str
    resource_class: ResourceClass
    standards: list[str]
    columns: int = Field(description="How many standard columns.")
    rules: int = Field(description="How many preset quality rules.")


class TemplatePublic(BaseModel):
    """A base-database template: defaults, standard columns and preset rule set."""

    key: str
    title: str
    title_en: str
    resource_class: ResourceClass
    abstract: str
    keywords: list[str]
    update_cycle: UpdateCycle
    share_type: ShareType
    share_conditions: str
    open_type: OpenType
    security_level: SecurityLevel
    standards: list[str]
    columns: list[TemplateColumnPublic]
    rule_set: dict[str, Any] = Field(
        description="Rules and cleaning steps in cityhub.quality's shape, with references "
        "pointed at the default base datasets."
    )


class TemplateDatasetCreate(BaseModel):
    """A dataset to create from a template; omitted catalogue fields take the template's."""

    name: str = Field(description="URL name: a-z, 0-9, '-', '_'.")
    department: str = Field(description="Owner department code, e.g. SCJGJ.")
    title: str | None = None
    abstract: str | None = None
    resource_code: str | None = None
    category: DataCategory | None = None
    keywords: list[str] | None = None
    update_cycle: UpdateCycle | None = None
    share_type: ShareType | None = None
    share_conditions: str | None = None
    open_type: OpenType | None = None
    security_level: SecurityLevel | None = None
    licence: str | None = None
    contact: str | None = None
    bases: dict[str, str] = Field(
        default_factory=dict,
        description="Base database key → the dataset its reference rules check against, "
        'e.g. {"legal_entity": "legal-entities"}.',
    )


class GroupCreate(BaseModel):
    """A new thematic group."""

    name: str = Field(description="URL name: a-z, 0-9, '-'.")
    title: str = Field(description="Chinese title, e.g. 数字经济专题.")
    description: str = ""
    department: str | None = Field(
        default=None, description="Managing department (admins only; default: the caller's)."
    )


class GroupPublic(BaseModel):
    """A thematic group."""

    name: str
    title: str
    description: str
    department: str
    department_name: str
    created_by: str
    created_at: datetime
    dataset_count: int = Field(description="Member datasets the caller may see.")


class GroupDetail(GroupPublic):
    """A thematic group with the member datasets the caller may see."""

    datasets: list[str]


def template_summary(template: Template) -> TemplateSummary:
    """The list shape of a template."""
    return TemplateSummary(
        key=template.key,
        title=template.title,
        title_en=template.title_en,
        resource_class=template.resource_class,
        standards=list(template.standards),
        columns=len(template.columns),
        rules=len(template.rules),
    )


def template_public(template: Template) -> TemplatePublic:
    """The full shape of a template."""
    return TemplatePublic(
        key=template.key,
        title=template.title,
        title_en=template.title_en,
        resource_class=template.resource_class,
        abstract=template.abstract,
        keywords=list(template.keywords),
        update_cycle=template.update_cycle,
        share_type=template.share_type,
        share_conditions=template.share_conditions,
        open_type=template.open_type,
        security_level=template.security_level,
        standards=list(template.standards),
        columns=[
            TemplateColumnPublic(
                name=c.name,
                label=c.label,
                type=c.type,
                description=c.description,
                personal=c.personal,
                standard=c.standard,
            )
            for c in template.columns
        ],
        rule_set=rule_set(template),
    )


def group_public(group: DatasetGroup, count: int) -> GroupPublic:
    """The API shape of a group."""
    return GroupPublic(
        name=group.name,
        title=group.title,
        description=group.description,
        department=group.department.code,
        department_name=group.department.name_zh,
        created_by=group.created_by,
        created_at=group.created_at,
        dataset_count=count,
    )


def group_detail(view: GroupView) -> GroupDetail:
    """The API shape of a group with its visible datasets' names."""
    summary = group_public(view.group, len(view.datasets))
    return GroupDetail(**summary.model_dump(), datasets=[d.name for d in view.datasets])
