"""The link table as a dataset of the catalogue: one new version per run.

Columns: source_dataset, source_key, cluster_id, match_probability (the highest of the record's
links in its cluster), linked_by (credit_code / id_number / probabilistic / review; empty for
a record alone in its cluster). The dataset belongs to the run's department and is never shared
more openly than its most restricted source (``catalog.ceiling``); where a source's key column
is personal, so is ``source_key``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub import catalog
from cityhub.auth import Actor
from cityhub.catalog import ColumnInfo, Dataset, DatasetVersion, VersionRecord
from cityhub.catalog.ceiling import Ceiling, apply_ceiling, most_restricted
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotFound
from cityhub.linking.engine import LinkEngine
from cityhub.linking.features import Kind
from cityhub.linking.models import LinkRun
from cityhub.linking.sources import Source
from cityhub.linking.spec import LinkSpec
from cityhub.pool.service import Pool

SCHEMA = pa.schema(
    [
        pa.field("source_dataset", pa.string()),
        pa.field("source_key", pa.string()),
        pa.field("cluster_id", pa.string()),
        pa.field("match_probability", pa.float64()),
        pa.field("linked_by", pa.string()),
    ]
)
LABELS = {
    "source_dataset": "来源数据集",
    "source_key": "来源记录标识",
    "cluster_id": "主体编号",
    "match_probability": "匹配概率",
    "linked_by": "关联方式",
}
TYPES = {"match_probability": "float"}


def _sharing(ceiling: Ceiling) -> dict[str, object]:
    share = catalog.ShareType(ceiling.share_type.value)
    conditions = ""
    if share is catalog.ShareType.CONDITIONAL:
        conditions = ceiling.conditions or "同来源数据集的共享条件"
    return {
        "share_type": share,
        "share_conditions": conditions,
        "open_type": catalog.OpenType(ceiling.open_type.value),
        "security_level": catalog.SecurityLevel(ceiling.security_level.value),
    }


def prepare_dataset(
    db: Database, actor: Actor, spec: LinkSpec, department: str, sources: Sequence[Source]
) -> Dataset:
    """The output dataset: a new one, or the link table of earlier runs (never another one)."""
    try:
        existing = catalog.require_manage(db, actor, spec.output, "linking.run")
    except NotFound:
        existing = None
    if existing is None:
        resource = (
            catalog.ResourceClass.LEGAL_ENTITY
            if spec.kind is Kind.LEGAL_ENTITY
            else catalog.ResourceClass.POPULATION
        )
        entry = catalog.DatasetSpec(
            name=spec.output,
            title=spec.display_title,
            department=department,
            abstract="记录关联结果: 每条来源记录所属的主体编号、匹配概率与关联方式",
            resource_class=resource,
            keywords=("记录关联", "主体"),
            **_sharing(most_restricted(s.readable.dataset for s in sources)),  # type: ignore[arg-type]
        )
        return catalog.create_dataset(db, actor, entry)
    with db.reading() as session:
        earlier = session.scalar(
            select(LinkRun.id).where(LinkRun.output_dataset == existing.name).limit(1)
        )
    if earlier is None or existing.department.code != department:
        raise Conflict(
            f"dataset {existing.name!r} exists and is not a link table of {department}",
            details={"dataset": existing.name, "department": existing.department.code},
        )
    return existing


def write_files(pool: Pool, engine: LinkEngine, dataset: Dataset) -> tuple[Path, int]:
    """Write ``link_output`` as Parquet into a fresh staging folder; returns (staging, rows)."""
    rows = int(engine.scalar("SELECT count(*) FROM link_output"))
    if rows == 0:
        raise InvalidInput("the sources have no rows to link", details={"rows": 0})
    staging = pool.warehouse.staging(dataset.id)
    columns = ", ".join(SCHEMA.names)
    try:
        engine.write_parquet(
            f"SELECT {columns} FROM link_output ORDER BY cluster_id, source_dataset, source_key",
            staging,
        )
    except BaseException:
        pool.warehouse.discard(staging)
        raise
    return staging, rows


def personal_key(sources: Sequence[Source]) -> str | None:
    """The personal class ``source_key`` takes: that of a personal key column of a source."""
    kinds = set()
    for source in sources:
        for column in source.readable.dataset.columns:
            if column.name == source.spec.key and column.personal:
                kinds.add(column.personal)
    if not kinds:
        return None
    return kinds.pop() if len(kinds) == 1 else catalog.PersonalKind.OTHER.value


def commit(
    pool: Pool,
    actor: Actor,
    dataset: Dataset,
    staging: Path,
    rows: int,
    run_id: int,
    also: Callable[[Session, DatasetVersion], None],
) -> DatasetVersion:
    """Commit the staged files as the dataset's next version; ``also`` lands with it."""
    with pool.warehouse.writing(dataset.id):
        try:
            with pool.db.reading() as session:
                previous = catalog.latest_version(session, dataset)
            files = sorted(staging.glob("*.parquet"))
            snapshot = pool.warehouse.commit(
                dataset.id,
                SCHEMA,
                files,
                replace=True,
                base_snapshot=previous.snapshot_id if previous else None,
            )
        except BaseException:
            pool.warehouse.discard(staging)
            raise
        record = VersionRecord(
            snapshot_id=snapshot,
            mode="replace",
            source_name=f"linking run {run_id}",
            source_format="parquet",
            source_encoding=None,
            source_bytes=sum(f.stat().st_size for f in files),
            rows_added=rows,
            row_count=pool.warehouse.row_count(dataset.id, snapshot),
            columns=[
                ColumnInfo(name, LABELS[name], TYPES.get(name, "string")) for name in SCHEMA.names
            ],
            notes=[f"link table of linking run {run_id}"],
        )
        return catalog.record_version(pool.db, actor, dataset.id, record, also=also)


def land_with_version(
    session: Session, actor: Actor, version: DatasetVersion, sources: Sequence[Source]
) -> None:
    """What the output version brings: the sharing ceiling and the personal flag of keys."""
    dataset = session.get(Dataset, version.dataset_id)
    assert dataset is not None
    current = [session.get(Dataset, s.readable.dataset.id) for s in sources]
    apply_ceiling(session, actor, dataset, most_restricted(d for d in current if d is not None))
    personal = personal_key(sources)
    if personal:
        for column in dataset.columns:
            if column.name == "source_key" and column.personal is None:
                column.personal = personal
