"""The metadata database: pragmas, migrations matching the models, timestamps, URLs."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import cityhub.models  # noqa: F401
from cityhub.auth.models import Department, User
from cityhub.db import Base, Database, current_revision, upgrade
from cityhub.db.database import normalise_url
from cityhub.errors import ConfigurationError


def test_migrations_create_exactly_the_models(bare_db: Database) -> None:
    with bare_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_is_idempotent(bare_db: Database) -> None:
    upgrade(bare_db)
    assert current_revision(bare_db) == "0016"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(bare_db: Database) -> None:
    if bare_db.dialect != "sqlite":
        return
    with bare_db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(bare_db: Database) -> None:
    with pytest.raises(IntegrityError), bare_db.transaction() as session:
        session.add(
            User(
                username="orphan",
                display_name="orphan",
                department_id=9999,
                role="analyst",
                password_hash="x",
                is_active=True,
            )
        )


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2020, 4, 7, 9, 30, tzinfo=UTC),
        datetime(2020, 4, 7, 17, 30, tzinfo=timezone(timedelta(hours=8))),
    ],
)
def test_timestamps_come_back_aware_in_utc(bare_db: Database, moment: datetime) -> None:
    with bare_db.transaction() as session:
        session.add(
            Department(code="T1", name_zh="测试", name_en="Test", kind="city", created_at=moment)
        )
    with bare_db.reading() as session:
        stored = session.query(Department).filter_by(code="T1").one().created_at
    assert stored == moment and stored.tzinfo == UTC


def test_naive_timestamps_are_refused(bare_db: Database) -> None:
    with pytest.raises(Exception, match="naive"), bare_db.transaction() as session:
        session.add(
            Department(
                code="T2",
                name_zh="测试",
                name_en="Test",
                kind="city",
                created_at=datetime(2020, 1, 1),
            )
        )


@pytest.mark.parametrize(
    ("raw", "driver"),
    [
        ("sqlite:///var/cityhub.db", "sqlite"),
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
    ],
)
def test_database_urls(raw: str, driver: str) -> None:
    assert normalise_url(raw).drivername == driver


@pytest.mark.parametrize("raw", ["mysql://u@h/db", "not a url", ""])
def test_unsupported_database_urls_are_configuration_errors(raw: str) -> None:
    with pytest.raises(ConfigurationError):
        normalise_url(raw)


def test_a_sqlite_transaction_that_read_first_waits_for_another_writer(tmp_path: Path) -> None:
    # A deferred transaction that has read (here inside a savepoint, as the alarm engine
    # does) cannot upgrade to a writer once another writer has committed: SQLite answers
    # "database is locked" at once. transaction(immediate=True) takes the write lock first.
    db = Database(f"sqlite:///{tmp_path / 'locks.db'}")
    with db.transaction() as session:
        session.execute(text("CREATE TABLE t (v INTEGER)"))

    def other_writer() -> None:
        with db.transaction() as session:
            session.execute(text("INSERT INTO t VALUES (2)"))

    with db.transaction(immediate=True) as session, session.begin_nested():
        assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
        writer = threading.Thread(target=other_writer)
        writer.start()
        writer.join(timeout=0.5)  # it waits for our lock rather than committing under us
        assert writer.is_alive()
        session.execute(text("INSERT INTO t VALUES (1)"))
    writer.join(timeout=10)
    assert not writer.is_alive()
    with db.reading() as session:
        assert session.execute(text("SELECT v FROM t ORDER BY rowid")).scalars().all() == [1, 2]
    db.dispose()
