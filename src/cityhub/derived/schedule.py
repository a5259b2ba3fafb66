"""When a derived dataset is refreshed: on demand, or every hour, day or week."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from cityhub.catalog import UpdateCycle


class Schedule(StrEnum):
    """How often a derived dataset is refreshed."""

    MANUAL = "manual"  # only when someone asks (API, page, CLI)
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"


INTERVAL: dict[Schedule, timedelta | None] = {
    Schedule.MANUAL: None,
    Schedule.HOURLY: timedelta(hours=1),
    Schedule.DAILY: timedelta(days=1),
    Schedule.WEEKLY: timedelta(weeks=1),
}

# The catalogue's 更新周期 a schedule promises, when the steward does not say otherwise.
UPDATE_CYCLE: dict[Schedule, UpdateCycle] = {
    Schedule.MANUAL: UpdateCycle.IRREGULAR,
    Schedule.HOURLY: UpdateCycle.DAILY,
    Schedule.DAILY: UpdateCycle.DAILY,
    Schedule.WEEKLY: UpdateCycle.WEEKLY,
}


def next_due(schedule: Schedule, after: datetime) -> datetime | None:
    """When a refresh made (or tried) at ``after`` is next due; None for a manual schedule.

    Counted from the last attempt, not from the last due time, so that a platform that was down
    for a day refreshes once when it comes back rather than once per missed period.
    """
    interval = INTERVAL[schedule]
    return None if interval is None else after + interval
