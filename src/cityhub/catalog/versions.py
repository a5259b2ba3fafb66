"""Dataset versions in the catalogue: recording an ingest, listing, choosing one to read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor
from cityhub.catalog.access import can_read, can_see, readable_columns
from cityhub.catalog.datasets import get_dataset, search_text
from cityhub.catalog.grants import granted_columns
from cityhub.catalog.models import Dataset, DatasetColumn, DatasetVersion
from cityhub.db import Database, utcnow
from cityhub.errors import NotFound


@dataclass(frozen=True)
class ColumnInfo:
    """A column as an ingest found it."""

    name: str
    label: str
    type: str


@dataclass(frozen=True)
class VersionRecord:
    """What an ingest produced, to be recorded as the dataset's next version."""

    snapshot_id: int
    mode: str
    source_name: str
    source_format: str
    source_encoding: str | None
    source_bytes: int
    rows_added: int
    row_count: int
    columns: list[ColumnInfo]
    notes: list[str] = field(default_factory=list)


AlsoRecord = Callable[[Session, DatasetVersion], None]


def record_version(
    db: Database,
    actor: Actor,
    dataset_id: int,
    record: VersionRecord,
    *,
    also: AlsoRecord | None = None,
) -> DatasetVersion:
    """Make an ingested snapshot the dataset's newest version, and bring its columns up to date.

    Columns keep the labels, descriptions and personal-data flags stewards gave them; new columns
    are appended. Readers only ever see snapshots recorded here, so an ingest killed before this
    commit leaves nothing visible. ``also`` writes what belongs to the version (its quality
    report and quarantined rows, its lineage) in the same transaction, so both land or neither.
    """
    with db.transaction() as session:
        dataset = session.get(Dataset, dataset_id)
        assert dataset is not None
        number = (
            session.scalar(
                select(func.max(DatasetVersion.number)).where(
                    DatasetVersion.dataset_id == dataset_id
                )
            )
            or 0
        ) + 1
        _merge_columns(dataset, record.columns)
        version = DatasetVersion(
            dataset_id=dataset_id,
            number=number,
            snapshot_id=record.snapshot_id,
            mode=record.mode,
            source_name=record.source_name,
            source_format=record.source_format,
            source_encoding=record.source_encoding,
            source_bytes=record.source_bytes,
            rows_added=record.rows_added,
            row_count=record.row_count,
            schema=[{"name": c.name, "label": c.label, "type": c.type} for c in record.columns],
            notes=record.notes,
            created_by=actor.username,
        )
        session.add(version)
        session.flush()
        if also is not None:
            also(session, version)
        dataset.updated_at = utcnow()
        dataset.search_text = search_text(dataset)
        audit.record(
            session,
            actor,
            "dataset.ingest",
            object_type="dataset",
            object_id=dataset.name,
            details={
                "version": number,
                "mode": record.mode,
                "file": record.source_name,
                "format": record.source_format,
                "encoding": record.source_encoding,
                "rows": record.rows_added,
            },
        )
    return version


def _merge_columns(dataset: Dataset, columns: list[ColumnInfo]) -> None:
    known = {c.name: c for c in dataset.columns}
    position = max((c.position for c in dataset.columns), default=0)
    for info in columns:
        column = known.get(info.name)
        if column is None:
            position += 1
            dataset.columns.append(
                DatasetColumn(name=info.name, label=info.label, type=info.type, position=position)
            )
        else:
            column.type = info.type


def list_versions(db: Database, actor: Actor, name: str) -> list[DatasetVersion]:
    """The dataset's versions, newest first (metadata only: visible where the entry is)."""
    dataset = get_dataset(db, actor, name)
    with db.reading() as session:
        query = (
            select(DatasetVersion)
            .where(DatasetVersion.dataset_id == dataset.id)
            .order_by(DatasetVersion.number.desc())
        )
        return list(session.scalars(query))


def latest_version(session: Session, dataset: Dataset) -> DatasetVersion | None:
    """The dataset's newest version, or None before its first ingest."""
    query = (
        select(DatasetVersion)
        .where(DatasetVersion.dataset_id == dataset.id)
        .order_by(DatasetVersion.number.desc())
        .limit(1)
    )
    return session.scalar(query)


def latest_versions(db: Database, dataset_ids: list[int]) -> dict[int, DatasetVersion]:
    """The newest version of each of the datasets, by dataset id (those without data left out)."""
    newest = (
        select(DatasetVersion.dataset_id, func.max(DatasetVersion.number).label("number"))
        .where(DatasetVersion.dataset_id.in_(dataset_ids))
        .group_by(DatasetVersion.dataset_id)
        .subquery()
    )
    query = select(DatasetVersion).join(
        newest,
        (DatasetVersion.dataset_id == newest.c.dataset_id)
        & (DatasetVersion.number == newest.c.number),
    )
    with db.reading() as session:
        return {v.dataset_id: v for v in session.scalars(query)}


def version_of(session: Session, dataset: Dataset, number: int | None) -> DatasetVersion:
    """Version ``number`` of the dataset, or its newest; NotFound when there is none."""
    query = select(DatasetVersion).where(DatasetVersion.dataset_id == dataset.id)
    if number is None:
        query = query.order_by(DatasetVersion.number.desc()).limit(1)
    else:
        query = query.where(DatasetVersion.number == number)
    version = session.scalar(query)
    if version is None:
        what = f"version {number}" if number is not None else "any data yet"
        raise NotFound(
            f"dataset {dataset.name!r} has no {what}",
            details={"dataset": dataset.name, "version": number},
        )
    return version


@dataclass(frozen=True)
class ReadableSource:
    """A dataset the actor may read, its newest version, and the columns it may read (None: all)."""

    dataset: Dataset
    version: DatasetVersion
    columns: frozenset[str] | None


def readable_sources(db: Database, actor: Actor) -> list[ReadableSource]:
    """Every dataset the actor may read that has data, with its newest version and columns."""
    # Three queries whatever the size of the catalogue: the SQL API asks this on every query.
    with db.reading() as session:
        visible = [
            d for d in session.scalars(select(Dataset).order_by(Dataset.name)) if can_see(actor, d)
        ]
        grants = granted_columns(session, actor.department_code)
    newest = latest_versions(db, [d.id for d in visible])
    mine = frozenset({actor.department_code}) if actor.department_code else frozenset()
    return [
        ReadableSource(
            dataset, newest[dataset.id], readable_columns(actor, dataset, grants.get(dataset.id))
        )
        for dataset in visible
        if dataset.id in newest
        and can_read(actor, dataset, mine if dataset.id in grants else frozenset())
    ]


def readable_versions(db: Database, actor: Actor) -> list[tuple[Dataset, DatasetVersion]]:
    """Every dataset the actor may read that has data, with its newest version."""
    return [(source.dataset, source.version) for source in readable_sources(db, actor)]


def schema_diff(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, Any]:
    """How the columns changed between two versions: added, removed, retyped."""
    before = {c["name"]: c for c in old}
    after = {c["name"]: c for c in new}
    return {
        "added": [c for name, c in after.items() if name not in before],
        "removed": [c for name, c in before.items() if name not in after],
        "retyped": [
            {"name": name, "from": before[name]["type"], "to": c["type"]}
            for name, c in after.items()
            if name in before and before[name]["type"] != c["type"]
        ],
    }


def diff_versions(db: Database, actor: Actor, name: str, old: int, new: int) -> dict[str, Any]:
    """The schema difference between two versions of a dataset."""
    dataset = get_dataset(db, actor, name)
    with db.reading() as session:
        first, second = version_of(session, dataset, old), version_of(session, dataset, new)
    return schema_diff(first.schema, second.schema)
