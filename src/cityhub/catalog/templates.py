"""Catalogue templates: a dataset created from one of the six base databases.

A dataset made from a template starts with the template's standard columns (labels, types,
personal-data classes) declared before its first upload, so the first ingest casts to the declared
types instead of guessing, and with the template's quality rules and cleaning steps, so the first
ingest is already screened. The data itself comes by the usual ingest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from cityhub import audit
from cityhub.auth import Actor, Permission, Role
from cityhub.auth.departments import department_by_code
from cityhub.catalog.base_databases import TEMPLATES, Template
from cityhub.catalog.datasets import DatasetSpec, check_manage, create_dataset, dataset_by_name
from cityhub.catalog.datasets import search_text as dataset_search_text
from cityhub.catalog.models import Dataset, DatasetColumn
from cityhub.db import Database
from cityhub.errors import InvalidInput, NotFound, PermissionDenied

# The dataset playing each base database's role when a rule refers to it and none is named.
DEFAULT_BASES: dict[str, str] = {
    "legal_entity": "legal-entities",
    "population": "population-sample",
}
# DatasetSpec fields a caller may override; name and department are arguments of their own.
OVERRIDABLE = frozenset(f.name for f in fields(DatasetSpec)) - {"name", "department"}


def list_templates() -> list[Template]:
    """The six base-database templates, in the order of the 6+N resource system."""
    return list(TEMPLATES.values())


def get_template(key: str) -> Template:
    """The template ``key``; NotFound names the known keys."""
    template = TEMPLATES.get(key.strip().lower())
    if template is None:
        raise NotFound(
            f"no template {key!r}; templates: {', '.join(TEMPLATES)}",
            details={"template": key},
        )
    return template


def rule_set(template: Template, bases: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The template's rules and cleaning steps, with references pointed at real datasets.

    ``bases`` maps a base-database key (``legal_entity``) to the dataset playing that role;
    unnamed ones default to ``DEFAULT_BASES``.
    """
    chosen = DEFAULT_BASES | dict(bases or {})
    rules = []
    for rule in template.rules:
        params = dict(rule["params"])
        if "base" in params:
            base = params.pop("base")
            params = {"dataset": chosen[base], **params}
        rules.append(rule | {"params": params})
    return {
        "rules": rules,
        "cleaning": [dict(step, steps=list(step["steps"])) for step in template.cleaning],
    }


def spec_from_template(
    template: Template, name: str, department: str, overrides: Mapping[str, Any]
) -> DatasetSpec:
    """The catalogue fields of a new dataset: the template's defaults, then the overrides."""
    unknown = sorted(set(overrides) - OVERRIDABLE)
    if unknown:
        raise InvalidInput(
            f"cannot override {', '.join(unknown)}; fields: {', '.join(sorted(OVERRIDABLE))}",
            details={"field": unknown[0]},
        )
    spec = DatasetSpec(
        name=name,
        title=template.title,
        department=department,
        abstract=template.abstract,
        resource_class=template.resource_class,
        keywords=template.keywords,
        update_cycle=template.update_cycle,
        share_type=template.share_type,
        share_conditions=template.share_conditions,
        open_type=template.open_type,
        security_level=template.security_level,
    )
    given = {k: v for k, v in overrides.items() if v is not None}
    if "keywords" in given:
        given["keywords"] = tuple(given["keywords"])
    return replace(spec, **given)


def create_from_template(
    db: Database,
    actor: Actor,
    template_key: str,
    name: str,
    department: str,
    *,
    bases: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Dataset:
    """Create a dataset from a base-database template: entry, standard columns, preset rules.

    Stewards create datasets of their own department, admins of any (checked and audited as
    ``dataset.create``). The rule set is checked against the new columns and the base datasets
    it refers to before anything is written, so a bad override or base fails without leaving a
    half-made dataset. ``overrides`` are DatasetSpec fields (title, abstract, share_type …).
    """
    from cityhub import quality  # the quality package builds on the catalogue
    from cityhub.quality.rules import refuse
    from cityhub.quality.rulesets import check_against

    template = get_template(template_key)
    audit.require(db, actor, Permission.DATASETS_PUBLISH, "dataset.create", object_id=name)
    if actor.role is not Role.ADMIN and department != actor.department_code:
        audit.deny(db, actor, "dataset.create", object_type="dataset", object_id=name)
        raise PermissionDenied(
            "stewards publish datasets of their own department only",
            details={"department": department},
        )
    spec = spec_from_template(template, name, department, overrides)
    chosen = rule_set(template, bases)
    rules = quality.parse_ruleset(chosen)
    # The template's columns fit its rules (tests/catalog/test_templates.py); what can still be
    # wrong is a base dataset that is missing or unreadable, so only references are checked here.
    references = [r for r in chosen["rules"] if r["kind"] == "reference"]
    with db.reading() as session:
        draft = Dataset(
            name=spec.name,
            department=department_by_code(session, department),
            columns=_columns(template),
        )
        problems = check_against(session, draft, quality.parse_ruleset({"rules": references}))
    if problems:
        raise refuse(problems)
    created = create_dataset(db, actor, spec)
    _declare_columns(db, actor, created.name, template)
    quality.set_rules(db, actor, created.name, rules)
    with db.reading() as session:
        return dataset_by_name(session, created.name)


def _columns(template: Template) -> list[DatasetColumn]:
    return [
        DatasetColumn(
            name=column.name,
            label=column.label,
            type=column.type.value,
            description=column.description,
            personal=column.personal.value if column.personal else None,
            position=position,
        )
        for position, column in enumerate(template.columns, start=1)
    ]


def _declare_columns(db: Database, actor: Actor, name: str, template: Template) -> None:
    """Give a new, empty dataset the template's columns; audited as ``dataset.columns``."""
    with db.transaction() as session:
        dataset = dataset_by_name(session, name)
        check_manage(db, actor, dataset, "dataset.columns")
        dataset.columns.extend(_columns(template))
        dataset.search_text = dataset_search_text(dataset)
        audit.record(
            session,
            actor,
            "dataset.columns",
            object_type="dataset",
            object_id=dataset.name,
            details={"template": template.key, "columns": [c.name for c in template.columns]},
        )
