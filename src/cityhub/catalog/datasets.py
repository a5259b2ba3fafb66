"""Creating, changing and finding datasets in the catalogue."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields, replace

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission, Role
from cityhub.auth.departments import department_by_code
from cityhub.catalog.access import can_manage, can_see
from cityhub.catalog.ceiling import check_ceiling
from cityhub.catalog.models import Dataset
from cityhub.catalog.vocab import (
    DataCategory,
    OpenType,
    ResourceClass,
    SecurityLevel,
    ShareType,
    UpdateCycle,
)
from cityhub.db import Database, utcnow
from cityhub.errors import Conflict, InvalidInput, NotFound, PermissionDenied

NAME = re.compile(r"[a-z0-9][a-z0-9_-]{1,99}")


@dataclass(frozen=True)
class DatasetSpec:
    """The catalogue fields of a dataset, as a steward fills them in."""

    name: str
    title: str
    department: str  # owner department code
    abstract: str = ""
    resource_code: str | None = None
    category: DataCategory = DataCategory.GOVERNMENT
    resource_class: ResourceClass = ResourceClass.DEPARTMENTAL
    keywords: tuple[str, ...] = ()
    update_cycle: UpdateCycle = UpdateCycle.IRREGULAR
    share_type: ShareType = ShareType.UNCONDITIONAL
    share_conditions: str = ""
    open_type: OpenType = OpenType.CLOSED
    security_level: SecurityLevel = SecurityLevel.INTERNAL
    licence: str = ""
    contact: str = ""


@dataclass(frozen=True)
class DatasetPatch:
    """Fields to change; None keeps the current value. The name and owner never change."""

    title: str | None = None
    abstract: str | None = None
    resource_code: str | None = None
    category: DataCategory | None = None
    resource_class: ResourceClass | None = None
    keywords: tuple[str, ...] | None = None
    update_cycle: UpdateCycle | None = None
    share_type: ShareType | None = None
    share_conditions: str | None = None
    open_type: OpenType | None = None
    security_level: SecurityLevel | None = None
    licence: str | None = None
    contact: str | None = None


def _check(spec: DatasetSpec) -> DatasetSpec:
    name = spec.name.strip().lower()
    if not NAME.fullmatch(name):
        raise InvalidInput(
            "dataset name must be 2-100 characters of a-z, 0-9, '-' and '_', starting with a "
            "letter or digit",
            details={"field": "name", "value": spec.name},
        )
    title = spec.title.strip()
    if not title:
        raise InvalidInput("a dataset needs a title", details={"field": "title"})
    if spec.share_type is ShareType.CONDITIONAL and not spec.share_conditions.strip():
        raise InvalidInput(
            "有条件共享 needs its conditions (共享条件)", details={"field": "share_conditions"}
        )
    keywords = tuple(dict.fromkeys(k.strip() for k in spec.keywords if k.strip()))
    return replace(spec, name=name, title=title, keywords=keywords)


def search_text(dataset: Dataset) -> str:
    """The text a catalogue search looks in: NFKC-normalised and lower-cased."""
    parts = [dataset.name, dataset.title, dataset.abstract, " ".join(dataset.keywords)]
    parts += [dataset.resource_code or "", dataset.department.name_zh]
    parts += [f"{c.name} {c.label}" for c in dataset.columns]
    return unicodedata.normalize("NFKC", " ".join(parts)).lower()


def create_dataset(db: Database, actor: Actor, spec: DatasetSpec) -> Dataset:
    """Register a dataset in the catalogue; stewards for their own department, admins for any."""
    audit.require(db, actor, Permission.DATASETS_PUBLISH, "dataset.create", object_id=spec.name)
    spec = _check(spec)
    if actor.role is not Role.ADMIN and spec.department != actor.department_code:
        raise PermissionDenied(
            "stewards publish datasets of their own department only",
            details={"department": spec.department},
        )
    with db.transaction() as session:
        department = department_by_code(session, spec.department)
        same = [Dataset.name == spec.name]
        if spec.resource_code:
            same.append(Dataset.resource_code == spec.resource_code)
        clash = session.scalar(select(Dataset.name).where(or_(*same)))
        if clash is not None:
            raise Conflict(
                f"a dataset with name {spec.name!r} or resource code {spec.resource_code!r} exists",
                details={"name": spec.name, "resource_code": spec.resource_code},
            )
        values = {f.name: getattr(spec, f.name) for f in fields(spec)}
        values.pop("department")
        values["keywords"] = list(spec.keywords)
        dataset = Dataset(**values, department=department, columns=[])
        dataset.search_text = search_text(dataset)
        session.add(dataset)
        session.flush()
        audit.record(
            session, actor, "dataset.create", object_type="dataset", object_id=dataset.name
        )
    return dataset


def update_dataset(db: Database, actor: Actor, name: str, patch: DatasetPatch) -> Dataset:
    """Change a dataset's catalogue fields; audited with what changed."""
    with db.transaction() as session:
        dataset = dataset_by_name(session, name)
        check_manage(db, actor, dataset, "dataset.update")
        changed: dict[str, object] = {}
        for f in fields(patch):
            value = getattr(patch, f.name)
            if value is None:
                continue
            stored = list(value) if f.name == "keywords" else value
            if getattr(dataset, f.name) != stored:
                changed[f.name] = {"from": getattr(dataset, f.name), "to": stored}
                setattr(dataset, f.name, stored)
        merged = _check(_spec_of(dataset))
        check_ceiling(dataset)  # a dataset made from others is never more open than they are
        dataset.title, dataset.keywords = merged.title, list(merged.keywords)
        dataset.updated_at = utcnow()
        dataset.search_text = search_text(dataset)
        audit.record(
            session,
            actor,
            "dataset.update",
            object_type="dataset",
            object_id=dataset.name,
            details=changed,
        )
    return dataset


def _spec_of(dataset: Dataset) -> DatasetSpec:
    return DatasetSpec(
        name=dataset.name,
        title=dataset.title,
        department=dataset.department.code,
        keywords=tuple(dataset.keywords),
        share_type=ShareType(dataset.share_type),
        share_conditions=dataset.share_conditions,
    )


def check_manage(db: Database, actor: Actor, dataset: Dataset, action: str) -> None:
    """Raise unless the actor may manage the dataset; a refusal is audited as ``action``."""
    if can_manage(actor, dataset):
        return
    audit.deny(db, actor, action, object_type="dataset", object_id=dataset.name)
    actor.require(Permission.DATASETS_PUBLISH)
    raise PermissionDenied(
        "only the owner department's stewards and admins manage this dataset",
        details={"dataset": dataset.name, "department": dataset.department.code},
    )


def dataset_by_name(session: Session, name: str) -> Dataset:
    """The dataset with this name, package id or resource id; NotFound names it."""
    key = name.strip()
    dataset = session.scalar(
        select(Dataset).where(
            or_(Dataset.name == key.lower(), Dataset.uuid == key, Dataset.resource_uuid == key)
        )
    )
    if dataset is None:
        raise NotFound(f"no dataset {name!r}", details={"dataset": name})
    return dataset


def get_dataset(db: Database, actor: Actor, name: str) -> Dataset:
    """A dataset's catalogue entry, if the actor may see it (otherwise NotFound)."""
    with db.reading() as session:
        dataset = dataset_by_name(session, name)
    if not can_see(actor, dataset):
        raise NotFound(f"no dataset {name!r}", details={"dataset": name})
    return dataset


def require_manage(db: Database, actor: Actor, name: str, action: str) -> Dataset:
    """The dataset, if the actor may manage it; a refusal is audited as ``action``."""
    with db.reading() as session:
        dataset = dataset_by_name(session, name)
    check_manage(db, actor, dataset, action)
    return dataset
