"""The metadata database at one instant, taken while the platform runs, and put back.

- SQLite: the sqlite3 online backup API copies every page under one read transaction; in WAL
  mode writers go on meanwhile, and what is copied is the database as of that transaction.
- PostgreSQL: one ``SERIALIZABLE READ ONLY DEFERRABLE`` transaction reads every table (the
  deferrable flavour waits for a snapshot that no concurrent transaction can make anomalous, and
  then never blocks writers or gets cancelled). The rows go into a SQLite file migrated to the
  same revision, so every backup has the same shape and needs no ``pg_dump`` of a matching
  version.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine

from cityhub.backup import tables
from cityhub.backup.manifest import TargetNotEmpty
from cityhub.db import Database, current_revision, upgrade
from cityhub.db.migrate import MIGRATIONS
from cityhub.errors import ConfigurationError


def head_revision() -> str | None:
    """The newest migration this cityhub knows."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def take_snapshot(db: Database, target: Path) -> None:
    """Write the database as of one instant to the SQLite file ``target``."""
    unknown = tables.unknown_tables(db.engine)
    if unknown:
        raise ConfigurationError(
            f"the metadata database has tables no cityhub model describes: {', '.join(unknown)}; "
            "a backup would miss them",
            details={"tables": unknown},
        )
    path = tables.sqlite_path(db.url)
    if path is not None:
        _sqlite_online_backup(Path(path), target)
    elif db.dialect == "postgresql":
        _postgres_snapshot(db, target)
    else:
        raise ConfigurationError("an in-memory database cannot be backed up")


def _sqlite_online_backup(source: Path, target: Path) -> None:
    source_connection = sqlite3.connect(source, timeout=30)
    target_connection = sqlite3.connect(target)
    try:
        # pages=-1: all pages in one step, so one read transaction sees one consistent database.
        source_connection.backup(target_connection, pages=-1)
        # A single self-contained file: no -wal/-shm beside it to forget.
        target_connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        target_connection.close()
        source_connection.close()


def _postgres_snapshot(db: Database, target: Path) -> None:
    revision = current_revision(db)
    if revision != head_revision():
        raise ConfigurationError(
            f"the database is at migration {revision}, this cityhub at {head_revision()}: "
            "run `cityhub db upgrade` first"
        )
    snapshot = Database(f"sqlite:///{target}")
    try:
        upgrade(snapshot, revision or "head")
        tables.create_iceberg_tables(snapshot.engine)
        source = db.engine.connect().execution_options(
            isolation_level="SERIALIZABLE", postgresql_readonly=True, postgresql_deferrable=True
        )
        with source, source.begin(), snapshot.engine.begin() as writer:
            tables.copy_rows(source, writer)
    finally:
        snapshot.dispose()
    _sqlite_single_file(target)


def _sqlite_single_file(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def check_target(db_url: str, *, force: bool) -> None:
    """Refuse a target database that holds tables, unless ``force`` (then clear it)."""
    target = Database(db_url)
    try:
        path = tables.sqlite_path(target.url)
        if not tables.holds_tables(target.engine):
            return
        where = path or target.url.render_as_string(hide_password=True)
        if not force:
            raise TargetNotEmpty(
                f"the target database {where} already holds tables; restore into an empty "
                "database, or pass --force to replace it",
                details={"database": where},
            )
        if path is None:
            tables.drop_everything(target.engine)
    finally:
        target.dispose()
    if path is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(path + suffix).unlink(missing_ok=True)


def restore_snapshot(snapshot: Path, db_url: str) -> Database:
    """Put the snapshot into the (empty) target database and migrate it to this cityhub's head."""
    target = Database(db_url)
    path = tables.sqlite_path(target.url)
    if path is not None:
        target.dispose()
        shutil.copyfile(snapshot, path)
        target = Database(db_url)
        upgrade(target)
        return target
    if target.dialect != "postgresql":
        raise ConfigurationError("restore needs a SQLite file or a PostgreSQL database")
    with tempfile.TemporaryDirectory(prefix="cityhub-restore-") as scratch:
        # The snapshot may be older than this cityhub: bring a copy to head, then copy across.
        current = Path(scratch) / "metadata.sqlite"
        shutil.copyfile(snapshot, current)
        source = Database(f"sqlite:///{current}")
        try:
            upgrade(source)
            upgrade(target)
            tables.create_iceberg_tables(target.engine)
            with source.engine.connect() as reader, target.engine.begin() as writer:
                tables.copy_rows(reader, writer)
                tables.reset_sequences(writer)
        finally:
            source.dispose()
    return target


def snapshot_reader(snapshot: Path) -> Engine:
    """A read-only engine over a snapshot file; reading leaves the file byte for byte as it was."""
    return create_engine(f"sqlite:///file:{snapshot}?mode=ro&uri=true")


def snapshot_counts(snapshot: Path) -> dict[str, int]:
    """Rows per table in a snapshot file."""
    engine = snapshot_reader(snapshot)
    try:
        with engine.connect() as connection:
            return tables.count_rows(connection)
    finally:
        engine.dispose()


def snapshot_revision(snapshot: Path) -> str | None:
    """The migration revision of a snapshot file."""
    engine = snapshot_reader(snapshot)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
