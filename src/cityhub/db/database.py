"""``Database``: the engine, sessions and transactions of the metadata database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from cityhub.errors import ConfigurationError


def normalise_url(raw: str) -> URL:
    """Parse a database URL; plain ``postgresql://`` means the psycopg 3 driver."""
    try:
        url = make_url(raw)
    except Exception as exc:
        raise ConfigurationError(f"CITYHUB_DATABASE_URL is not a valid URL: {exc}") from exc
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigurationError(
            f"unsupported database {url.get_backend_name()!r}: use sqlite or postgresql"
        )
    return url


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; foreign keys are off in SQLite unless asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """The metadata database, SQLite or PostgreSQL behind one interface.

    >>> db = Database("sqlite:///var/cityhub.db")
    >>> with db.transaction() as session:
    ...     session.add(obj)          # committed on leaving the block, rolled back on error
    """

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        if self.url.get_backend_name() == "sqlite" and self.url.database not in (
            None,
            "",
            ":memory:",
        ):
            from pathlib import Path

            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(self.url, pool_pre_ping=True)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _configure_sqlite)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, *, immediate: bool = False) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back on an error.

        ``immediate`` takes SQLite's write lock when the transaction starts (``BEGIN
        IMMEDIATE``). Ask for it where a transaction reads inside a savepoint and then writes:
        the savepoint opens a deferred transaction whose snapshot goes stale once another
        writer commits, and SQLite then refuses the upgrade to writer at once ("database is
        locked") instead of waiting under ``busy_timeout``. It must not be asked for by a
        transaction that opens another one on the same database inside it.
        """
        with self._sessions() as session, session.begin():
            if immediate and self.dialect == "sqlite":
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; nothing it does is committed. Loaded objects stay usable after."""
        with self._sessions() as session:
            yield session

    @cached_property
    def lock_engine(self) -> Engine:
        """Connections that hold locks (``cityhub.db.locks``), outside the pool: a held lock does
        not take one of the pool's connections for good, and closing it frees its locks."""
        return create_engine(self.url, poolclass=NullPool)

    def ping(self) -> None:
        """Raise if the database does not answer."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if "lock_engine" in self.__dict__:
            self.lock_engine.dispose()
