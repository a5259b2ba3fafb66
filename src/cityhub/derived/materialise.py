"""Materialising a derived dataset: its SQL over the newest source versions becomes a new version.

The query runs in the SQL sandbox with the reading rights of the definer's department (the owner
department of the derived dataset), never the rights of whoever pressed "refresh" or of the
scheduler: a department that has lost access to a source gets a refusal naming that source,
stored as ``last_error``, and no version. Masked columns are read masked, so they stay masked.

The result streams from the engine into Parquet files in a staging folder, which are committed
as one Iceberg snapshot that replaces the previous rows, and the catalogue records the version
together with its lineage edges, the personal flags of its columns, the sharing ceiling of its
sources and the definition's new state, in one transaction. As with an ingest, a process killed
at any point before that commit leaves no version (the next refresh rolls back an unrecorded
snapshot).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from cityhub import audit, catalog
from cityhub.auth import Actor, Role
from cityhub.catalog import ColumnInfo, Dataset, DatasetVersion, VersionRecord
from cityhub.catalog.ceiling import apply_ceiling, most_restricted
from cityhub.db import Database, utcnow
from cityhub.derived.columns import OutputColumn, arrow_schema, check_described, plan_columns
from cityhub.derived.lineage import downstream_ids
from cityhub.derived.models import DerivedDefinition, LineageEdge
from cityhub.derived.schedule import Schedule, next_due
from cityhub.errors import CityhubError, InvalidInput, NotFound, PermissionDenied, QueryRefused
from cityhub.pool.engine import conform
from cityhub.pool.ingest import ROWS_PER_FILE
from cityhub.pool.service import Pool, SandboxedQuery, sandboxed
from cityhub.query.sqlcheck import Reason

READER_ADDRESS = "derived"  # client address of the reads a refresh makes, in the audit trail
ERROR_LIMIT = 2000  # characters of last_error kept
MAX_COLUMNS = 1000


@dataclass(frozen=True)
class Refreshed:
    """A new version of a derived dataset, and the source versions it was made from."""

    dataset: str
    version: int
    rows: int
    sources: list[tuple[str, int]]


def reader_of(department: str, defined_by: str, address: str = READER_ADDRESS) -> Actor:
    """Whose rights a derived dataset's query reads with: its definer, in the owner department.

    Reading rights depend on the department only (owner, share type, grants), so the role is
    that of a steward whatever the definer's is; the name makes the audit trail say whose
    definition read the data.
    """
    return Actor(None, defined_by, Role.STEWARD, department, address)


def check_query(pool: Pool, reader: Actor, sql: str) -> SandboxedQuery:
    """The query checked by the sandbox over what the reader may read now.

    A source the department may not read is named, with the reason; a query that reads no
    dataset is refused (it would derive nothing).
    """
    try:
        query = sandboxed(pool, reader, sql)
    except QueryRefused as exc:
        if exc.details.get("reason") == Reason.UNKNOWN_TABLE.value:
            _name_unreadable(pool.db, reader, str(exc.details.get("part", "")), exc)
        raise
    if not query.sources:
        raise InvalidInput(
            "a derived dataset must read at least one dataset", details={"field": "sql"}
        )
    return query


def prepare(pool: Pool, reader: Actor, sql: str) -> SandboxedQuery:
    """Check a definition's query without running it: sandbox, sources, result columns.

    The result's columns come from DuckDB's ``DESCRIBE`` of the checked query, which plans the
    query but reads no rows, so a bad name or type is refused before anything is created.
    """
    query = check_query(pool, reader, sql)
    described = pool.engine.query(
        query.relations,
        f"DESCRIBE {query.sql}",
        time_limit_ms=pool.settings.query_time_limit_ms,
        max_rows=MAX_COLUMNS,
    )
    if described.truncated:
        raise InvalidInput(
            f"the query returns more than {MAX_COLUMNS} columns", details={"field": "sql"}
        )
    check_described([(str(row[0]), str(row[1])) for row in described.rows])
    return query


def _name_unreadable(db: Database, reader: Actor, name: str, exc: QueryRefused) -> None:
    """Turn 'no such table' into 'your department may not read X' when X is catalogued."""
    try:
        with db.reading() as session:
            source = catalog.dataset_by_name(session, name)
    except NotFound:
        return
    raise PermissionDenied(
        f"department {reader.department_code} may not read source dataset {source.name!r} "
        f"({source.share_type}; owner {source.department.code})",
        details={
            "source": source.name,
            "department": reader.department_code,
            "share_type": source.share_type,
        },
    ) from exc


@dataclass(frozen=True)
class _Job:
    """One refresh: the definition as read at the start, and the time its schedule counts from."""

    definition_id: int
    dataset: Dataset
    sql: str
    schedule: Schedule
    reader: Actor
    at: datetime


def materialise(
    db: Database, actor: Actor, pool: Pool, definition_id: int, *, now: datetime | None = None
) -> Refreshed:
    """Refresh a derived dataset now; ``actor`` is who asked (recorded on the version).

    The next scheduled refresh is counted from ``now`` (default: the clock). A failure is stored
    in the definition's ``last_error`` (and audited) before it is raised.
    """
    with db.reading() as session:
        definition = session.get(DerivedDefinition, definition_id)
        if definition is None:
            raise NotFound(f"no derived definition {definition_id}")
        job = _Job(
            definition_id,
            definition.dataset,
            definition.sql,
            Schedule(definition.schedule),
            reader_of(definition.department.code, definition.defined_by),
            now or utcnow(),
        )
    # The dataset's write lock, across processes: a refresh that finds it taken is refused
    # rather than queued, since the running one will produce the same version.
    lock = pool.warehouse.try_writing(job.dataset.id)
    if lock is None:
        raise InvalidInput(
            f"{job.dataset.name!r} is being refreshed already",
            details={"dataset": job.dataset.name},
        )
    try:
        return _run(db, actor, pool, job)
    except Exception as exc:
        _failed(db, actor, job, exc)
        raise
    finally:
        lock.release()


def _run(db: Database, actor: Actor, pool: Pool, job: _Job) -> Refreshed:
    dataset, sql, reader = job.dataset, job.sql, job.reader
    query = check_query(pool, reader, sql)
    refuse_cycles(db, dataset, query)
    with db.reading() as session:
        previous = catalog.latest_version(session, dataset)
    try:
        schema, stream = _stream(pool, query)
        try:
            first = next(stream, None)  # started, so closing it releases the engine's cursor
            columns = plan_columns(query, schema)
            batches = itertools.chain([first] if first is not None else [], stream)
            rows, size, snapshot = _write_snapshot(pool, dataset.id, columns, batches, previous)
        finally:
            _close(stream)
    except Exception as exc:
        _audit_read(db, reader, actor, dataset.name, sql, query, error=exc)
        plain = _engine_error(exc)
        if plain is exc:
            raise
        raise plain from exc
    _audit_read(db, reader, actor, dataset.name, sql, query, rows=rows)
    sources = [(s.dataset.name, s.version.number) for s in query.sources]
    record = VersionRecord(
        snapshot_id=snapshot,
        mode="replace",
        source_name=("SQL: " + ", ".join(f"{n} v{v}" for n, v in sources))[:255],
        source_format="sql",
        source_encoding=None,
        source_bytes=size,
        rows_added=rows,
        row_count=rows,
        columns=[ColumnInfo(c.name, c.label, c.type.value) for c in columns],
    )

    def also(session: Session, version: DatasetVersion) -> None:
        _record_lineage(session, actor, job, version, query, columns, rows)

    version = catalog.record_version(db, actor, dataset.id, record, also=also)
    return Refreshed(dataset.name, version.number, rows, sources)


def _stream(pool: Pool, query: SandboxedQuery) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """The query's result from the processing engine, named and typed as DuckDB plans it.

    Whichever engine runs it, a derived dataset's columns are those of the checked query as
    DuckDB plans it, so a refresh on Spark gives the same schema as one on DuckDB.
    """
    if pool.processing is pool.engine:
        return pool.engine.stream(query.relations, query.sql)
    expected = pool.engine.result_schema(query.relations, query.sql)
    _, batches = pool.processing.stream(query.relations, query.sql)
    return expected, (conform(batch, expected) for batch in batches)


def refuse_cycles(db: Database, dataset: Dataset, query: SandboxedQuery) -> None:
    """Refuse a query that reads the dataset itself or a dataset made from it."""
    with db.reading() as session:
        made_from_it = downstream_ids(session, dataset.id) | {dataset.id}
    for source in query.sources:
        if source.dataset.id in made_from_it:
            raise InvalidInput(
                f"the query reads {source.dataset.name!r}, which is made from {dataset.name!r}: "
                "a derived dataset cannot read itself",
                details={"field": "sql", "source": source.dataset.name},
            )


def _write_snapshot(
    pool: Pool,
    dataset_id: int,
    columns: list[OutputColumn],
    batches: Iterator[pa.RecordBatch],
    previous: DatasetVersion | None,
) -> tuple[int, int, int]:
    """Rows, bytes written, and the snapshot id."""
    schema = arrow_schema(columns)
    staging = pool.warehouse.staging(dataset_id)
    try:
        files, rows = _write(batches, schema, staging)
        size = sum(f.stat().st_size for f in files)
        snapshot = pool.warehouse.commit(
            dataset_id,
            schema,
            files,
            replace=True,
            base_snapshot=previous.snapshot_id if previous else None,
        )
    except BaseException:
        pool.warehouse.discard(staging)
        raise
    return rows, size, snapshot


def _write(
    batches: Iterator[pa.RecordBatch], schema: pa.Schema, staging: Path
) -> tuple[list[Path], int]:
    files: list[Path] = []
    rows = in_file = 0
    writer: pq.ParquetWriter | None = None

    def start() -> pq.ParquetWriter:
        files.append(staging / f"part-{len(files):05d}.parquet")
        return pq.ParquetWriter(files[-1], schema, compression="snappy")

    try:
        for batch in batches:
            if writer is None or in_file >= ROWS_PER_FILE:
                if writer is not None:
                    writer.close()
                writer, in_file = start(), 0
            writer.write_batch(_conform(batch, schema), row_group_size=1 << 20)
            in_file += batch.num_rows
            rows += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
    if rows == 0:
        # Iceberg scans skip files without rows, so an empty version would have no columns to
        # read; like an ingest of an empty file, this makes no version and keeps the last one.
        raise InvalidInput(
            "the query returned no rows; the previous version is kept", details={"rows": 0}
        )
    return files, rows


def _conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    arrays = [batch.column(i).cast(schema.field(i).type) for i in range(batch.num_columns)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _close(stream: Iterator[pa.RecordBatch]) -> None:
    close = getattr(stream, "close", None)  # the engine's generator; closing frees its cursor
    if close is not None:
        close()


def _engine_error(exc: Exception) -> Exception:
    if isinstance(exc, CityhubError):
        return exc
    if isinstance(exc, (duckdb.Error, pa.ArrowException)):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return InvalidInput(f"the query failed: {first}", details={"engine": "duckdb"})
    return exc


def _record_lineage(
    session: Session,
    actor: Actor,
    job: _Job,
    version: DatasetVersion,
    query: SandboxedQuery,
    columns: list[OutputColumn],
    rows: int,
) -> None:
    """What lands with the version: lineage edges, personal flags, ceiling, definition state."""
    for source in query.sources:
        session.add(
            LineageEdge(
                dataset_id=version.dataset_id,
                version=version.number,
                source_dataset_id=source.dataset.id,
                source_version=source.version.number,
            )
        )
    dataset = session.get(Dataset, version.dataset_id)
    assert dataset is not None
    flagged = _carry_personal_flags(dataset, columns)
    # The sources as they are now, in this transaction: one may have become stricter.
    current = [session.get(Dataset, s.dataset.id) for s in query.sources]
    apply_ceiling(session, actor, dataset, most_restricted(d for d in current if d is not None))
    definition = session.get(DerivedDefinition, job.definition_id)
    assert definition is not None
    definition.last_refreshed_at = job.at  # the sources were read as of the start
    definition.next_due_at = next_due(job.schedule, job.at)
    definition.last_error = None
    audit.record(
        session,
        actor,
        "derived.refresh",
        object_type="dataset",
        object_id=dataset.name,
        details={
            "version": version.number,
            "rows": rows,
            "sources": {s.dataset.name: s.version.number for s in query.sources},
            "personal": flagged,
        },
    )


def _carry_personal_flags(dataset: Dataset, columns: list[OutputColumn]) -> dict[str, str]:
    """Flag the columns made from personal source columns; flags stewards set are kept."""
    by_name = {c.name: c for c in dataset.columns}
    flagged: dict[str, str] = {}
    for column in columns:
        stored = by_name.get(column.name)
        if column.personal is not None and stored is not None and stored.personal is None:
            stored.personal = column.personal.value
            flagged[column.name] = column.personal.value
    return flagged


def _audit_read(
    db: Database,
    reader: Actor,
    actor: Actor,
    name: str,
    sql: str,
    query: SandboxedQuery,
    *,
    rows: int | None = None,
    error: Exception | None = None,
) -> None:
    """The refresh's read, audited like a SQL API query, under the reader's name."""
    details: dict[str, object] = {
        "sql": sql[:2000],
        "datasets": sorted({s.dataset.name for s in query.sources}),
        "derived": name,
        "refreshed_by": actor.username,
    }
    if error is None:
        details["rows"] = rows
    else:
        details["error"] = str(error)[:500]
    audit.record_alone(
        db,
        reader,
        "sql.query",
        outcome=audit.Outcome.SUCCESS if error is None else audit.Outcome.FAILURE,
        details=details,
    )


def _failed(db: Database, actor: Actor, job: _Job, exc: Exception) -> None:
    message = exc.message if isinstance(exc, CityhubError) else f"{type(exc).__name__}: {exc}"
    name = job.dataset.name
    with db.transaction() as session:
        definition = session.get(DerivedDefinition, job.definition_id)
        if definition is None:
            return
        definition.last_error = message[:ERROR_LIMIT]
        # Retried at its next turn, not at every look of the scheduler.
        definition.next_due_at = next_due(job.schedule, job.at)
        audit.record(
            session,
            actor,
            "derived.refresh",
            object_type="dataset",
            object_id=name,
            outcome=audit.Outcome.FAILURE,
            details={"error": message[:500]},
        )
