"""更新及时率: whether each dataset was updated within its declared update cycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cityhub.catalog.vocab import CYCLE_PERIOD, UpdateCycle


@dataclass(frozen=True)
class Timeliness:
    """Whether a dataset is on time; ``on_time`` is None where the cycle is irregular."""

    on_time: bool | None
    due_at: datetime | None


def timeliness(cycle: str, last_version_at: datetime | None, now: datetime) -> Timeliness:
    """On time means: a version exists and the last one is no older than one cycle."""
    period = CYCLE_PERIOD[UpdateCycle(cycle)]
    if period is None:
        return Timeliness(None, None)
    if last_version_at is None:
        return Timeliness(False, None)
    due = last_version_at + period
    return Timeliness(now <= due, due)


def timeliness_rate(states: list[Timeliness]) -> float | None:
    """The share of datasets with a regular cycle that are on time, or None when there are none."""
    judged = [s.on_time for s in states if s.on_time is not None]
    return sum(judged) / len(judged) if judged else None
