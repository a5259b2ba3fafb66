"""First start of the programme office: the policy's tasks and the 十百千 targets."""

from __future__ import annotations

from cityhub.db import Database
from cityhub.programme.targets import ensure_goal_targets
from cityhub.programme.tasks import ensure_tasks


def ensure_programme(db: Database) -> int:
    """Load the 19 tasks from the policy and the 十百千 targets where missing; idempotent.

    Returns how many tasks and targets were added (0 on every start after the first).
    """
    with db.transaction() as session:
        added = ensure_tasks(session)
        session.flush()  # the targets refer to tasks 9, 17 and 19
        return added + ensure_goal_targets(session)
