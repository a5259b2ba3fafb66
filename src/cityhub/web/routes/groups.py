"""Thematic groups (主题库): ``/api/groups`` (list, create, show, add and remove datasets)."""

from __future__ import annotations

from fastapi import APIRouter

from cityhub.catalog import groups
from cityhub.web.basedb_schemas import (
    GroupCreate,
    GroupDetail,
    GroupPublic,
    group_detail,
    group_public,
)
from cityhub.web.deps import ApiActor, DatabaseDep
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/groups", tags=["groups"], responses=ERROR_RESPONSES)


@router.get("")
def list_groups(db: DatabaseDep, actor: ApiActor) -> list[GroupPublic]:
    """Every thematic group, with how many of its datasets the caller may see."""
    return [group_public(g, n) for g, n in groups.list_groups(db, actor)]


@router.post("", status_code=201)
def create_group(body: GroupCreate, db: DatabaseDep, actor: ApiActor) -> GroupPublic:
    """Create a group managed by the caller's department (stewards, admins)."""
    spec = groups.GroupSpec(body.name, body.title, body.description, body.department)
    return group_public(groups.create_group(db, actor, spec), 0)


@router.get("/{name}")
def read_group(name: str, db: DatabaseDep, actor: ApiActor) -> GroupDetail:
    """A group and the names of its datasets the caller may see."""
    return group_detail(groups.get_group(db, actor, name))


@router.put("/{name}/datasets/{dataset}", status_code=204)
def add_dataset(name: str, dataset: str, db: DatabaseDep, actor: ApiActor) -> None:
    """Put a dataset of any department in the group (the group's department's stewards, admins)."""
    groups.add_dataset(db, actor, name, dataset)


@router.delete("/{name}/datasets/{dataset}", status_code=204)
def remove_dataset(name: str, dataset: str, db: DatabaseDep, actor: ApiActor) -> None:
    """Take a dataset out of the group (the group's department's stewards, admins)."""
    groups.remove_dataset(db, actor, name, dataset)
