"""Sharing grants: which departments may read a 有条件共享 dataset.

The request → approval workflow comes later; for now admins grant and revoke directly, and both
are audited as permission changes.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.auth.departments import department_by_code
from cityhub.auth.models import Department
from cityhub.catalog.datasets import dataset_by_name
from cityhub.catalog.models import SharingGrant
from cityhub.db import Database


def granted_departments(session: Session, dataset_id: int) -> frozenset[str]:
    """Codes of the departments holding a grant on the dataset."""
    query = (
        select(Department.code)
        .join(SharingGrant, SharingGrant.department_id == Department.id)
        .where(SharingGrant.dataset_id == dataset_id)
    )
    return frozenset(session.scalars(query))


def granted_to(session: Session, department_code: str | None) -> frozenset[int]:
    """Ids of the datasets on which ``department_code`` holds a grant."""
    if department_code is None:
        return frozenset()
    query = (
        select(SharingGrant.dataset_id)
        .join(Department, SharingGrant.department_id == Department.id)
        .where(Department.code == department_code)
    )
    return frozenset(session.scalars(query))


def grant(db: Database, actor: Actor, dataset_name: str, department: str, note: str = "") -> None:
    """Let ``department`` read the dataset; granting twice is harmless."""
    audit.require(db, actor, Permission.GRANTS_MANAGE, "grant.create", object_id=dataset_name)
    with db.transaction() as session:
        dataset = dataset_by_name(session, dataset_name)
        target = department_by_code(session, department)
        if target.code in granted_departments(session, dataset.id):
            return
        session.add(
            SharingGrant(
                dataset_id=dataset.id, department=target, granted_by=actor.username, note=note
            )
        )
        audit.record(
            session,
            actor,
            "grant.create",
            object_type="dataset",
            object_id=dataset.name,
            details={"department": target.code, "note": note},
        )


def revoke(db: Database, actor: Actor, dataset_name: str, department: str) -> None:
    """Withdraw ``department``'s grant on the dataset."""
    audit.require(db, actor, Permission.GRANTS_MANAGE, "grant.revoke", object_id=dataset_name)
    with db.transaction() as session:
        dataset = dataset_by_name(session, dataset_name)
        target = department_by_code(session, department)
        session.execute(
            delete(SharingGrant).where(
                SharingGrant.dataset_id == dataset.id, SharingGrant.department_id == target.id
            )
        )
        audit.record(
            session,
            actor,
            "grant.revoke",
            object_type="dataset",
            object_id=dataset.name,
            details={"department": target.code},
        )
