"""SQL text pieces for the rules: literals, column types, and a DuckDB that reads no files."""

from __future__ import annotations

import duckdb

from cityhub.catalog import ColumnType

# The DuckDB type that holds each logical column type (as the pool's Parquet files store them).
DUCKDB_TYPES: dict[ColumnType, str] = {
    ColumnType.STRING: "VARCHAR",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.FLOAT: "DOUBLE",
    ColumnType.BOOLEAN: "BOOLEAN",
    ColumnType.DATE: "DATE",
    ColumnType.TIMESTAMP: "TIMESTAMP",
    ColumnType.GEOMETRY: "VARCHAR",
}
ORDERED = (ColumnType.INTEGER, ColumnType.FLOAT, ColumnType.DATE, ColumnType.TIMESTAMP)
TEXT = (ColumnType.STRING, ColumnType.GEOMETRY)


def literal(text: str) -> str:
    """``text`` as a SQL string literal (DuckDB strings know no backslash escapes)."""
    return "'" + text.replace("'", "''") + "'"


def typed(value: object, column_type: ColumnType) -> str:
    """A constant of the column's type, e.g. ``CAST('2020-01-31' AS DATE)``."""
    return f"CAST({literal(str(value))} AS {DUCKDB_TYPES[column_type]})"


def scratch() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that may touch no file: for checking expressions, never data."""
    connection = duckdb.connect(
        ":memory:",
        config={
            "threads": "1",
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
            "python_enable_replacements": "false",
        },
    )
    connection.execute("SET enable_external_access=false")
    connection.execute("SET lock_configuration=true")
    return connection


def first_line(exc: Exception) -> str:
    """The first line of an engine error, without DuckDB's category prefix."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for prefix in (
        "Binder Error: ",
        "Parser Error: ",
        "Conversion Error: ",
        "Invalid Input Error: ",
    ):
        text = text.removeprefix(prefix)
    return text
