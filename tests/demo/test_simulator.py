"""The demo simulator's scenarios as tables, judged by the alarm engine's own arithmetic, and its
clock (the devices it talks through: test_simulator_devices.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from cityhub.demo.simulator.clock import STEP, Pacer, first_step, floor_time
from cityhub.demo.simulator.scenarios import (
    BY_KEY,
    RAIN_SHARE,
    STORM_LEVELS,
    Step,
    gas_leak,
    normal,
    scenario,
    storm,
)
from cityhub.demo.simulator.senders import (
    sent_time,
)
from cityhub.demo.stations import STATIONS, STORM_RAIN, STORM_STATION
from cityhub.errors import (
    InvalidInput,
)
from cityhub.sensing.alarms import (
    RuleSpec,
    Severity,
    gas_rule,
    rainstorm_rule,
    tiers_to_json,
    water_level_rule,
)
from cityhub.sensing.alarms.evaluate import CompiledRule, SourceState, compile_rule, decide, measure
from cityhub.sensing.alarms.models import AlarmRule

START = datetime(2024, 7, 20, 0, 0, tzinfo=UTC)  # 08:00 in Beijing, on the hour
BLUE, YELLOW, ORANGE = Severity.BLUE, Severity.YELLOW, Severity.ORANGE


def compiled(spec: RuleSpec) -> CompiledRule:
    """``spec`` as the engine compiles a stored rule."""
    row = AlarmRule(
        id=1,
        name=spec.name,
        kind=spec.kind.value,
        tiers=tiers_to_json(spec.tiers),
        window_seconds=spec.window_seconds,
        day_start=spec.day_start,
        for_samples=spec.for_samples,
        for_seconds=spec.for_seconds,
        offline_seconds=spec.offline_seconds,
        options=spec.options(),
        action_url=spec.action_url,
        department_id=None,
        datastream_id=1,
        observed_property=None,
        station_class=None,
        created_at=START,
    )
    return compile_rule(row)


def alarm_changes(
    spec: RuleSpec, steps: Sequence[Step], station: str, element: str
) -> list[tuple[int, Severity | None]]:
    """(step index, new severity) each time ``spec`` over what ``station`` sends would change
    its alarm — what the engine does for each observation, in phenomenon-time order."""
    rule, state = compiled(spec), SourceState()
    current: Severity | None = None
    changes: list[tuple[int, Severity | None]] = []
    for step in steps:
        value = step.value(station, element)
        if value is None:
            continue
        t = step.at.timestamp()
        metrics = measure(rule, state, t, value)
        if metrics is None:
            continue
        target = decide(rule, state, metrics, t, current).target
        if target != current:
            changes.append((step.index, target))
            current = target
    return changes


def level_rule(key: str) -> RuleSpec:
    levels = BY_KEY[key].levels
    assert levels is not None
    return water_level_rule(1, *levels)


def sent(steps: Sequence[Step], station: str, element: str) -> list[tuple[int, float]]:
    return [(s.index, v) for s in steps if (v := s.value(station, element)) is not None]


# -- the storm ---------------------------------------------------------------------------------


def test_the_storm_station_goes_yellow_orange_and_clears_in_order() -> None:
    steps = storm(START)
    assert alarm_changes(level_rule(STORM_STATION), steps, STORM_STATION, "Z") == [
        (21, YELLOW),  # first report above 警戒 31.5: an add-report
        (28, ORANGE),  # 保证 32.8 passed
        (36, YELLOW),  # below 32.75 (保证 − clear margin)
        (44, BLUE),  # below 31.45: yellow clears, the blue tier (31.2, clears < 31.15) still holds
        (48, None),  # the hourly report at 30.97: cleared
    ]


def test_the_storm_level_crosses_each_mark_once_and_never_the_record() -> None:
    values = [v for _, v in sent(storm(START), STORM_STATION, "Z")]
    ups = {mark: sum(a < mark <= b for a, b in pairwise(values)) for mark in (31.5, 32.8)}
    assert ups == {31.5: 1, 32.8: 1}
    assert max(values) == max(STORM_LEVELS) < 33.2
    assert values[-1] < 31.15 < 31.45
    first_yellow = next(i for i, v in enumerate(values) if v >= 31.5)
    assert all(v < 31.2 for v in values[:first_yellow])  # never in the blue band before


@pytest.mark.parametrize(
    ("index", "function"),
    [(0, "timed"), (6, "timed"), (18, "timed"), (19, None), (20, None), (21, "add"), (24, "timed"),
     (43, "add"), (44, "add"), (45, None), (47, None), (48, "timed")],
)  # fmt: skip
def test_river_stations_report_hourly_and_add_reports_above_the_warning_level(
    index: int, function: str | None
) -> None:
    step = storm(START)[index]
    readings = [r for r in step.readings if r.station == STORM_STATION]
    if function is None:
        assert readings == []
    else:
        assert {r.element for r in readings} == {"Z", "VT"}
        assert {r.add_report for r in readings} == {function == "add"}


def test_the_storm_rain_at_dongchangfu_reaches_yellow_then_orange_never_red() -> None:
    steps = storm(START)
    assert alarm_changes(rainstorm_rule(1), steps, STORM_RAIN, "PJ") == [
        (21, YELLOW),  # 50 mm in 6 h
        (23, ORANGE),  # 50 mm in 3 h
        (33, YELLOW),  # the 3-hour window slides past the heavy rain; 6 h still hold 50 mm
    ]
    assert sum(v for _, v in sent(steps, STORM_RAIN, "PJ")) == pytest.approx(80.5)


@pytest.mark.parametrize("gauge", sorted(set(RAIN_SHARE) - {STORM_RAIN}))
def test_neighbouring_gauges_get_less_rain_and_no_rainstorm_alarm(gauge: str) -> None:
    steps = storm(START)
    assert alarm_changes(rainstorm_rule(1), steps, gauge, "PJ") == []
    assert 0 < sum(v for _, v in sent(steps, gauge, "PJ")) < 50


@pytest.mark.parametrize(
    "key",
    [s.key for s in STATIONS if s.levels is not None and s.key != STORM_STATION],
)
def test_other_waters_rise_but_stay_below_their_blue_level(key: str) -> None:
    station = BY_KEY[key]
    assert station.levels is not None and station.normal is not None
    element = station.elements[0].key
    steps = storm(START)
    values = [v for _, v in sent(steps, key, element)]
    assert max(values) < station.levels[0] - 0.3
    assert alarm_changes(level_rule(key), steps, key, element) == []
    if key not in ("aishan", "taochengpu"):  # the Yellow River hardly notices
        assert max(values) > station.normal + 0.15


def test_the_tunnel_is_left_out_of_the_storm() -> None:
    assert {r.station for s in storm(START) for r in s.readings} == {
        s.key for s in STATIONS if s.station_class != "tunnel"
    }


def test_the_storm_starts_on_the_hour() -> None:
    with pytest.raises(InvalidInput) as caught:
        storm(START + timedelta(minutes=10))
    assert caught.value.details["field"] == "start"


# -- the gas leak and the normal day -----------------------------------------------------------


def test_the_gas_leak_raises_the_gas_alarm_once_and_clears_it() -> None:
    steps = gas_leak(START)
    assert alarm_changes(gas_rule(1), steps, "tunnel-a1", "CH4") == [(6, ORANGE), (9, None)]
    assert {r.station for s in steps for r in s.readings} == {"tunnel-a1"}
    assert [s.value("tunnel-a1", "CH4") for s in steps][::13] == [2.0, 3.0]
    assert min(v for _, v in sent(steps, "tunnel-a1", "O2")) == pytest.approx(20.6)


@pytest.mark.parametrize(
    ("element", "low", "high"),
    [("CH4", 0.0, 3.0), ("O2", 20.9, 20.9), ("T", 18.0, 22.0), ("WI", 0.0, 0.0), ("P", 0.3, 0.4)],
)
def test_a_normal_day_in_the_tunnel(element: str, low: float, high: float) -> None:
    values = [v for _, v in sent(normal(START), "tunnel-a1", element)]
    assert len(values) == 37
    assert low <= min(values) <= max(values) <= high


@pytest.mark.parametrize("station", STATIONS, ids=lambda s: s.key)
def test_a_normal_day_raises_nothing(station: Any) -> None:
    steps = normal(START)
    element = station.elements[0].key
    values = sent(steps, station.key, element)
    expected = 7 if station.path == "sl651" else 37  # rivers: hourly timed reports only
    assert len(values) == expected
    if station.levels is not None:
        assert station.normal is not None
        assert all(abs(v - station.normal) <= 0.05 for _, v in values)
        assert alarm_changes(level_rule(station.key), steps, station.key, element) == []
    if element == "PJ":
        assert {v for _, v in values} == {0.0}


def test_scenarios_are_the_same_each_time_and_vary_with_the_seed() -> None:
    assert normal(START) == normal(START)
    assert normal(START) != normal(START, seed=1)
    assert storm(START) == storm(START)


@pytest.mark.parametrize(
    ("name", "hours", "steps"),
    [("normal", None, 37), ("normal", 1, 7), ("normal", 24, 145), ("storm", None, 49),
     ("gas-leak", None, 14)],
)  # fmt: skip
def test_scenario_lengths(name: str, hours: float | None, steps: int) -> None:
    plan = scenario(name, hours=hours)
    assert plan.steps == steps == len(plan.build(START))


@pytest.mark.parametrize(
    ("name", "hours", "field"),
    [("flood", None, "scenario"), ("storm", 2, "hours"), ("normal", 0, "hours"),
     ("normal", 100, "hours")],
)  # fmt: skip
def test_bad_scenario_choices(name: str, hours: float | None, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        scenario(name, hours=hours)
    assert caught.value.details["field"] == field


# -- the clock ---------------------------------------------------------------------------------

NOW = datetime(2024, 7, 20, 9, 47, 31, tzinfo=UTC)


def at(hour: int, minute: int) -> datetime:
    return datetime(2024, 7, 20, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("steps", "align", "after", "expected"),
    [
        (49, timedelta(hours=1), None, at(1, 0)),
        (14, STEP, None, at(7, 30)),
        (14, STEP, at(7, 0), at(7, 30)),
        (14, STEP, at(7, 30), at(7, 40)),
        (49, timedelta(hours=1), at(3, 5), at(4, 0)),
    ],
)  # fmt: skip
def test_a_scenario_ends_at_the_last_aligned_time_or_starts_after_stored_data(
    steps: int, align: timedelta, after: datetime | None, expected: datetime
) -> None:
    start = first_step(NOW, steps, align, after=after)
    assert start == expected
    if after is None:
        assert start + STEP * (steps - 1) == floor_time(NOW, align) <= NOW


def test_the_pacer_spaces_steps_and_holds_back_steps_ahead_of_time() -> None:
    clock = [NOW]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += timedelta(seconds=seconds)

    pacer = Pacer(2.0, now=lambda: clock[0], sleep=sleep)
    assert pacer.wait_for(NOW - timedelta(hours=1)) == 0  # the first step goes at once
    assert pacer.wait_for(NOW - timedelta(minutes=50)) == 2.0
    assert pacer.wait_for(NOW + timedelta(seconds=60)) == pytest.approx(58.0)  # 2 + until due
    assert slept == [2.0, 2.0, pytest.approx(56.0)]


def test_a_report_is_sent_half_a_minute_after_it_was_observed_but_never_later_than_now() -> None:
    assert sent_time(START, START + timedelta(hours=1)) == START + timedelta(seconds=30)
    assert sent_time(START, START + timedelta(seconds=5)) == START + timedelta(seconds=5)
