"""What the platform holds, in figures, for the home page and the CLI."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from cityhub import audit, auth, catalog
from cityhub.db import Database


@dataclass(frozen=True)
class Holdings:
    """Counts of what the platform holds; each module adds its own figures here as it lands."""

    departments: int
    departments_by_kind: dict[str, int]
    users: int
    audit_events: int
    datasets: int


def holdings(db: Database) -> Holdings:
    """The current figures; public, as they reveal nothing about any one record."""
    departments = auth.list_departments(db, auth.Actor.public())
    by_kind = Counter(d.kind for d in departments)
    return Holdings(
        departments=len(departments),
        departments_by_kind={
            kind.value: by_kind.get(kind.value, 0) for kind in auth.DepartmentKind
        },
        users=auth.count_users(db),
        audit_events=audit.count_events(db),
        datasets=catalog.count_datasets(db),
    )
