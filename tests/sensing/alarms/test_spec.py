"""Checking rules: every refusal names its field; tiers survive their JSON form."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.errors import InvalidInput
from cityhub.sensing.alarms.presets import (
    gas_rule,
    offline_rule,
    rainstorm_rule,
    rate_rule,
    water_level_rule,
)
from cityhub.sensing.alarms.spec import (
    Condition,
    RuleSpec,
    Tier,
    _disjoint,
    checked,
    tiers_from_json,
    tiers_to_json,
)
from cityhub.sensing.alarms.vocab import COMPARISONS, RuleKind, Severity

LEVEL = water_level_rule(1, 30.0, 31.0, 32.0)
Y = Severity.YELLOW


def _tier(create: Condition | None, clear: Condition | None = None) -> tuple[Tier, ...]:
    return (Tier(Y, create, clear),)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        pytest.param(replace(LEVEL, name="  "), "name", id="blank-name"),
        pytest.param(replace(LEVEL, datastream_id=None), "datastream_id", id="no-target"),
        pytest.param(replace(LEVEL, station_class="river"), "target", id="two-targets"),
        pytest.param(
            replace(LEVEL, datastream_id=None, station_class="river"),
            "observed_property",
            id="class-rule-without-quantity",
        ),
        pytest.param(replace(LEVEL, tiers=()), "tiers", id="no-tiers"),
        pytest.param(
            replace(LEVEL, tiers=LEVEL.tiers[:1] * 2), "tiers[1].severity", id="same-severity"
        ),
        pytest.param(replace(LEVEL, tiers=_tier(None)), "tiers[0].create", id="no-create"),
        pytest.param(
            replace(LEVEL, tiers=_tier(Condition("==", 1.0))), "tiers[0].create.op", id="bad-op"
        ),
        pytest.param(
            replace(LEVEL, tiers=_tier(Condition(">=", float("nan")))),
            "tiers[0].create.value",
            id="nan",
        ),
        pytest.param(
            replace(LEVEL, tiers=_tier(Condition(">=", 30.0), Condition("<", 31.0))),
            "tiers[0].clear",
            id="clear-overlaps-create",
        ),
        pytest.param(
            replace(LEVEL, tiers=_tier(Condition(">=", 30.0), Condition(">", 35.0))),
            "tiers[0].clear",
            id="clear-same-direction",
        ),
        pytest.param(replace(LEVEL, for_samples=0), "for_samples", id="for-samples"),
        pytest.param(replace(LEVEL, for_seconds=-1), "for_seconds", id="for-seconds"),
        pytest.param(replace(LEVEL, action_url="file:///etc/passwd"), "action_url", id="url"),
        pytest.param(replace(LEVEL, day_start="08:00"), "day_start", id="day-on-threshold"),
        pytest.param(replace(LEVEL, offline_seconds=60), "offline_seconds", id="offline-secs"),
        pytest.param(
            replace(LEVEL, tiers=(Tier(Y, Condition(">=", 1.0), None, 3600),)),
            "tiers[0].window_seconds",
            id="tier-window-on-threshold",
        ),
        pytest.param(
            replace(rainstorm_rule(1), day_start="8:00"), "day_start", id="day-start-format"
        ),
        pytest.param(
            replace(rainstorm_rule(1), accumulation="sum"), "accumulation", id="accumulation"
        ),
        pytest.param(
            RuleSpec("rain", RuleKind.WINDOW_SUM, _tier(Condition(">=", 50.0)), datastream_id=1),
            "window_seconds",
            id="window-missing",
        ),
        pytest.param(
            replace(rainstorm_rule(1), window_seconds=30 * 86400),
            "window_seconds",
            id="window-too-long",
        ),
        pytest.param(replace(rate_rule(1, {Y: 0.5}), window_seconds=None), "window_seconds"),
        pytest.param(replace(rate_rule(1, {Y: 0.5}), rate_per_seconds=0), "rate_per_seconds"),
        pytest.param(replace(offline_rule(1), offline_seconds=None), "offline_seconds"),
        pytest.param(
            replace(offline_rule(1), tiers=_tier(Condition(">=", 1.0))), "tiers[0]", id="offl"
        ),
        pytest.param(
            replace(offline_rule(1), tiers=(Tier(Y), Tier(Severity.RED))), "tiers", id="2-tiers"
        ),
    ],
)
def test_bad_rules_are_refused_naming_the_field(spec: RuleSpec, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        checked(spec)
    assert caught.value.details["field"] == field


@pytest.mark.parametrize(
    "spec",
    [
        LEVEL,
        rainstorm_rule(1),
        gas_rule(None, observed_property="urn:ch4", station_class="tunnel"),
        rate_rule(1, {Y: 0.5}),
        offline_rule(station_class="river"),
    ],
)
def test_presets_pass_the_checks_and_sort_tiers(spec: RuleSpec) -> None:
    good = checked(replace(spec, tiers=tuple(reversed(spec.tiers))))
    ranks = [t.severity.rank for t in good.tiers]
    assert ranks == sorted(ranks)


def test_water_levels_must_rise() -> None:
    with pytest.raises(InvalidInput):
        water_level_rule(1, z_warn=31.0, z_guarantee=30.0, z_max=32.0)


def test_tiers_round_trip_through_json() -> None:
    tiers = rainstorm_rule(1, clear_margin=5.0).tiers
    assert tiers_from_json(tiers_to_json(tiers)) == tiers


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        pytest.param({}, "tiers", id="not-a-list"),
        pytest.param([1], "tiers[0]", id="not-an-object"),
        pytest.param([{"severity": "purple"}], "tiers[0].severity", id="severity"),
        pytest.param([{"severity": "red", "colour": 1}], "tiers[0]", id="unknown-key"),
        pytest.param(
            [{"severity": "red", "create": {"op": ">="}}], "tiers[0].create", id="no-value"
        ),
        pytest.param(
            [{"severity": "red", "create": {"op": ">=", "value": "5"}}],
            "tiers[0].create.value",
            id="text-value",
        ),
        pytest.param(
            [{"severity": "red", "create": {"op": ">=", "value": True}}],
            "tiers[0].create.value",
            id="boolean-value",
        ),
        pytest.param(
            [{"severity": "red", "create": {"op": "=>", "value": 5}}],
            "tiers[0].create.op",
            id="op",
        ),
        pytest.param(
            [{"severity": "red", "window_seconds": 1.5}], "tiers[0].window_seconds", id="window"
        ),
    ],
)
def test_bad_tier_json_names_the_position(raw: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        tiers_from_json(raw)
    assert caught.value.details["field"] == field


thresholds = st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0])
conditions = st.builds(Condition, st.sampled_from(sorted(COMPARISONS)), thresholds)


@given(conditions, conditions)
def test_disjoint_means_no_value_meets_both(create: Condition, clear: Condition) -> None:
    # Every threshold is on this grid, so checking the grid and the midpoints decides overlap.
    grid = [x / 4 for x in range(-12, 13)]
    overlap = any(create.holds(x) and clear.holds(x) for x in grid)
    assert _disjoint(create, clear) == (not overlap)
