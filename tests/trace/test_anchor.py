"""Audit anchoring: anchors chain the audit rows, and a rewritten row is found and named."""

from __future__ import annotations

from sqlalchemy import select, text

from cityhub import audit
from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.trace.anchor import anchor_audit, verify_audit_anchors
from cityhub.trace.leaves import AuditAnchorLeaf, parse_leaf
from cityhub.trace.log import TraceLog
from cityhub.trace.models import TraceAuditAnchor


def _some_rows(db: Database, count: int) -> None:
    for number in range(count):
        audit.record_alone(
            db, Actor.system(), "test.action", object_id=str(number), outcome=audit.Outcome.SUCCESS
        )


def _rewrite(db: Database, row_id: int) -> None:
    """What an attacker with database access would do: drop the guard, rewrite, restore it."""
    with db.engine.begin() as connection:
        if db.dialect == "sqlite":
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(
                text("UPDATE audit_events SET actor = 'nobody' WHERE id = :id"), {"id": row_id}
            )
        else:
            connection.execute(
                text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change")
            )
            connection.execute(
                text("UPDATE audit_events SET actor = 'nobody' WHERE id = :id"), {"id": row_id}
            )
            connection.execute(
                text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change")
            )


def test_anchors_cover_new_rows_in_chained_leaves(db: Database, tlog: TraceLog) -> None:
    _some_rows(db, 3)
    first = anchor_audit(db, tlog, settle_seconds=0)
    assert first is not None
    leaf = parse_leaf(tlog.leaf(first.log_index))
    assert leaf == AuditAnchorLeaf(first.first_id, first.last_id, first.hash)
    assert first.first_id == 1
    _some_rows(db, 2)
    second = anchor_audit(db, tlog, settle_seconds=0)
    assert second is not None
    # The anchor's own audit row is anchored by the next one.
    assert second.first_id == first.last_id + 1
    assert second.rows == 3
    assert verify_audit_anchors(db, tlog) == []


def test_nothing_new_means_no_anchor(db: Database, tlog: TraceLog) -> None:
    _some_rows(db, 1)
    assert anchor_audit(db, tlog, settle_seconds=0) is not None
    with db.reading() as session:
        last = session.scalar(select(TraceAuditAnchor.last_id))
    assert anchor_audit(db, tlog, settle_seconds=3600) is None  # the anchor's row is too young
    with db.reading() as session:
        assert session.scalar(select(TraceAuditAnchor.last_id)) == last


def test_a_rewritten_audit_row_is_detected_and_named(db: Database, tlog: TraceLog) -> None:
    _some_rows(db, 5)
    anchor_audit(db, tlog, settle_seconds=0)
    _some_rows(db, 2)
    anchor_audit(db, tlog, settle_seconds=0)
    with db.reading() as session:
        target = session.scalar(
            select(AuditEvent.id).where(AuditEvent.object_id == "3").order_by(AuditEvent.id)
        )
    assert target is not None
    _rewrite(db, target)
    problems = verify_audit_anchors(db, tlog)
    assert [p.audit_id for p in problems] == [target]
    assert f"audit row {target} was rewritten" in problems[0].message


def test_doctored_anchor_rows_do_not_hide_a_rewrite(db: Database, tlog: TraceLog) -> None:
    _some_rows(db, 3)
    result = anchor_audit(db, tlog, settle_seconds=0)
    assert result is not None
    _rewrite(db, result.first_id)
    with db.engine.begin() as connection:  # recompute nothing, just make the stored copy agree
        connection.execute(text("UPDATE trace_audit_anchors SET row_digests = '[]'"))
    [problem] = verify_audit_anchors(db, tlog)
    assert (problem.log_index, problem.audit_id) == (result.log_index, None)
    assert problem.message.endswith("chain hash does not match")


def test_a_rewritten_anchor_leaf_is_detected(db: Database, tlog: TraceLog) -> None:
    _some_rows(db, 2)
    result = anchor_audit(db, tlog, settle_seconds=0)
    assert result is not None
    with db.engine.begin() as connection:
        data = connection.execute(
            text("SELECT data FROM trace_leaves WHERE idx = :i"), {"i": result.log_index}
        ).scalar_one()
        forged = bytes(data).replace(b"audit 1 ", b"audit 2 ")
        connection.execute(
            text("UPDATE trace_leaves SET data = :d WHERE idx = :i"),
            {"d": forged, "i": result.log_index},
        )
    problems = verify_audit_anchors(db, tlog)
    assert any(
        p.message.startswith(f"anchor at log index {result.log_index}: leaf not verified")
        for p in problems
    ), problems
