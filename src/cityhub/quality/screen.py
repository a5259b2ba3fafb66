"""Screening at ingest: staged files in, cleaned admitted files and quarantined rows out.

``cityhub.pool.ingest`` calls ``screen`` after it has written the upload's Parquet files and
before the Iceberg commit. When the dataset has rules, the rows are cleaned and checked; rows
that pass every blocking rule are written to new staged files (the only ones committed), and
the others are kept as ``QuarantinedRow``s. ``Screening.record`` writes the report and the
quarantined rows inside the transaction that records the version, so a process killed at any
point leaves either all of it or none of it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import insert
from sqlalchemy.orm import Session

from cityhub.catalog import ColumnInfo, ColumnType, Dataset, DatasetVersion
from cityhub.db import Database
from cityhub.pool.engine import Engine, quote
from cityhub.pool.warehouse import Warehouse
from cityhub.quality.evaluate import Evaluation, Failure, admitted, evaluate, failures, tune
from cityhub.quality.models import QualityReport, QuarantinedRow, RowStatus, Trigger
from cityhub.quality.plan import Target
from cityhub.quality.rulesets import parsed, ruleset_of
from cityhub.quality.sources import appended_to, plan_for
from cityhub.quality.vectorised import vectorised

# Screening runs inside an ingest, which has no query settings: a bounded engine of its own.
MEMORY_LIMIT = "2GB"
THREADS = max(2, min(4, os.cpu_count() or 2))
ROWS_PER_FILE = 8_000_000  # as the ingest writes them
INSERT_BATCH = 5_000


@dataclass
class Screening:
    """What screening an upload found, and the files to commit in its place."""

    dataset_id: int
    ruleset_number: int
    files: list[Path]
    evaluation: Evaluation
    quarantined: list[Failure]

    @property
    def admitted(self) -> int:
        """Rows that go into the version."""
        return self.evaluation.rows - len(self.quarantined)

    @property
    def notes(self) -> list[str]:
        """What the version's notes say about the screening."""
        if not self.quarantined:
            return [f"quality rules (rule set {self.ruleset_number}): no row quarantined"]
        return [
            f"{len(self.quarantined):,} rows quarantined: they failed blocking quality rules "
            f"(rule set {self.ruleset_number}); stewards review them on the quarantine page"
        ]

    def record(self, session: Session, version: DatasetVersion) -> None:
        """Write the report and the quarantined rows in the version's transaction."""
        add_report(
            session,
            version,
            self.ruleset_number,
            Trigger.INGEST,
            self.evaluation,
            len(self.quarantined),
        )
        rows = (
            {
                "dataset_id": self.dataset_id,
                "version_number": version.number,
                "row_number": failure.row_number,
                "values": failure.values,
                "reasons": failure.reasons,
                "status": RowStatus.HELD.value,
                "fixed_values": None,
                "note": "",
            }
            for failure in self.quarantined
        )
        for chunk in _chunks(rows, INSERT_BATCH):
            session.execute(insert(QuarantinedRow), chunk)


def add_report(
    session: Session,
    version: DatasetVersion,
    ruleset_number: int,
    trigger: Trigger,
    evaluation: Evaluation,
    quarantined: int,
    created_by: str | None = None,
) -> QualityReport:
    """Add a report of ``evaluation`` over ``version`` to the session."""
    report = QualityReport(
        dataset_id=version.dataset_id,
        version_number=version.number,
        ruleset_number=ruleset_number,
        trigger=trigger.value,
        rows_checked=evaluation.rows,
        rows_failed=evaluation.rows_failed,
        rows_quarantined=quarantined,
        score=evaluation.score,
        results=evaluation.results(),
        created_by=created_by or version.created_by,
    )
    session.add(report)
    return report


def _chunks(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def screen(
    db: Database,
    warehouse: Warehouse,
    dataset: Dataset,
    files: list[Path],
    schema: pa.Schema,
    columns: list[ColumnInfo],
    *,
    appended_to_version: DatasetVersion | None,
) -> Screening | None:
    """Clean and check staged files against the dataset's newest rule set (None: it has none).

    ``appended_to_version`` is the version an append adds to (``unique`` compares with its rows
    too); None for a replace or a first version.
    """
    with db.reading() as session:
        stored = ruleset_of(session, dataset.id)
        if stored is None or not files:
            return None
        ruleset = parsed(stored)
        if ruleset.empty:
            return None
        context, context_columns = appended_to(warehouse.files, appended_to_version)
        target = Target(
            tuple(str(f) for f in files),
            {c.name: ColumnType(c.type) for c in columns},
            context,
            context_columns,
        )
        plan = plan_for(session, warehouse.files, dataset, ruleset, target)
    engine = Engine(warehouse.root, memory_limit=MEMORY_LIMIT, threads=THREADS)
    try:
        # The NumPy identifier checks run once, for the report, failures and admitted rows.
        with vectorised(engine, tune(engine, plan)) as plan:
            evaluation = evaluate(engine, plan)
            held = list(failures(engine, plan, _offsets(files))) if evaluation.rows_blocked else []
            cleans = any(plan.cleaned[name] != quote(name) for name in target.types)
            if held or cleans:
                files = write(admitted(engine, plan), schema, files[0].parent / "screened")
    finally:
        engine.close()
    for old in target.files:
        if Path(old) not in files:
            Path(old).unlink(missing_ok=True)  # superseded by the screened files
    return Screening(dataset.id, stored.number, files, evaluation, held)


def _offsets(files: list[Path]) -> dict[str, int]:
    """Per file, how many data rows come before it (the files hold the upload in order)."""
    offsets: dict[str, int] = {}
    seen = 0
    for path in files:
        offsets[str(path)] = seen
        seen += pq.ParquetFile(path).metadata.num_rows
    return offsets


def write(batches: Iterator[pa.RecordBatch], schema: pa.Schema, folder: Path) -> list[Path]:
    """Write batches as Parquet files of ``schema`` (exactly: names, types, labels) in ``folder``.

    The engine's output types are cast back to the upload's Arrow schema; DuckDB's own COPY
    would mark columns NOT NULL when a filter implies it, which Iceberg then sees as a schema
    change.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    writer: pq.ParquetWriter | None = None
    in_file = 0
    try:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            if writer is None or in_file >= ROWS_PER_FILE:
                if writer is not None:
                    writer.close()
                files.append(folder / f"part-{len(files):05d}.parquet")
                writer = pq.ParquetWriter(files[-1], schema, compression="snappy")
                in_file = 0
            table = pa.Table.from_batches([batch]).select(schema.names)
            writer.write_table(table.cast(schema), row_group_size=1 << 20)
            in_file += batch.num_rows
        if writer is None:  # nothing admitted: an empty file still makes the snapshot
            files.append(folder / "part-00000.parquet")
            pq.write_table(schema.empty_table(), files[-1], compression="snappy")
    finally:
        if writer is not None:
            writer.close()
    return files
