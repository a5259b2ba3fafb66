"""An in-process bus for new Observations: the alarm engine and MQTT subscriptions listen.

Listeners run synchronously, in publishing order, after the ingest's transaction has committed,
so a listener never sees an Observation that could still roll back. A failing listener is logged
and does not stop the others or the ingest (the Observations are stored already).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cityhub.sensing.observations import StoredObservation

Listener = Callable[["list[StoredObservation]"], None]
log = logging.getLogger("cityhub.sensing.bus")


class Bus:
    """Publish stored Observations to every subscribed listener."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` with each published batch from now on."""
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener``; unknown listeners are ignored."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def publish(self, stored: list[StoredObservation]) -> None:
        """Hand ``stored`` to every listener; errors are logged, never raised."""
        if not stored:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(stored)
            except Exception:
                log.exception("a listener failed on %d observations", len(stored))
