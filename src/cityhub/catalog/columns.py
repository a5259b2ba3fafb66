"""Stewards describe columns (信息项): Chinese label, description, type, personal-data class."""

from __future__ import annotations

from dataclasses import dataclass

from cityhub import audit
from cityhub.auth import Actor
from cityhub.catalog.datasets import check_manage, dataset_by_name, search_text
from cityhub.catalog.models import Dataset
from cityhub.catalog.vocab import ColumnType, PersonalKind
from cityhub.db import Database
from cityhub.errors import InvalidInput


@dataclass(frozen=True)
class ColumnChange:
    """Changes to one column; None keeps the current value.

    A new ``type`` applies from the next ingest on: the stored versions keep theirs.
    """

    name: str
    label: str | None = None
    description: str | None = None
    type: ColumnType | None = None
    personal: PersonalKind | None = None
    not_personal: bool = False  # clears the personal-data flag


def describe_columns(
    db: Database, actor: Actor, dataset: str, changes: list[ColumnChange]
) -> Dataset:
    """Apply column changes; stewards of the owner department and admins. Audited."""
    with db.transaction() as session:
        entry = dataset_by_name(session, dataset)
        check_manage(db, actor, entry, "dataset.columns")
        by_name = {c.name: c for c in entry.columns}
        changed: dict[str, dict[str, object]] = {}
        for change in changes:
            column = by_name.get(change.name)
            if column is None:
                raise InvalidInput(
                    f"dataset {entry.name!r} has no column {change.name!r}",
                    details={"column": change.name},
                )
            updates: dict[str, str | None] = {
                "label": change.label,
                "description": change.description,
                "type": change.type.value if change.type else None,
                "personal": change.personal.value if change.personal else None,
            }
            updates = {k: v for k, v in updates.items() if v is not None}
            if change.not_personal:
                updates["personal"] = None
            for field_name, value in updates.items():
                if getattr(column, field_name) != value:
                    changed.setdefault(column.name, {})[field_name] = value
                    setattr(column, field_name, value)
        entry.search_text = search_text(entry)
        audit.record(
            session,
            actor,
            "dataset.columns",
            object_type="dataset",
            object_id=entry.name,
            details=changed,
        )
    return entry
