"""Nothing can change or delete an audit row: the database itself refuses."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cityhub import audit, auth
from cityhub.db import Database


@pytest.fixture
def recorded(db: Database) -> Database:
    audit.record_alone(db, auth.Actor.system(), "test.event", outcome=audit.Outcome.SUCCESS)
    return db


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'someone-else'",
        "UPDATE audit_events SET outcome = 'success' WHERE outcome = 'success'",
        "DELETE FROM audit_events",
        "DELETE FROM audit_events WHERE action = 'test.event'",
    ],
)
def test_update_and_delete_are_refused(recorded: Database, statement: str) -> None:
    with recorded.engine.connect() as connection:
        before = connection.execute(text("SELECT count(*), max(actor) FROM audit_events")).one()
    with pytest.raises(DBAPIError, match="append-only"), recorded.engine.begin() as connection:
        connection.execute(text(statement))
    with recorded.engine.connect() as connection:
        after = connection.execute(text("SELECT count(*), max(actor) FROM audit_events")).one()
    assert after == before


def test_truncate_is_refused_on_postgresql(recorded: Database) -> None:
    if recorded.dialect != "postgresql":
        # SQLite has no TRUNCATE statement; its DELETE path is refused by the test above.
        return
    with pytest.raises(DBAPIError, match="append-only"), recorded.engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_events"))


def test_insert_still_works(recorded: Database) -> None:
    audit.record_alone(recorded, auth.Actor.system(), "test.again", outcome=audit.Outcome.FAILURE)
    assert audit.count_events(recorded) >= 2


def test_a_failed_write_leaves_no_audit_row(db: Database) -> None:
    before = audit.count_events(db)
    with pytest.raises(RuntimeError), db.transaction() as session:
        audit.record(session, auth.Actor.system(), "test.rolled-back")
        raise RuntimeError("the change failed")
    assert audit.count_events(db) == before
