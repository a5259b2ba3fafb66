"""A grant approval killed (SIGKILL) inside its transaction leaves nothing half-done: the request
still pending, no grant, no notification, no audit row of the approval; approving again works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime

from sqlalchemy import func, select

from cityhub import sharing
from cityhub.audit.models import AuditEvent
from cityhub.catalog.models import SharingGrant
from cityhub.db import Database
from cityhub.sharing import RequestStatus
from cityhub.sharing.models import Notification
from tests.sharing.conftest import ANALYST, STEWARD

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime
    from cityhub import sharing
    from cityhub.auth import Actor, Role
    from cityhub.db import Database
    from cityhub.sharing import requests as module

    notify = module.notify

    def notify_then_die(session, *args, **kwargs):
        notify(session, *args, **kwargs)
        session.flush()  # the grant, the request's new state and the notice are in the database
        os.kill(os.getpid(), signal.SIGKILL)

    module.notify = notify_then_die
    steward = Actor(None, "scjgj.steward", Role.STEWARD, "SCJGJ", "10.0.0.9")
    sharing.approve(Database(sys.argv[1]), steward, int(sys.argv[2]),
                    now=datetime.fromisoformat(sys.argv[3]))
    """
)


def _counts(db: Database) -> tuple[int, int, int]:
    with db.reading() as session:
        approvals = select(func.count()).where(AuditEvent.action == "sharing.approve")
        return (
            session.scalar(select(func.count()).select_from(SharingGrant)) or 0,
            session.scalar(select(func.count()).select_from(Notification)) or 0,
            session.scalar(approvals.select_from(AuditEvent)) or 0,
        )


def test_a_killed_approval_leaves_the_request_pending_and_no_grant(
    db: Database, listed: str
) -> None:
    request = sharing.request_access(
        db, ANALYST, listed, purpose="核对涉农市场主体的登记信息", days=30, now=NOW
    )
    before = _counts(db)
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLER,
            db.url.render_as_string(hide_password=False),
            str(request.id),
            NOW.isoformat(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert _counts(db) == before
    assert sharing.get_request(db, STEWARD, request.id, now=NOW).status == RequestStatus.PENDING
    approved = sharing.approve(db, STEWARD, request.id, now=NOW)  # after the "restart"
    assert approved.status == RequestStatus.APPROVED
    grants, notices, approvals = _counts(db)
    assert (grants, approvals) == (before[0] + 1, before[2] + 1) and notices > before[1]
