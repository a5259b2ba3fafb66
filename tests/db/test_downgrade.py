"""No migration drops the audit trail: downgrading past the kernel migration is refused."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from cityhub import audit, auth
from cityhub.db import Database
from cityhub.db.migrate import _config


def test_downgrading_to_nothing_is_refused_and_the_audit_trail_stays(db: Database) -> None:
    audit.record_alone(db, auth.Actor.system(), "test.kept", outcome=audit.Outcome.SUCCESS)
    before = audit.count_events(db)
    with pytest.raises(RuntimeError, match="audit trail must be kept"):
        command.downgrade(_config(db), "base")
    with db.engine.connect() as connection:
        kept = connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
    assert kept == before
