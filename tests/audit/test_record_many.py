"""``record_many``: many audit rows in one statement, committing or vanishing with the change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cityhub import audit, auth
from cityhub.audit.models import AuditEvent
from cityhub.db import Database

ANALYST = auth.Actor(7, "li.na", auth.Role.ANALYST, "SJJ", client_address="10.0.0.8")


def test_every_entry_becomes_a_row_with_its_actor_and_details(db: Database) -> None:
    entries = [
        audit.Entry(ANALYST, "test.read", object_type="dataset", object_id="a", details={"n": 1}),
        audit.Entry(auth.Actor.system(), "test.write", outcome=audit.Outcome.FAILURE),
    ]
    with db.transaction() as session:
        audit.record_many(session, entries)
    with db.reading() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("test.%")).order_by(AuditEvent.id)
        ).all()
    assert [
        (r.actor, r.actor_department, r.client_address, r.action, r.object_id, r.outcome, r.details)
        for r in rows
    ] == [
        ("li.na", "SJJ", "10.0.0.8", "test.read", "a", "success", {"n": 1}),
        ("system", None, "local", "test.write", None, "failure", {}),
    ]
    assert all(r.occurred_at is not None for r in rows)


def test_rows_of_a_failed_change_are_not_kept(db: Database) -> None:
    before = audit.count_events(db)
    with pytest.raises(RuntimeError), db.transaction() as session:
        audit.record_many(session, [audit.Entry(ANALYST, "test.rolled-back")] * 3)
        raise RuntimeError("the change failed")
    assert audit.count_events(db) == before


def test_no_entries_write_nothing(db: Database) -> None:
    before = audit.count_events(db)
    with db.transaction() as session:
        audit.record_many(session, [])
    assert audit.count_events(db) == before
