"""An alarm raise killed (SIGKILL) inside the engine's transaction leaves no alarm, no history
and no audit row; after the restart the same reading raises exactly one alarm."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from sqlalchemy import func, select

from cityhub.audit.models import AuditEvent
from cityhub.db import Database
from cityhub.sensing.alarms import AlarmEngine, create_rule, water_level_rule
from cityhub.sensing.alarms.models import Alarm, AlarmEvent
from cityhub.sensing.alarms.vocab import AlarmStatus
from tests.sensing.alarms.conftest import ADMIN, T0, City, minutes, obs

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime
    from cityhub.db import Database
    from cityhub.sensing.alarms import engine as module
    from cityhub.sensing.observations import StoredObservation

    apply_steps = module.apply_steps

    def apply_then_die(session, steps, now):
        done = apply_steps(session, steps, now)
        session.flush()  # the alarm, its history and audit rows are in the database
        os.kill(os.getpid(), signal.SIGKILL)
        return done

    module.apply_steps = apply_then_die
    at = datetime.fromisoformat(sys.argv[4])
    reading = StoredObservation(id=1, datastream_id=int(sys.argv[2]), thing_id=int(sys.argv[3]),
                                phenomenon_time=at, result=31.2, result_number=31.2,
                                parameters=None)
    module.AlarmEngine(Database(sys.argv[1]), lambda: at).observe([reading])
    """
)


def _written(db: Database) -> tuple[int, int, int]:
    with db.reading() as session:
        alarm_audit = select(func.count()).where(AuditEvent.object_type == "alarm")
        return (
            session.scalar(select(func.count()).select_from(Alarm)) or 0,
            session.scalar(select(func.count()).select_from(AlarmEvent)) or 0,
            session.scalar(alarm_audit.select_from(AuditEvent)) or 0,
        )


def test_a_killed_raise_leaves_nothing_and_raises_once_after_restart(
    db: Database, city: City
) -> None:
    create_rule(db, ADMIN, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0), now=T0)
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLER,
            db.url.render_as_string(hide_password=False),
            str(city.tuhai_level),
            str(city.tuhai),
            minutes(5).isoformat(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert _written(db) == (0, 0, 0)
    restarted = AlarmEngine(db, lambda: minutes(5))
    changes = restarted.observe([obs(city, city.tuhai_level, minutes(5), 31.2)])
    assert [c.status for c in changes] == [AlarmStatus.ACTIVE]
    assert restarted.observe([obs(city, city.tuhai_level, minutes(6), 31.3)]) == []
    assert _written(db) == (1, 1, 1)  # one alarm, one raise in its history, one audit row
