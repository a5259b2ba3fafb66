"""The traceability side of a running platform: the log's threads and the audit anchoring.

The log (its sequencer and publisher) runs in every process: each appends to the shared log
under a row lock. Anchoring new audit rows is a worker (``anchor``), run by one process at a
time (``cityhub.workers``).
"""

from __future__ import annotations

import logging
import threading

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.trace.log import TraceLog
from cityhub.workers import Worker

log = logging.getLogger(__name__)


class Trace:
    """Owns the trace log of one process and, as the ``anchor`` worker, anchors new audit rows
    in it periodically."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.log = TraceLog(db, settings)
        self._stop = threading.Event()
        self._anchorer: threading.Thread | None = None

    def start(self) -> None:
        self.log.start()

    def stop(self) -> None:
        self._stop_anchoring()  # the supervisor has normally stopped it already
        self.log.stop()

    def workers(self) -> list[Worker]:
        """The ``anchor`` worker, unless anchoring is switched off (0 minutes)."""
        if self.settings.trace_audit_anchor_minutes <= 0:
            return []
        return [Worker.threaded("anchor", self._start_anchoring, self._stop_anchoring)]

    def _start_anchoring(self) -> None:
        seconds = self.settings.trace_audit_anchor_minutes * 60.0
        self._stop.clear()
        self._anchorer = threading.Thread(
            target=self._anchor_every, args=(seconds,), name="trace-anchor", daemon=True
        )
        self._anchorer.start()

    def _stop_anchoring(self) -> None:
        self._stop.set()
        if self._anchorer is not None:
            self._anchorer.join(timeout=30)
            self._anchorer = None

    def _anchor_every(self, seconds: float) -> None:
        from cityhub.trace.anchor import anchor_audit

        while not self._stop.wait(seconds):
            try:
                anchor_audit(self.db, self.log)
            except Exception:  # the next round tries again; nothing is lost meanwhile
                log.exception("audit anchoring failed")
