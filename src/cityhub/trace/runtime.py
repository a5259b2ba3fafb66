"""The traceability side of a running platform: the log's threads and the audit anchoring."""

from __future__ import annotations

import logging
import threading

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.trace.log import TraceLog

log = logging.getLogger(__name__)


class Trace:
    """Owns the trace log of one process and anchors new audit rows in it periodically."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.log = TraceLog(db, settings)
        self._stop = threading.Event()
        self._anchorer: threading.Thread | None = None

    def start(self) -> None:
        self.log.start()
        minutes = self.settings.trace_audit_anchor_minutes
        if minutes > 0:
            self._stop.clear()
            self._anchorer = threading.Thread(
                target=self._anchor_every, args=(minutes * 60.0,), name="trace-anchor", daemon=True
            )
            self._anchorer.start()

    def stop(self) -> None:
        self._stop.set()
        if self._anchorer is not None:
            self._anchorer.join(timeout=30)
            self._anchorer = None
        self.log.stop()

    def _anchor_every(self, seconds: float) -> None:
        from cityhub.trace.anchor import anchor_audit

        while not self._stop.wait(seconds):
            try:
                anchor_audit(self.db, self.log)
            except Exception:  # the next round tries again; nothing is lost meanwhile
                log.exception("audit anchoring failed")
