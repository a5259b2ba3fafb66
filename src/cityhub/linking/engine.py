"""Where a linking run computes: DuckDB (embedded, the default) or Spark (``engine: spark``).

The pipeline (``records``, ``pipeline``, ``output``) is written once against ``LinkEngine``:
tables made from SQL in the engine's ``dialect``, Parquet sources, small Arrow inputs, scalar and
Arrow results, a Splink database API, and the link table written as Parquet. ``open_engine`` is
the one place that chooses the engine from the settings.

Splink samples records for u estimation, and chunks its pairs, by a hash of their ids; its
DuckDB and Spark dialects hash differently (DuckDB's 64-bit ``hash``, Spark's 32-bit murmur3),
so the same seed would pick different records. Both APIs here hash with the first 60 bits of
MD5 instead, which both engines compute alike: the same seed samples the same pairs, and a
trained model is the same on both (docs/decisions.md, issue 8).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb
import pyarrow as pa
from splink import DuckDBAPI
from splink.internals.database_api import DatabaseAPISubClass
from splink.internals.dialects import DuckDBDialect

from cityhub.linking.dialect import DUCKDB, Dialect

if TYPE_CHECKING:
    from cityhub.pool.service import Pool

PARQUET_ROW_GROUP = 1_048_576


class LinkEngine(Protocol):
    """What the linking pipeline asks of an engine; SQL in ``dialect``."""

    dialect: Dialect

    def create(self, table: str, sql: str) -> None:
        """Materialise ``sql`` as ``table`` (replacing it)."""

    def view(self, name: str, sql: str) -> None:
        """A view ``name`` over ``sql`` (replacing it)."""

    def drop(self, table: str) -> None:
        """Forget ``table``."""

    def source(self, view: str, files: Sequence[str]) -> None:
        """Parquet ``files`` as the view ``view``, columns matched by name."""

    def load(self, table: str, data: pa.Table) -> None:
        """A small Arrow table as ``table``."""

    def scalar(self, sql: str) -> Any:
        """The first value of the first row."""

    def arrow(self, sql: str) -> pa.Table:
        """The whole result, as Arrow."""

    def splink(self) -> DatabaseAPISubClass:
        """A Splink database API over this engine's tables."""

    def write_parquet(self, sql: str, folder: Path) -> list[Path]:
        """Write the result (in its ORDER BY) as ``part-NNNNN.parquet`` files into ``folder``."""


def portable_hash(value: str, d: Dialect) -> str:
    """A non-negative BIGINT from the first 15 hex digits of MD5: the same on both engines."""
    if d.spark:
        return f"CAST(conv(substr(md5(CAST({value} AS STRING)), 1, 15), 16, 10) AS BIGINT)"
    return f"CAST(('0x' || left(md5(CAST({value} AS VARCHAR)), 15)) AS BIGINT)"


class _PortableDuckDBDialect(DuckDBDialect):
    """Splink's DuckDB dialect hashing ids as ``portable_hash`` does."""

    def hash_function_expression(self, col_expression: str) -> str:
        return portable_hash(col_expression, DUCKDB)

    def hash_bucket_expression(self, col_expression: str, modulus: int) -> str:
        return f"({self.hash_function_expression(col_expression)} % {int(modulus)})"


class _DuckDBAPI(DuckDBAPI):
    sql_dialect = _PortableDuckDBDialect()  # type: ignore[no-untyped-call]


class DuckDBEngine:
    """Linking on a DuckDB connection (the run's own; tests pass any connection)."""

    dialect = DUCKDB

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def create(self, table: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}")

    def view(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")

    def drop(self, table: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {table}")

    def source(self, view: str, files: Sequence[str]) -> None:
        listed = ", ".join(DUCKDB.literal(path) for path in files)
        self.view(view, f"SELECT * FROM read_parquet([{listed}], union_by_name = true)")

    def load(self, table: str, data: pa.Table) -> None:
        self.con.register("_linking_arrow_input", data)
        try:
            self.create(table, "SELECT * FROM _linking_arrow_input")
        finally:
            self.con.unregister("_linking_arrow_input")

    def scalar(self, sql: str) -> Any:
        return self.con.execute(sql).fetchall()[0][0]

    def arrow(self, sql: str) -> pa.Table:
        table: pa.Table = self.con.sql(sql).to_arrow_table()
        return table

    def splink(self) -> DatabaseAPISubClass:
        return _DuckDBAPI(self.con)

    def write_parquet(self, sql: str, folder: Path) -> list[Path]:
        target = folder / "part-00000.parquet"
        self.con.execute(
            f"COPY ({sql}) TO {DUCKDB.literal(str(target))} (FORMAT parquet, "
            f"COMPRESSION snappy, ROW_GROUP_SIZE {PARQUET_ROW_GROUP})"
        )
        return [target]


def as_engine(engine: LinkEngine | duckdb.DuckDBPyConnection) -> LinkEngine:
    """An engine as given, or a DuckDB connection wrapped as one."""
    if isinstance(engine, duckdb.DuckDBPyConnection):
        return DuckDBEngine(engine)
    return engine


@contextmanager
def _duckdb(pool: Pool, scratch: Path) -> Iterator[LinkEngine]:
    """A DuckDB connection of the run's own: its memory limit, spilling into ``scratch``.

    It may touch only the warehouse (to read the sources, write the link table) and ``scratch``.
    """
    settings = pool.settings
    con = duckdb.connect(
        ":memory:",
        config={
            "memory_limit": settings.linking_memory_limit,
            "threads": str(settings.query_threads),
            "temp_directory": str(scratch),
            "preserve_insertion_order": "false",
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
            "python_enable_replacements": "false",
        },
    )
    try:
        folders = (pool.warehouse.root, scratch.resolve())
        allowed = ", ".join("'" + f"{p}/".replace("'", "''") + "'" for p in folders)
        con.execute(f"SET allowed_directories = [{allowed}]")
        con.execute("SET enable_external_access = false")
        yield DuckDBEngine(con)
    finally:
        con.close()


@contextmanager
def open_engine(pool: Pool, scratch: Path) -> Iterator[LinkEngine]:
    """The engine of one run, as the settings choose; ``scratch`` is removed afterwards."""
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        if pool.settings.engine == "spark":
            from cityhub.linking.spark import spark_engine

            with spark_engine(pool.settings, scratch) as engine:
                yield engine
        else:
            with _duckdb(pool, scratch) as engine:
                yield engine
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
