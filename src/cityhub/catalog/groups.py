"""Thematic groups (主题库, the "N" of 6+N): named views over the catalogue that stewards curate.

A group is created by a steward (or an admin) and belongs to the creator's department, whose
stewards manage it: they add and remove datasets of any department. A group grants nothing: it is
only a way to find datasets, so its members are listed to each caller filtered by ``can_see``, and
reading a member's rows follows the member's own sharing rules. Group names share the CKAN group
namespace with the resource classes of the six base databases, so those names are reserved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from cityhub import audit
from cityhub.auth import Actor, Permission, Role
from cityhub.auth.departments import department_by_code
from cityhub.auth.models import Department
from cityhub.catalog.access import can_see
from cityhub.catalog.datasets import dataset_by_name
from cityhub.catalog.models import Dataset
from cityhub.catalog.vocab import ResourceClass
from cityhub.db import Database
from cityhub.db.base import Base, UTCDateTime, utcnow
from cityhub.errors import Conflict, InvalidInput, NotFound, PermissionDenied

NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,99}")
RESERVED = frozenset(c.value for c in ResourceClass)


class DatasetGroup(Base):
    """A thematic group of datasets, managed by one department."""

    __tablename__ = "dataset_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")


class DatasetGroupMember(Base):
    """A dataset's membership of a group."""

    __tablename__ = "dataset_group_members"
    __table_args__ = (UniqueConstraint("group_id", "dataset_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("dataset_groups.id"), index=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class GroupSpec:
    """A new group; ``department`` defaults to the creator's (admins may name another)."""

    name: str
    title: str
    description: str = ""
    department: str | None = None


@dataclass(frozen=True)
class GroupView:
    """A group with the member datasets the caller may see, by name."""

    group: DatasetGroup
    datasets: list[Dataset]


def _checked(spec: GroupSpec) -> GroupSpec:
    name = spec.name.strip().lower()
    if not NAME.fullmatch(name):
        raise InvalidInput(
            "group name must be 2-100 characters of a-z, 0-9 and '-', starting with a letter or "
            "digit",
            details={"field": "name", "value": spec.name},
        )
    if name in RESERVED:
        raise InvalidInput(
            f"{name!r} names a resource class of the 6+N system; choose another group name",
            details={"field": "name", "value": spec.name},
        )
    title = spec.title.strip()
    if not title:
        raise InvalidInput("a group needs a title", details={"field": "title"})
    return GroupSpec(name, title, spec.description.strip(), spec.department)


def can_manage_group(actor: Actor, group: DatasetGroup) -> bool:
    """Admins, and stewards of the group's department."""
    if actor.role is Role.ADMIN:
        return True
    return (
        actor.can(Permission.DATASETS_PUBLISH)
        and actor.department_code is not None
        and actor.department_code == group.department.code
    )


def create_group(db: Database, actor: Actor, spec: GroupSpec) -> DatasetGroup:
    """Create a group managed by the creator's department; stewards and admins. Audited."""
    audit.require(db, actor, Permission.DATASETS_PUBLISH, "group.create", object_id=spec.name)
    spec = _checked(spec)
    code = spec.department or actor.department_code
    if code is None:
        raise InvalidInput(
            "name the department that manages the group", details={"field": "department"}
        )
    if actor.role is not Role.ADMIN and code != actor.department_code:
        audit.deny(db, actor, "group.create", object_type="group", object_id=spec.name)
        raise PermissionDenied(
            "stewards create groups of their own department only", details={"department": code}
        )
    with db.transaction() as session:
        department = department_by_code(session, code)
        if session.scalar(select(DatasetGroup.id).where(DatasetGroup.name == spec.name)):
            raise Conflict(f"a group named {spec.name!r} exists", details={"name": spec.name})
        group = DatasetGroup(
            name=spec.name,
            title=spec.title,
            description=spec.description,
            department=department,
            created_by=actor.username,
        )
        session.add(group)
        session.flush()
        audit.record(
            session,
            actor,
            "group.create",
            object_type="group",
            object_id=group.name,
            details={"title": group.title, "department": code},
        )
    return group


def group_by_name(session: Session, name: str) -> DatasetGroup:
    """The group with this name (or CKAN id ``group-<name>``); NotFound names it."""
    key = name.strip().lower().removeprefix("group-")
    group = session.scalar(select(DatasetGroup).where(DatasetGroup.name == key))
    if group is None:
        raise NotFound(f"no group {name!r}", details={"group": name})
    return group


def _members(session: Session, group_id: int) -> list[Dataset]:
    query = (
        select(Dataset)
        .join(DatasetGroupMember, DatasetGroupMember.dataset_id == Dataset.id)
        .where(DatasetGroupMember.group_id == group_id)
        .order_by(Dataset.name)
    )
    return list(session.scalars(query))


def list_groups(db: Database, actor: Actor) -> list[tuple[DatasetGroup, int]]:
    """Every group, by name, with how many of its datasets the caller may see."""
    with db.reading() as session:
        groups = list(session.scalars(select(DatasetGroup).order_by(DatasetGroup.name)))
        pairs = session.execute(
            select(DatasetGroupMember.group_id, Dataset).join(
                Dataset, DatasetGroupMember.dataset_id == Dataset.id
            )
        ).all()
    counts: dict[int, int] = {}
    for group_id, dataset in pairs:
        if can_see(actor, dataset):
            counts[group_id] = counts.get(group_id, 0) + 1
    return [(g, counts.get(g.id, 0)) for g in groups]


def get_group(db: Database, actor: Actor, name: str) -> GroupView:
    """A group and the member datasets the caller may see."""
    with db.reading() as session:
        group = group_by_name(session, name)
        members = _members(session, group.id)
    return GroupView(group, [d for d in members if can_see(actor, d)])


def _managed(db: Database, actor: Actor, session: Session, name: str, action: str) -> DatasetGroup:
    group = group_by_name(session, name)
    if not can_manage_group(actor, group):
        audit.deny(db, actor, action, object_type="group", object_id=group.name)
        actor.require(Permission.DATASETS_PUBLISH)
        raise PermissionDenied(
            "only the group's department's stewards and admins change its datasets",
            details={"group": group.name, "department": group.department.code},
        )
    return group


def _visible_dataset(actor: Actor, session: Session, name: str) -> Dataset:
    dataset = dataset_by_name(session, name)
    if not can_see(actor, dataset):
        raise NotFound(f"no dataset {name!r}", details={"dataset": name})
    return dataset


def add_dataset(db: Database, actor: Actor, group_name: str, dataset_name: str) -> bool:
    """Put a dataset (of any department) in the group; False if it was there. Audited."""
    with db.transaction() as session:
        group = _managed(db, actor, session, group_name, "group.add")
        dataset = _visible_dataset(actor, session, dataset_name)
        present = session.scalar(
            select(DatasetGroupMember.id).where(
                DatasetGroupMember.group_id == group.id, DatasetGroupMember.dataset_id == dataset.id
            )
        )
        if present is not None:
            return False
        session.add(
            DatasetGroupMember(group_id=group.id, dataset_id=dataset.id, added_by=actor.username)
        )
        audit.record(
            session,
            actor,
            "group.add",
            object_type="group",
            object_id=group.name,
            details={"dataset": dataset.name},
        )
    return True


def remove_dataset(db: Database, actor: Actor, group_name: str, dataset_name: str) -> None:
    """Take a dataset out of the group; NotFound when it is not a member. Audited."""
    with db.transaction() as session:
        group = _managed(db, actor, session, group_name, "group.remove")
        dataset = _visible_dataset(actor, session, dataset_name)
        member = session.scalar(
            select(DatasetGroupMember).where(
                DatasetGroupMember.group_id == group.id, DatasetGroupMember.dataset_id == dataset.id
            )
        )
        if member is None:
            raise NotFound(
                f"dataset {dataset.name!r} is not in group {group.name!r}",
                details={"group": group.name, "dataset": dataset.name},
            )
        session.delete(member)
        audit.record(
            session,
            actor,
            "group.remove",
            object_type="group",
            object_id=group.name,
            details={"dataset": dataset.name},
        )


def memberships(db: Database, dataset_ids: Iterable[int]) -> dict[int, list[DatasetGroup]]:
    """The groups of each dataset (those in none left out), groups by name."""
    ids = list(dataset_ids)
    if not ids:
        return {}
    query = (
        select(DatasetGroupMember.dataset_id, DatasetGroup)
        .join(DatasetGroup, DatasetGroupMember.group_id == DatasetGroup.id)
        .where(DatasetGroupMember.dataset_id.in_(ids))
        .order_by(DatasetGroup.name)
    )
    found: dict[int, list[DatasetGroup]] = {}
    with db.reading() as session:
        for dataset_id, group in session.execute(query):
            found.setdefault(dataset_id, []).append(group)
    return found


def group_names(db: Database) -> frozenset[str]:
    """The names of all groups."""
    with db.reading() as session:
        return frozenset(session.scalars(select(DatasetGroup.name)))


def count_groups(db: Database) -> int:
    """How many groups the catalogue has."""
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(DatasetGroup)) or 0)
