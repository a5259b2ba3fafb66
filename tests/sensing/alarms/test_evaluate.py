"""The arithmetic of rules without a database: sequences of samples → the alarm's severity."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from cityhub.sensing.alarms.evaluate import (
    CompiledRule,
    SourceState,
    compile_rule,
    day_start_before,
    decide,
    measure,
)
from cityhub.sensing.alarms.models import AlarmRule
from cityhub.sensing.alarms.presets import (
    daily_rainfall_rule,
    gas_rule,
    rainstorm_rule,
    rate_rule,
    threshold_rule,
    water_level_rule,
)
from cityhub.sensing.alarms.spec import RuleSpec, checked, tiers_to_json
from cityhub.sensing.alarms.vocab import Severity
from tests.sensing.alarms.conftest import T0

BLUE, YELLOW, ORANGE, RED = Severity.BLUE, Severity.YELLOW, Severity.ORANGE, Severity.RED
HOUR = 3600.0


def compiled(spec: RuleSpec) -> CompiledRule:
    """``spec`` as the engine sees it once stored."""
    spec = checked(spec)
    row = AlarmRule(
        id=1,
        name=spec.name,
        kind=spec.kind.value,
        datastream_id=spec.datastream_id,
        observed_property=spec.observed_property,
        station_class=spec.station_class,
        department_id=None,
        tiers=tiers_to_json(spec.tiers),
        window_seconds=spec.window_seconds,
        day_start=spec.day_start,
        for_samples=spec.for_samples,
        for_seconds=spec.for_seconds,
        offline_seconds=spec.offline_seconds,
        options=spec.options(),
        action_url=spec.action_url,
        enabled=True,
        created_at=T0,
    )
    return compile_rule(row)


def run(
    rule: CompiledRule, samples: list[tuple[float, float]], state: SourceState | None = None
) -> list[Severity | None]:
    """Feed (seconds after T0, value) samples as the engine does; the severity after each."""
    state = state or SourceState()
    current: Severity | None = None
    seen = []
    base = T0.timestamp()
    for offset, value in samples:
        metrics = measure(rule, state, base + offset, value)
        if metrics is not None:
            current = decide(rule, state, metrics, base + offset, current).target
        seen.append(current)
    return seen


LEVEL = water_level_rule(1, z_warn=30.0, z_guarantee=31.0, z_max=32.0, delta=0.3)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([29.0, 29.69, 29.7], [None, None, BLUE], id="blue-approaching-warning"),
        pytest.param([29.7, 29.66, 29.64], [BLUE, BLUE, None], id="blue-hysteresis"),
        pytest.param([30.0, 31.0, 32.0], [YELLOW, ORANGE, RED], id="escalates-through-tiers"),
        pytest.param([32.5], [RED], id="straight-to-red"),
        pytest.param(
            [31.2, 30.97, 30.94], [ORANGE, ORANGE, YELLOW], id="orange-clears-below-margin"
        ),
        pytest.param([31.2, 29.9], [ORANGE, BLUE], id="down-to-highest-uncleared-tier"),
        pytest.param([31.2, 29.96], [ORANGE, YELLOW], id="yellow-holds-in-its-band"),
        pytest.param([32.1, 29.0], [RED, None], id="red-to-cleared-at-once"),
        pytest.param(
            [30.0, 29.97, 30.0, 29.94], [YELLOW, YELLOW, YELLOW, BLUE], id="no-flapping-at-warning"
        ),
    ],
)
def test_water_level_tiers(values: list[float], expected: list[Severity | None]) -> None:
    rule = compiled(LEVEL)
    assert run(rule, [(i * 300.0, v) for i, v in enumerate(values)]) == expected


@pytest.mark.parametrize(
    ("for_samples", "for_seconds", "samples", "expected"),
    [
        pytest.param(
            3, 0, [(0, 30.1), (300, 30.2), (600, 30.3)], [None, None, YELLOW], id="3-samples"
        ),
        pytest.param(
            3, 0, [(0, 30.1), (300, 29.0), (600, 30.1), (900, 30.1)], [None] * 4, id="interrupted"
        ),
        pytest.param(
            1, 600, [(0, 30.1), (300, 30.2), (600, 30.3)], [None, None, YELLOW], id="10-min"
        ),
        pytest.param(
            2,
            0,
            [(0, 30.1), (300, 31.5), (600, 31.5)],
            [None, YELLOW, ORANGE],
            id="escalation-sustained",
        ),
    ],
)
def test_sustain(
    for_samples: int,
    for_seconds: int,
    samples: list[tuple[float, float]],
    expected: list[Severity | None],
) -> None:
    spec = water_level_rule(1, 30.0, 31.0, 32.0, for_samples=for_samples)
    rule = compiled(replace(spec, for_seconds=for_seconds))
    assert run(rule, samples) == expected


def test_duplicates_and_older_samples_are_ignored_by_thresholds() -> None:
    rule = compiled(water_level_rule(1, 30.0, 31.0, 32.0, for_samples=2))
    state = SourceState()
    assert run(rule, [(600, 30.5), (600, 30.5), (300, 30.5)], state) == [None] * 3
    assert state.streaks["yellow"][0] == 1  # the repeats did not count as samples


# Hourly rain (mm) → CMA rainstorm signal (blue 12 h ≥ 50, yellow 6 h, orange 3 h, red 3 h ≥ 100).
STORM = [
    *[(h, 5.0, None) for h in range(1, 10)],
    (10, 5.0, BLUE),  # 12 h: 50
    (11, 30.0, YELLOW),  # 6 h: 5*5 + 30 = 55
    (12, 20.0, ORANGE),  # 3 h: 5 + 30 + 20 = 55
    (13, 60.0, RED),  # 3 h: 110
    (14, 0.0, ORANGE),  # 3 h: 80, red lets go, orange holds
    (16, 0.0, YELLOW),  # 3 h: 0; 6 h (h11–h16): 110
    (18, 0.0, YELLOW),  # 6 h (h13–h18): 60
    (19, 0.0, BLUE),  # 6 h: 0; 12 h (h8–h19): 125
    (25, 0.0, None),  # 12 h (h14–h25): 0
]


def test_rainstorm_escalates_and_lets_down_tier_by_tier() -> None:
    rule = compiled(rainstorm_rule(1))
    seen = run(rule, [(h * HOUR, mm) for h, mm, _ in STORM])
    assert seen == [expected for _, _, expected in STORM]


def test_rainfall_0_1_mm_steps_reach_50_mm_exactly() -> None:
    rule = compiled(daily_rainfall_rule(1))
    seen = run(rule, [(60.0 * (i + 1), 0.1) for i in range(500)])
    assert seen[498] is BLUE and seen[499] is YELLOW  # 49.9 mm, then 50.0 mm despite float sums


@pytest.mark.parametrize(
    ("end", "start"),
    [
        pytest.param("2024-07-10T00:00:00", "2024-07-09T00:00:00", id="08:00-closes-the-day"),
        pytest.param("2024-07-10T00:00:01", "2024-07-10T00:00:00", id="08:00:01-opens-a-day"),
        pytest.param("2024-07-09T23:59:59", "2024-07-09T00:00:00", id="07:59:59"),
        pytest.param("2024-07-10T15:30:00", "2024-07-10T00:00:00", id="23:30-beijing"),
    ],
)
def test_rainfall_day_starts_at_0800_beijing(end: str, start: str) -> None:
    anchor = 0  # 08:00 Beijing time is 00:00 UTC
    moment = datetime.fromisoformat(end).replace(tzinfo=UTC).timestamp()
    expected = datetime.fromisoformat(start).replace(tzinfo=UTC).timestamp()
    assert day_start_before(moment, anchor) == expected


def test_daily_rainfall_resets_at_0800() -> None:
    rule = compiled(daily_rainfall_rule(1))
    assert rule.day_anchor == 0
    # 07:00 and 08:00 Beijing time belong to the day ending at 08:00; 09:00 starts a new one.
    samples = [(-HOUR, 30.0), (0.0, 25.0), (HOUR, 10.0)]
    assert run(rule, samples) == [BLUE, YELLOW, None]


def test_cumulative_totals_are_differenced_and_resets_are_not_negative_rain() -> None:
    spec = daily_rainfall_rule(1, {Severity.YELLOW: 50.0}, accumulation="cumulative")
    rule = compiled(spec)
    state = SourceState()
    totals = [100.0, 120.0, 145.0, 150.0, 3.0, 10.0]  # the counter resets to 0 after 150
    seen = run(rule, [(HOUR * (i + 1), v) for i, v in enumerate(totals)], state)
    assert seen == [None, None, None, YELLOW, YELLOW, YELLOW]
    assert state.values == [20.0, 25.0, 5.0, 3.0, 7.0]  # the first total is only a baseline


def test_a_late_rain_report_counts_in_its_window_once() -> None:
    rule = compiled(rainstorm_rule(1))
    state = SourceState()
    seen = run(rule, [(HOUR, 20.0), (3 * HOUR, 20.0), (2 * HOUR, 20.0), (2 * HOUR, 20.0)], state)
    assert seen == [None, None, ORANGE, ORANGE]
    assert state.last == T0.timestamp() + 3 * HOUR  # the window still ends at the newest report
    assert len(state.times) == 3


def test_a_report_older_than_every_window_is_dropped() -> None:
    rule = compiled(rainstorm_rule(1))
    state = SourceState()
    run(rule, [(24 * HOUR, 1.0), (HOUR, 80.0)], state)
    assert state.values == [1.0]


@pytest.mark.parametrize(
    ("spec", "samples", "expected"),
    [
        pytest.param(
            rate_rule(1, {YELLOW: 0.5}),
            [(0, 30.0), (900, 30.1), (1800, 30.2), (2700, 30.3), (3600, 30.6), (4500, 30.6)],
            [None, None, None, None, YELLOW, YELLOW],
            id="rise-per-hour-needs-a-full-window",
        ),
        pytest.param(
            rate_rule(1, {YELLOW: 0.5}),
            [(0, 30.0), (1800, 30.2), (3600, 30.6), (5400, 30.6)],
            [None, None, YELLOW, None],
            id="rise-stops",
        ),
        pytest.param(
            rate_rule(1, {ORANGE: 5.0}, window_seconds=300, per_seconds=60, falling=True),
            [(0, 400.0), (120, 390.0), (300, 370.0), (420, 369.0)],
            [None, None, ORANGE, None],
            id="pressure-drop-kpa-per-minute",
        ),
    ],
)
def test_rate_of_change(
    spec: RuleSpec, samples: list[tuple[float, float]], expected: list[Severity | None]
) -> None:
    assert run(compiled(spec), samples) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(
            [5.0, 20.0, 19.0, 17.9], [None, ORANGE, ORANGE, None], id="alarm-20-clears-below-18"
        ),
        pytest.param([36.0, 33.0, 32.9], [RED, RED, ORANGE], id="cutoff-35-clears-below-33"),
    ],
)
def test_tunnel_gas(values: list[float], expected: list[Severity | None]) -> None:
    rule = compiled(gas_rule(1))
    assert run(rule, [(i * 60.0, v) for i, v in enumerate(values)]) == expected


def test_low_values_alarm_with_below() -> None:
    oxygen = compiled(threshold_rule(1, {YELLOW: 19.5, RED: 18.0}, below=True, clear_margin=0.3))
    assert run(oxygen, [(0, 20.9), (60, 19.4), (120, 17.5), (180, 19.0), (240, 19.9)]) == [
        None,
        YELLOW,
        RED,
        YELLOW,
        None,
    ]


def test_state_round_trips_through_json() -> None:
    rule = compiled(rainstorm_rule(1))
    state = SourceState()
    run(rule, [(HOUR, 20.0), (2 * HOUR, 20.0)], state)
    copy = SourceState.from_json(state.to_json())
    assert (copy.last, copy.times, copy.values, copy.streaks) == (
        state.last,
        state.times,
        state.values,
        state.streaks,
    )
    assert run(rule, [(3 * HOUR, 20.0)], copy) == [ORANGE]
