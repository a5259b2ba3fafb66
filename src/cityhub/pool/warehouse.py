"""The warehouse: one Apache Iceberg table per dataset, Parquet files under the data directory.

PyIceberg's SQL catalog keeps its two tables (``iceberg_tables``, ``iceberg_namespace_properties``)
in the metadata database, so one backup holds both. Every commit is a snapshot; the catalogue's
version rows say which snapshots users see.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import CommitFailedException, NoSuchTableError, ValidationError
from pyiceberg.expressions import AlwaysTrue
from pyiceberg.table import Table

from cityhub.db import Database
from cityhub.db.locks import Held, LockKind, acquire
from cityhub.errors import Conflict, InvalidInput

NAMESPACE = "pool"


class Warehouse:
    """Iceberg tables of the pool, addressed by dataset id.

    >>> warehouse = Warehouse(db, Path("var"))
    >>> snapshot = warehouse.commit(7, schema, [Path(".../part-0.parquet")], replace=False)
    >>> warehouse.files(7, snapshot)
    """

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.root = (data_dir / "warehouse").resolve()
        self._db = db
        self._uri = db.url.render_as_string(hide_password=False)

    @contextmanager
    def writing(self, dataset_id: int) -> Iterator[None]:
        """Be the dataset's only writer for the block, across threads and processes.

        Hold it from reading the dataset's newest version to recording the next: two ingests
        into one dataset then queue, and each builds on (and screens against) the version the
        other recorded, instead of both building on the same one.
        """
        held = acquire(self._db, LockKind.DATASET_WRITE, dataset_id)
        assert held is not None
        try:
            yield
        finally:
            held.release()

    def try_writing(self, dataset_id: int) -> Held | None:
        """The dataset's write lock if nobody holds it now, else None (release it when done)."""
        return acquire(self._db, LockKind.DATASET_WRITE, dataset_id, wait=False)

    @cached_property
    def catalog(self) -> SqlCatalog:
        """The Iceberg SQL catalog (created on first use)."""
        self.root.mkdir(parents=True, exist_ok=True)
        catalog = SqlCatalog("cityhub", uri=self._uri, warehouse=self.root.as_uri())
        catalog.create_namespace_if_not_exists(NAMESPACE)
        return catalog

    def close(self) -> None:
        """Close the catalog's database connections."""
        if "catalog" in self.__dict__:
            self.catalog.engine.dispose()

    def identifier(self, dataset_id: int) -> str:
        """The Iceberg identifier of a dataset's table."""
        return f"{NAMESPACE}.ds_{dataset_id}"

    def staging(self, dataset_id: int) -> Path:
        """A fresh directory for the Parquet files of one ingest, inside the table's data folder."""
        path = self.root / NAMESPACE / f"ds_{dataset_id}" / "data" / f"ingest-{uuid.uuid4().hex}"
        path.mkdir(parents=True)
        return path

    def discard(self, staging: Path) -> None:
        """Remove the files of an ingest that did not commit."""
        shutil.rmtree(staging, ignore_errors=True)

    def table(self, dataset_id: int) -> Table | None:
        """The dataset's Iceberg table, or None before its first ingest."""
        try:
            return self.catalog.load_table(self.identifier(dataset_id))
        except NoSuchTableError:
            return None

    def commit(
        self,
        dataset_id: int,
        schema: pa.Schema,
        files: list[Path],
        *,
        replace: bool,
        base_snapshot: int | None,
    ) -> int:
        """Add ``files`` as one snapshot on top of ``base_snapshot``; returns the new snapshot id.

        ``base_snapshot`` is the snapshot of the dataset's newest recorded version. A snapshot
        committed after it but never recorded (the process died in between) is rolled back first,
        so its rows cannot leak into this version. With ``replace`` the new snapshot holds only
        ``files``. The schema evolves by name to take new columns and widened types; a change
        Iceberg does not allow (say text to integer) is refused, naming the column.

        Iceberg commits optimistically; PyIceberg redoes a commit that lost a race on the table
        as it then is (table property ``commit.retry.num-retries``, 4 by default). Callers hold
        ``writing``, so such a race means a writer outside cityhub; if the retries run out the
        caller gets a Conflict, and nothing is recorded.
        """
        table = self.table(dataset_id)
        if table is None:
            table = self.catalog.create_table(self.identifier(dataset_id), schema=schema)
        current = table.current_snapshot()
        if (
            base_snapshot is not None
            and current is not None
            and current.snapshot_id != base_snapshot
        ):
            with table.manage_snapshots() as snapshots:
                snapshots.set_current_snapshot(base_snapshot)
            table = table.refresh()
        elif base_snapshot is None and current is not None:
            replace = True  # nothing was ever recorded: whatever the table holds is not a version
        paths = [str(f) for f in files]
        try:
            _add(table, schema, paths, replace=replace)
        except CommitFailedException as exc:  # PyIceberg's own retries ran out
            raise Conflict(
                f"dataset {dataset_id}: the warehouse table kept changing during the commit; "
                "try again",
                details={"reason": "commit_conflict"},
            ) from exc
        table = table.refresh()
        snapshot = table.current_snapshot()
        assert snapshot is not None
        return snapshot.snapshot_id

    def files(self, dataset_id: int, snapshot_id: int) -> list[str]:
        """Paths of the Parquet files that make up a snapshot."""
        table = self.table(dataset_id)
        if table is None:
            return []
        tasks = table.scan(snapshot_id=snapshot_id).plan_files()
        return [task.file.file_path.removeprefix("file://") for task in tasks]

    def row_count(self, dataset_id: int, snapshot_id: int) -> int:
        """Rows in a snapshot, from the manifests (no data is read)."""
        table = self.table(dataset_id)
        if table is None:
            return 0
        tasks = table.scan(snapshot_id=snapshot_id).plan_files()
        return sum(task.file.record_count for task in tasks)


def _add(table: Table, schema: pa.Schema, paths: list[str], *, replace: bool) -> None:
    """One Iceberg transaction: evolve the schema, empty the table if replacing, add the files."""
    with table.transaction() as transaction:
        if _schema_changes(table, schema):
            try:
                with transaction.update_schema() as update:
                    update.union_by_name(schema)
            except (ValueError, ValidationError) as exc:
                raise InvalidInput(
                    f"the file's columns do not fit the dataset's earlier versions: {exc}",
                    details={"reason": "schema_change", "detail": str(exc)},
                ) from exc
        if replace and table.current_snapshot() is not None:
            transaction.delete(AlwaysTrue())
        if paths:
            transaction.add_files(paths, check_duplicate_files=False)


def _schema_changes(table: Table, schema: pa.Schema) -> bool:
    current = table.schema().as_arrow()
    return not all(
        name in current.names and current.field(name).type == schema.field(name).type
        for name in schema.names
    )
