"""Sharing grants: which departments may read a 有条件共享 dataset, which columns, until when.

A department holds at most one grant per dataset. Grants come from an approved sharing request
(``cityhub.sharing``, which calls ``set_grant`` inside its own transaction) or from an admin
directly (``grant``/``revoke``, audited as permission changes). A grant may be limited to some
columns (``columns`` None: all) and to a period (``expires_at`` None: no end). Expired grants are
kept as records but every read ignores them: the comparison with the clock happens at read time,
so a grant ends at its exact moment without any scheduled job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.auth.departments import department_by_code
from cityhub.auth.models import Department
from cityhub.catalog.datasets import dataset_by_name
from cityhub.catalog.models import Dataset, SharingGrant
from cityhub.db import Database, utcnow
from cityhub.errors import InvalidInput

GrantedColumns = tuple[str, ...] | None  # None: every column


def _active(now: datetime | None) -> ColumnElement[bool]:
    moment = now or utcnow()
    return or_(SharingGrant.expires_at.is_(None), SharingGrant.expires_at > moment)


def granted_departments(
    session: Session, dataset_id: int, now: datetime | None = None
) -> frozenset[str]:
    """Codes of the departments holding an unexpired grant on the dataset."""
    query = (
        select(Department.code)
        .join(SharingGrant, SharingGrant.department_id == Department.id)
        .where(SharingGrant.dataset_id == dataset_id, _active(now))
    )
    return frozenset(session.scalars(query))


def granted_columns(
    session: Session, department_code: str | None, now: datetime | None = None
) -> dict[int, GrantedColumns]:
    """The datasets on which ``department_code`` holds an unexpired grant, and its columns."""
    if department_code is None:
        return {}
    query = (
        select(SharingGrant.dataset_id, SharingGrant.columns)
        .join(Department, SharingGrant.department_id == Department.id)
        .where(Department.code == department_code, _active(now))
    )
    return {
        dataset_id: None if columns is None else tuple(columns)
        for dataset_id, columns in session.execute(query)
    }


def granted_to(
    session: Session, department_code: str | None, now: datetime | None = None
) -> frozenset[int]:
    """Ids of the datasets on which ``department_code`` holds an unexpired grant."""
    return frozenset(granted_columns(session, department_code, now))


def grant_of(
    session: Session, dataset_id: int, department_code: str | None, now: datetime | None = None
) -> SharingGrant | None:
    """The department's unexpired grant on the dataset, if it holds one."""
    if department_code is None:
        return None
    query = (
        select(SharingGrant)
        .join(Department, SharingGrant.department_id == Department.id)
        .where(
            SharingGrant.dataset_id == dataset_id,
            Department.code == department_code,
            _active(now),
        )
    )
    return session.scalar(query)


def set_grant(
    session: Session,
    actor: Actor,
    dataset: Dataset,
    department: Department,
    *,
    columns: Sequence[str] | None,
    expires_at: datetime | None,
    request_id: int | None = None,
    note: str = "",
) -> SharingGrant:
    """Create or replace the department's grant on the dataset, in the caller's transaction.

    The caller checks permission and writes the audit row (it knows why the grant is made).
    """
    found = session.scalar(
        select(SharingGrant).where(
            SharingGrant.dataset_id == dataset.id, SharingGrant.department_id == department.id
        )
    )
    if found is None:
        found = SharingGrant(dataset_id=dataset.id, department_id=department.id)
        session.add(found)
    found.columns = None if columns is None else list(columns)
    found.expires_at = expires_at
    found.request_id = request_id
    found.granted_by = actor.username
    found.granted_at = utcnow()
    found.note = note
    session.flush()
    return found


def grant(
    db: Database,
    actor: Actor,
    dataset_name: str,
    department: str,
    note: str = "",
    *,
    expires_at: datetime | None = None,
) -> None:
    """Let ``department`` read every column of the dataset, until ``expires_at`` if given.

    Granting what is already granted is harmless; a grant limited to some columns or ending at
    another time is replaced.
    """
    audit.require(db, actor, Permission.GRANTS_MANAGE, "grant.create", object_id=dataset_name)
    if expires_at is not None and (expires_at.tzinfo is None or expires_at <= utcnow()):
        raise InvalidInput(
            "expires_at must be a future time with a time zone",
            details={"field": "expires_at", "value": expires_at.isoformat()},
        )
    with db.transaction() as session:
        dataset = dataset_by_name(session, dataset_name)
        target = department_by_code(session, department)
        held = grant_of(session, dataset.id, target.code)
        if held is not None and held.columns is None and held.expires_at == expires_at:
            return
        set_grant(session, actor, dataset, target, columns=None, expires_at=expires_at, note=note)
        audit.record(
            session,
            actor,
            "grant.create",
            object_type="dataset",
            object_id=dataset.name,
            details={
                "department": target.code,
                "note": note,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
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
