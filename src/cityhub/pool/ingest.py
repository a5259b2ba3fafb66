"""Ingest: a department's file becomes the next version of a dataset, completely or not at all.

Read (streaming) → infer types from a sample → cast and write Parquet files into a staging folder
→ commit them as one Iceberg snapshot → record the version in the catalogue. Until that last
step nothing is visible; a failure removes the staging files, and a process killed midway leaves
at most unreferenced files or an unrecorded snapshot, which the next ingest rolls back.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cityhub import catalog
from cityhub.auth import Actor
from cityhub.catalog import ColumnInfo, ColumnType, Dataset, VersionRecord
from cityhub.catalog.versions import AlsoRecord
from cityhub.db import Database
from cityhub.errors import InvalidInput, StorageFull, is_disk_full
from cityhub.pool.formats import open_source
from cityhub.pool.infer import arrow_type, cast_batch, infer_types
from cityhub.pool.parallel import ordered_map
from cityhub.pool.source import SourceTable
from cityhub.pool.warehouse import Warehouse
from cityhub.quality.screen import screen as screen_quality

SAMPLE_ROWS = 20_000  # rows that decide the column types (a steward can fix them later)
WORKERS = max(2, min(4, os.cpu_count() or 2))
ROWS_PER_FILE = 8_000_000  # large files let DuckDB read with few opens; ~100-300 MB each
Progress = Callable[[int], None]


class IngestMode(StrEnum):
    """Whether a new version adds to the previous rows or replaces them."""

    APPEND = "append"
    REPLACE = "replace"


@dataclass(frozen=True)
class IngestResult:
    """The version an ingest produced."""

    dataset: str
    version: int
    rows_added: int
    row_count: int
    encoding: str | None
    format: str
    columns: list[ColumnInfo]


def safe_file_name(raw: str) -> str:
    """An uploaded file's name if it is plain: no folders, no '..', no control characters."""
    name = raw.strip()
    if (
        not name
        or name in {".", ".."}
        or any(ch in name for ch in "/\\")
        or any(ord(ch) < 32 for ch in name)
        or len(name) > 255
    ):
        raise InvalidInput(
            f"file name {raw!r} is not a plain file name", details={"file": raw, "reason": "path"}
        )
    return name


def _types_of(
    source: SourceTable, sample: pa.Table, known: dict[str, ColumnType]
) -> dict[str, ColumnType]:
    text_columns = [
        f.name
        for f in source.schema
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    inferred = infer_types(sample.select(text_columns)) if text_columns else {}
    types: dict[str, ColumnType] = {}
    for f in source.schema:
        if f.name in source.geometry_columns:
            types[f.name] = ColumnType.GEOMETRY
        elif f.name in known:
            types[f.name] = known[f.name]  # a type the steward fixed, or an earlier version's
        elif f.name in inferred:
            types[f.name] = inferred[f.name]
        else:
            types[f.name] = _logical(f.type)
    return types


def _logical(arrow: pa.DataType) -> ColumnType:
    if pa.types.is_integer(arrow):
        return ColumnType.INTEGER
    if pa.types.is_floating(arrow) or pa.types.is_decimal(arrow):
        return ColumnType.FLOAT
    if pa.types.is_boolean(arrow):
        return ColumnType.BOOLEAN
    if pa.types.is_date(arrow):
        return ColumnType.DATE
    if pa.types.is_timestamp(arrow):
        return ColumnType.TIMESTAMP
    return ColumnType.STRING


def _label(field: pa.Field) -> str:
    label: bytes = (field.metadata or {}).get(b"label", field.name.encode())
    return label.decode()


def _cast(
    batch: pa.RecordBatch, types: dict[str, ColumnType], file: str, first_row: int
) -> pa.RecordBatch:
    text = {n: t for n, t in types.items() if pa.types.is_string(batch.schema.field(n).type)}
    batch = cast_batch(batch, text, file=file, first_row=first_row) if text else batch
    arrays = [
        batch.column(i) if name in text else batch.column(i).cast(arrow_type(types[name]))
        for i, name in enumerate(batch.schema.names)
    ]
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _write(
    batches: Iterator[pa.RecordBatch], schema: pa.Schema, staging: Path, progress: Progress | None
) -> tuple[list[Path], int]:
    files: list[Path] = []
    rows = 0
    writer: pq.ParquetWriter | None = None
    in_file = 0
    try:
        for batch in batches:
            if writer is None or in_file >= ROWS_PER_FILE:
                if writer is not None:
                    writer.close()
                files.append(staging / f"part-{len(files):05d}.parquet")
                writer = pq.ParquetWriter(files[-1], schema, compression="snappy")
                in_file = 0
            writer.write_batch(batch.cast(schema), row_group_size=1 << 20)
            in_file += batch.num_rows
            rows += batch.num_rows
            if progress is not None:
                progress(rows)
    finally:
        if writer is not None:
            writer.close()
    return files, rows


def ingest(
    db: Database,
    actor: Actor,
    warehouse: Warehouse,
    *,
    dataset: str,
    path: Path,
    file_name: str,
    mode: IngestMode = IngestMode.APPEND,
    progress: Progress | None = None,
) -> IngestResult:
    """Read ``path`` (uploaded as ``file_name``) into the next version of ``dataset``."""
    entry = catalog.require_manage(db, actor, dataset, "dataset.ingest")
    name = safe_file_name(file_name)
    if path.stat().st_size == 0:
        raise InvalidInput(f"{name} is empty (0 bytes)", details={"file": name})
    source = open_source(path, display_name=name)
    sample_batches, first_rows = [], 0
    batches = iter(source.batches)
    for batch in batches:
        sample_batches.append(batch)
        first_rows += batch.num_rows
        if first_rows >= SAMPLE_ROWS:
            break
    if first_rows == 0:
        raise InvalidInput(f"{name} has a header but no rows", details={"file": name, "row": 2})
    sample = pa.Table.from_batches(sample_batches, schema=source.schema).slice(0, SAMPLE_ROWS)
    types = _types_of(source, sample, {c.name: ColumnType(c.type) for c in entry.columns})
    schema = pa.schema(
        [pa.field(f.name, arrow_type(types[f.name]), metadata=f.metadata) for f in source.schema]
    )
    offsets = _row_offsets()
    numbered = (
        (batch, offsets(batch.num_rows)) for batch in itertools.chain(sample_batches, batches)
    )
    cast_all = ordered_map(
        lambda item: _cast(item[0], types, name, item[1]),
        numbered,
        workers=WORKERS,
        ahead=2 * WORKERS,
    )
    columns = [ColumnInfo(f.name, _label(f), types[f.name].value) for f in source.schema]
    upload = _Upload(name, source.format, source.encoding, os.path.getsize(path), source.notes)
    return _store(
        db, actor, warehouse, entry, schema, columns, cast_all, mode, upload, progress, screen=True
    )


@dataclass(frozen=True)
class _Upload:
    """Where a version's rows came from, as the version records it."""

    name: str
    format: str
    encoding: str | None
    size: int
    notes: list[str]


def append_rows(
    db: Database,
    actor: Actor,
    warehouse: Warehouse,
    *,
    dataset: str,
    table: pa.Table,
    columns: list[ColumnInfo],
    source_name: str,
    source_format: str,
    notes: list[str],
    also: AlsoRecord | None = None,
) -> IngestResult:
    """Append an Arrow table to ``dataset`` as its next version, committed as ``ingest`` does.

    ``columns`` are the version's columns (names, labels, types); the table may lack some, which
    are then empty. The rows are not screened: the caller (re-admitting quarantined rows) has
    checked them already. ``also`` writes what belongs to the version in its transaction.
    """
    entry = catalog.require_manage(db, actor, dataset, "dataset.ingest")
    schema = pa.schema(
        [
            pa.field(c.name, arrow_type(ColumnType(c.type)), metadata={"label": c.label})
            for c in columns
        ]
    )
    for field in schema:
        if field.name not in table.column_names:
            table = table.append_column(field.name, pa.nulls(table.num_rows, field.type))
    batches = iter(table.select(schema.names).cast(schema).to_batches())
    upload = _Upload(source_name, source_format, None, 0, notes)
    return _store(
        db,
        actor,
        warehouse,
        entry,
        schema,
        columns,
        batches,
        IngestMode.APPEND,
        upload,
        None,
        screen=False,
        also=also,
    )


def _store(
    db: Database,
    actor: Actor,
    warehouse: Warehouse,
    entry: Dataset,
    schema: pa.Schema,
    columns: list[ColumnInfo],
    batches: Iterator[pa.RecordBatch],
    mode: IngestMode,
    upload: _Upload,
    progress: Progress | None,
    *,
    screen: bool,
    also: AlsoRecord | None = None,
) -> IngestResult:
    """Stage the rows as Parquet, screen them, commit one snapshot, record the version.

    The dataset's write lock is held from screening to recording: an append is screened against,
    and committed on top of, the newest version even when another process ingests into the same
    dataset meanwhile.
    """
    staging = warehouse.staging(entry.id)
    try:
        files, rows = _write(batches, schema, staging, progress)
    except BaseException as exc:
        warehouse.discard(staging)
        if is_disk_full(exc):
            raise StorageFull(
                f"no space left in the data directory while storing {upload.name}: "
                f"{entry.name} is unchanged",
                details={"dataset": entry.name, "file": upload.name},
            ) from exc
        raise
    with warehouse.writing(entry.id):
        with db.reading() as session:
            previous = catalog.latest_version(session, entry)
        try:
            # Quality rules (cityhub.quality): the rows are cleaned, and those failing a blocking
            # rule are held back in quarantine; the report and the held rows land with the version.
            screened = (
                screen_quality(
                    db,
                    warehouse,
                    entry,
                    files,
                    schema,
                    columns,
                    appended_to_version=previous if mode is IngestMode.APPEND else None,
                )
                if screen
                else None
            )
            snapshot = warehouse.commit(
                entry.id,
                schema,
                screened.files if screened else files,
                replace=mode is IngestMode.REPLACE,
                base_snapshot=previous.snapshot_id if previous else None,
            )
        except BaseException:
            warehouse.discard(staging)
            raise
        version = catalog.record_version(
            db,
            actor,
            entry.id,
            VersionRecord(
                snapshot_id=snapshot,
                mode=mode.value,
                source_name=upload.name,
                source_format=upload.format,
                source_encoding=upload.encoding,
                source_bytes=upload.size,
                rows_added=screened.admitted if screened else rows,
                row_count=warehouse.row_count(entry.id, snapshot),
                columns=columns,
                notes=[*upload.notes, *(screened.notes if screened else [])],
            ),
            also=screened.record if screened else also,
        )
    return IngestResult(
        entry.name,
        version.number,
        version.rows_added,
        version.row_count,
        upload.encoding,
        upload.format,
        columns,
    )


def _row_offsets() -> Callable[[int], int]:
    seen = 0

    def next_offset(rows: int) -> int:
        nonlocal seen
        first = seen + 1
        seen += rows
        return first

    return next_offset
