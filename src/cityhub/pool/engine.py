"""The query engine seam: DuckDB over the Parquet files of chosen Iceberg snapshots, locked down.

Everything that reads pool data goes through ``Engine``; a later Spark engine implements the same
three methods. The DuckDB connection that serves users may read files under the warehouse only
(``allowed_directories`` with external access off), cannot change its configuration
(``lock_configuration``), has a memory limit, and every query has a time limit (``interrupt``)
and a row cap. Datasets appear as views, one per (dataset, snapshot, masked or not); a view's
files never change, so views are created once and shared by all queries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from cityhub.errors import InvalidInput, QueryTimeout


@dataclass(frozen=True)
class Relation:
    """A dataset version as a view: its name, files and the SELECT list (masking applied)."""

    name: str
    files: tuple[str, ...]
    select_list: tuple[str, ...]


@dataclass(frozen=True)
class Results:
    """Rows of a query, their column names, and whether the row cap cut them."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool


class QueryEngine(Protocol):
    """What the processing path needs of an engine: DuckDB here, Spark in ``pool.spark``."""

    root: Path  # the warehouse: scratch files a query reads go under it
    # Whether results cross a network to reach this process (Spark's driver): work that would
    # pull whole columns into Python is then left to the engine's own SQL.
    distributed: bool

    def query(
        self,
        relations: Sequence[Relation],
        sql: str,
        params: Sequence[Any] = (),
        *,
        time_limit_ms: int,
        max_rows: int,
    ) -> Results: ...

    def stream(
        self,
        relations: Sequence[Relation],
        sql: str,
        params: Sequence[Any] = (),
        *,
        batch_rows: int = 65_536,
    ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]: ...

    def close(self) -> None: ...


def quote(identifier: str) -> str:
    """A DuckDB-quoted identifier."""
    return '"' + identifier.replace('"', '""') + '"'


class Engine:
    """Locked DuckDB over the pool's files.

    >>> engine = Engine(Path("var/warehouse"), memory_limit="2GB", threads=2)
    >>> engine.query([relation], 'SELECT count(*) FROM "v_7_1_m"', time_limit_ms=900, max_rows=9)
    """

    def __init__(self, root: Path, *, memory_limit: str, threads: int) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()
        self.distributed = False
        self._lock = threading.Lock()
        self._views: set[str] = set()
        self._base = duckdb.connect(
            ":memory:",
            config={
                "threads": str(threads),
                "memory_limit": memory_limit,
                "autoinstall_known_extensions": "false",
                "autoload_known_extensions": "false",
                # An unknown table name must never resolve to a Python variable of the caller.
                "python_enable_replacements": "false",
            },
        )
        self._base.execute(f"SET allowed_directories=[{_literal(str(self.root) + '/')}]")
        self._base.execute("SET enable_external_access=false")
        self._base.execute("SET lock_configuration=true")

    def _ensure(self, relations: Sequence[Relation]) -> None:
        with self._lock:
            for relation in relations:
                if relation.name in self._views:
                    continue
                files = ", ".join(_literal(f) for f in relation.files)
                source = (
                    f"read_parquet([{files}], union_by_name=true)"
                    if relation.files
                    else "(SELECT 1 WHERE false)"
                )
                self._base.execute(
                    f"CREATE VIEW {quote(relation.name)} AS "
                    f"SELECT {', '.join(relation.select_list)} FROM {source}"
                )
                self._views.add(relation.name)

    def query(
        self,
        relations: Sequence[Relation],
        sql: str,
        params: Sequence[Any] = (),
        *,
        time_limit_ms: int,
        max_rows: int,
    ) -> Results:
        """Run ``sql`` (which may read only ``relations``) with a time limit and a row cap."""
        self._ensure(relations)
        cursor = self._base.cursor()
        timer = threading.Timer(time_limit_ms / 1000, cursor.interrupt)
        timer.start()
        try:
            cursor.execute(sql, list(params))
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchmany(max_rows + 1)
        except duckdb.InterruptException as exc:
            raise QueryTimeout(
                f"the query ran longer than {time_limit_ms} ms and was stopped",
                details={"time_limit_ms": time_limit_ms},
            ) from exc
        except duckdb.Error as exc:
            raise InvalidInput(
                f"the query failed: {_first_line(exc)}", details={"engine": "duckdb"}
            ) from exc
        finally:
            timer.cancel()
            cursor.close()
        return Results(columns, rows[:max_rows], len(rows) > max_rows)

    def stream(
        self,
        relations: Sequence[Relation],
        sql: str,
        params: Sequence[Any] = (),
        *,
        batch_rows: int = 65_536,
    ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
        """Stream a query's result as Arrow batches (for exports): no row cap, bounded memory."""
        self._ensure(relations)
        cursor = self._base.cursor()
        try:
            # A relation streams; an executed DB-API cursor would hold the whole result first.
            relation = cursor.sql(sql, params=list(params))
            reader: pa.RecordBatchReader = relation.to_arrow_reader(batch_rows)
        except duckdb.Error as exc:
            cursor.close()
            raise InvalidInput(
                f"the query failed: {_first_line(exc)}", details={"engine": "duckdb"}
            ) from exc

        def batches() -> Iterator[pa.RecordBatch]:
            try:
                yield from reader
            finally:
                cursor.close()

        return reader.schema, batches()

    def result_schema(self, relations: Sequence[Relation], sql: str) -> pa.Schema:
        """The Arrow schema of a query's result, planned without reading a row."""
        self._ensure(relations)
        cursor = self._base.cursor()
        try:
            return cursor.sql(f"SELECT * FROM ({sql}) LIMIT 0").to_arrow_table().schema
        except duckdb.Error as exc:
            raise InvalidInput(
                f"the query failed: {_first_line(exc)}", details={"engine": "duckdb"}
            ) from exc
        finally:
            cursor.close()

    def close(self) -> None:
        """Close the engine's connection."""
        self._base.close()


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """Another engine's batch with ``schema``'s names and types, column by column in order."""
    arrays = [column.cast(field.type) for column, field in zip(batch.columns, schema, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
