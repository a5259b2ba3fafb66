"""Table-by-table copies between metadata databases of either kind, through SQLAlchemy's types.

Reading and writing through the models' ``Table`` objects (not raw driver values) is what lets a
snapshot taken on PostgreSQL land in a SQLite file and back: timestamps, JSON and binary columns
are converted by the same types the application uses.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Table, func, inspect, select, text
from sqlalchemy.engine import URL

import cityhub.models  # noqa: F401  (registers every table on Base.metadata)
from cityhub.db.base import Base

_BATCH = 1000
# Tables cityhub does not model itself: the migration marker, and PyIceberg's SQL catalogue.
_ALEMBIC = "alembic_version"


def iceberg_tables() -> list[Table]:
    """PyIceberg's catalogue tables, which live in the metadata database beside cityhub's."""
    from pyiceberg.catalog.sql import SqlCatalogBaseTable

    return list(SqlCatalogBaseTable.metadata.sorted_tables)


def all_tables() -> list[Table]:
    """Every table a backup holds, parents before children."""
    return [*Base.metadata.sorted_tables, *iceberg_tables()]


def unknown_tables(engine: Engine) -> list[str]:
    """Tables in the database that no model describes (a backup would silently miss them)."""
    known = {t.name for t in all_tables()} | {_ALEMBIC}
    return sorted(set(inspect(engine).get_table_names()) - known)


def create_iceberg_tables(engine: Engine) -> None:
    """Create PyIceberg's catalogue tables, as its SqlCatalog does on first use."""
    from pyiceberg.catalog.sql import SqlCatalogBaseTable

    SqlCatalogBaseTable.metadata.create_all(engine)


def copy_rows(source: Connection, target: Connection) -> dict[str, int]:
    """Copy every row of every table, in primary-key order; returns rows per table.

    Primary-key order matters for the one self-reference (a correcting progress report points
    at the report it corrects, which has the smaller id).
    """
    counts: dict[str, int] = {}
    present = set(inspect(source).get_table_names())
    for table in all_tables():
        if table.name not in present:
            continue
        query = select(table).order_by(*table.primary_key.columns)
        result = source.execution_options(stream_results=True, yield_per=_BATCH).execute(query)
        count = 0
        for batch in result.partitions(_BATCH):
            target.execute(table.insert(), [row._asdict() for row in batch])
            count += len(batch)
        counts[table.name] = count
    return counts


def count_rows(connection: Connection) -> dict[str, int]:
    """Rows per table of the tables a backup holds."""
    present = set(inspect(connection).get_table_names())
    return {
        table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
        for table in all_tables()
        if table.name in present
    }


def reset_sequences(connection: Connection) -> None:
    """On PostgreSQL, move each serial/identity sequence past the ids copied in."""
    if connection.dialect.name != "postgresql":
        return
    for table in all_tables():
        for column in table.primary_key.columns:
            if not column.autoincrement or column.type.python_type is not int:
                continue
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            )
            if sequence is None:
                continue
            preparer = connection.dialect.identifier_preparer
            connection.execute(
                text(
                    f"SELECT setval(:sequence, COALESCE(MAX({preparer.quote(column.name)}), 1), "
                    f"MAX({preparer.quote(column.name)}) IS NOT NULL) "
                    f"FROM {preparer.quote(table.name)}"
                ),
                {"sequence": sequence},
            )


def holds_tables(engine: Engine) -> bool:
    """Whether the database has any table at all (a fresh target has none)."""
    return bool(inspect(engine).get_table_names())


def drop_everything(engine: Engine) -> None:
    """Drop every table (and the audit trigger's function) of a PostgreSQL target, for --force."""
    names = inspect(engine).get_table_names()
    with engine.begin() as connection:
        preparer = connection.dialect.identifier_preparer
        for name in names:
            connection.execute(text(f"DROP TABLE IF EXISTS {preparer.quote(name)} CASCADE"))
        connection.execute(text("DROP FUNCTION IF EXISTS audit_events_refuse_change() CASCADE"))


def sqlite_path(url: URL) -> str | None:
    """The file of a SQLite URL; None for PostgreSQL or an in-memory database."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database
