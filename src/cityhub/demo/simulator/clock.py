"""Simulated time: 10-minute steps whose phenomenon times lie in the past and catch up to now.

A scenario covers a stretch of simulated time that ends at (or just before) the moment it is
played, so every Observation it sends has already happened: nothing is in the future, and the
alarm engine — which judges by phenomenon time — sees the same sequence a real network would
have produced. When the stations already hold data newer than a scenario's first step, the
scenario starts after that data instead, and steps whose time has not come yet are held back
until it has (``Pacer``): a replay must never go back in time behind what is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

STEP = timedelta(minutes=10)
BEIJING = timezone(timedelta(hours=8), "CST")  # the clock of the stations and of the pages


def floor_time(moment: datetime, unit: timedelta) -> datetime:
    """``moment`` rounded down to a multiple of ``unit`` (since the epoch, in UTC).

    >>> floor_time(datetime(2024, 6, 1, 8, 47, 12, tzinfo=UTC), STEP).isoformat()
    '2024-06-01T08:40:00+00:00'
    """
    seconds = int(unit.total_seconds())
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def ceil_time(moment: datetime, unit: timedelta) -> datetime:
    """``moment`` rounded up to a multiple of ``unit`` (itself when already on one)."""
    floor = floor_time(moment, unit)
    return floor if floor == moment else floor + unit


def first_step(
    now: datetime, steps: int, align: timedelta, *, after: datetime | None = None
) -> datetime:
    """When a scenario of ``steps`` steps starts so that its last step is the latest multiple of
    ``align`` not after ``now`` — or, when data up to ``after`` is stored already, the first
    multiple of ``align`` later than ``after`` (then some steps lie ahead of ``now``)."""
    start = floor_time(now, align) - STEP * (steps - 1)
    if after is not None and start <= after:
        start = ceil_time(after + timedelta(microseconds=1), align)
    return start


def local(moment: datetime) -> str:
    """``moment`` as Beijing wall-clock time, for what the simulator prints."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


class Pacer:
    """Spaces the steps of a run: ``step_seconds`` of real time between two steps, and a step is
    never sent before its simulated time has come."""

    def __init__(
        self,
        step_seconds: float,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.step_seconds = max(0.0, step_seconds)
        self.now = now
        self.sleep = sleep
        self._played = 0

    def wait_for(self, at: datetime) -> float:
        """Block until the next step may go out; returns the seconds waited."""
        waited = 0.0
        if self._played and self.step_seconds:
            self.sleep(self.step_seconds)
            waited += self.step_seconds
        ahead = (at - self.now()).total_seconds()
        if ahead > 0:
            self.sleep(ahead)
            waited += ahead
        self._played += 1
        return waited
