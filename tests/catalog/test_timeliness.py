"""更新及时率 from the update cycle and the last version date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cityhub.catalog import Timeliness, timeliness, timeliness_rate

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cycle", "age", "on_time"),
    [
        ("daily", timedelta(hours=23), True),
        ("daily", timedelta(days=2), False),
        ("weekly", timedelta(days=6), True),
        ("monthly", timedelta(days=40), False),
        ("yearly", timedelta(days=300), True),
        ("irregular", timedelta(days=3000), None),
        ("monthly", None, False),
    ],
)
def test_timeliness(cycle: str, age: timedelta | None, on_time: bool | None) -> None:
    last = NOW - age if age is not None else None
    assert timeliness(cycle, last, NOW).on_time is on_time


def test_rate_ignores_irregular() -> None:
    states = [Timeliness(True, None), Timeliness(False, None), Timeliness(None, None)]
    assert timeliness_rate(states) == 0.5
    assert timeliness_rate([Timeliness(None, None)]) is None
