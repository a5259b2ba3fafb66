"""Changes made in this process to rules, silences or alarms, so that engines reload at once.

Service functions call ``changed()`` after their transaction commits; an engine compares
``generation()`` with the one it loaded. Changes made by other processes are seen by the
engine's periodic signature check instead (``AlarmEngine(refresh_seconds=…)``).
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_generation = 0


def changed() -> None:
    """Tell the engines of this process that rules, silences or alarms changed."""
    global _generation
    with _lock:
        _generation += 1


def generation() -> int:
    """A number that grows with every ``changed()``."""
    return _generation
