"""Demo witnesses that remember a log the demo database no longer has.

A witness remembers the largest tree it cosigned for each log origin and never cosigns a smaller
one: that is its whole point (a log cannot roll back unseen). In the demo, though, deleting
``cityhub.db`` and keeping the rest of the data directory is an ordinary way to start over; the
new log has the old origin and key, and the witnesses would then refuse it forever, leaving every
append waiting. So before the demo starts its witnesses, a witness state that remembers more
leaves than this database's log holds is moved aside (kept, renamed) and the witness starts
afresh, and the demo says so. A real deployment must never do this.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select

from cityhub.db import Database
from cityhub.trace.log.models import TraceLeaf
from cityhub.trace.witness import store


def log_tree_size(db: Database) -> int:
    """How many leaves the database's trace log holds."""
    with db.reading() as session:
        last = session.scalar(select(func.max(TraceLeaf.idx)))
    return 0 if last is None else int(last) + 1


def remembered_size(state_dir: Path, origin: str) -> int | None:
    """The size the witness state last cosigned for ``origin`` (None: nothing, or no state)."""
    if not (state_dir / store.DB_NAME).is_file():
        return None
    conn = store.connect(state_dir)
    try:
        latest = store.read_latest(conn, origin)
    finally:
        conn.close()
    return None if latest is None else latest.size


def set_aside_if_stale(state_dir: Path, origin: str, tree_size: int) -> str | None:
    """Move the state away if it remembers more than ``tree_size`` leaves; returns a message."""
    size = remembered_size(state_dir, origin)
    if size is None or size <= tree_size:
        return None
    kept = state_dir.with_name(f"{state_dir.name}.stale-{time.strftime('%Y%m%d-%H%M%S')}")
    state_dir.rename(kept)
    return (
        f"the witness remembered {size} entries of {origin}, this database's log has "
        f"{tree_size}: an earlier demo database. A real witness would refuse this log (a "
        f"rollback); the demo witness starts afresh (its old state is in {kept})"
    )
