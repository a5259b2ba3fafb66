"""A process killed in the middle of a write leaves nothing half-written."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from sqlalchemy import text

from cityhub import audit, auth
from cityhub.db import Database

# The child adds a user and its audit row in one transaction, flushes them to the database,
# then is killed with SIGKILL before it can commit.
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from cityhub import audit, auth
    from cityhub.auth.models import User
    from cityhub.db import Database
    from cityhub.auth.departments import department_by_code

    db = Database(sys.argv[1])
    with db.transaction() as session:
        session.add(User(username="half.written", display_name="x", role="analyst",
                         department=department_by_code(session, "SLJ"),
                         password_hash="x", is_active=True))
        audit.record(session, auth.Actor.system(), "user.create", object_id="half.written")
        session.flush()
        print("flushed", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_killed_writer_leaves_no_trace(db: Database) -> None:
    events_before = audit.count_events(db)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, db.url.render_as_string(hide_password=False)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == -9, result.stderr
    assert "flushed" in result.stdout
    with db.engine.connect() as connection:
        users = connection.execute(
            text("SELECT count(*) FROM users WHERE username = 'half.written'")
        )
        assert users.scalar() == 0
        if db.dialect == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert audit.count_events(db) == events_before
    # The database is still writable by the next process.
    auth.create_user(
        db,
        auth.Actor.system(),
        username="after.crash",
        password="long-enough-pw",
        department_code="SLJ",
        role=auth.Role.ANALYST,
    )
