"""Ready-made rules from the official warning tiers (reference notes, section 5).

- ``water_level_rule``: MWR flood warning signal — blue approaching 警戒水位 (z_warn − δ), yellow
  at 警戒水位, orange at 保证水位, red at the historical maximum.
- ``rainstorm_rule``: CMA rainstorm signal — blue 12 h ≥ 50 mm, yellow 6 h ≥ 50, orange 3 h ≥ 50,
  red 3 h ≥ 100, one alarm per gauge escalating in place.
- ``daily_rainfall_rule``: the rainfall day from 08:00, GB/T 28592 24 h grades as tiers.
- ``gas_rule``: utility tunnel CH4 — alarm at 20 %LEL, cut-off at 35 %LEL.
- ``threshold_rule``, ``rate_rule``, ``offline_rule``: the general shapes.

Each returns a ``RuleSpec`` for ``create_rule``; thresholds are plain arguments, so a station's
own levels (kept as Datastream properties) go straight in.
"""

from __future__ import annotations

from collections.abc import Mapping

from cityhub.errors import InvalidInput
from cityhub.sensing.alarms.spec import Condition, RuleSpec, Tier
from cityhub.sensing.alarms.vocab import RuleKind, Severity

HOUR = 3600
CMA_RAINSTORM = (  # severity, window, mm
    (Severity.BLUE, 12 * HOUR, 50.0),
    (Severity.YELLOW, 6 * HOUR, 50.0),
    (Severity.ORANGE, 3 * HOUR, 50.0),
    (Severity.RED, 3 * HOUR, 100.0),
)
# GB/T 28592-2012 daily grades: 大雨 ≥ 25, 暴雨 ≥ 50, 大暴雨 ≥ 100, 特大暴雨 ≥ 250 mm.
DAILY_RAINFALL = {
    Severity.BLUE: 25.0,
    Severity.YELLOW: 50.0,
    Severity.ORANGE: 100.0,
    Severity.RED: 250.0,
}
GAS_ALARM_LEL = 20.0  # GB 50838: gas alarm set point ≤ 20 %LEL
GAS_CUTOFF_LEL = 35.0  # emergency shut-off ≤ 35 %LEL


def _tiers(
    thresholds: Mapping[Severity, float], *, below: bool, clear_margin: float
) -> tuple[Tier, ...]:
    if clear_margin < 0:
        raise InvalidInput("clear_margin must not be negative", details={"field": "clear_margin"})
    tiers = []
    for severity, level in thresholds.items():
        if below:
            create, clear = Condition("<=", level), Condition(">", level + clear_margin)
        else:
            create, clear = Condition(">=", level), Condition("<", level - clear_margin)
        tiers.append(Tier(severity, create, clear))
    return tuple(tiers)


def threshold_rule(
    datastream_id: int | None,
    thresholds: Mapping[Severity, float],
    *,
    name: str = "threshold",
    below: bool = False,
    clear_margin: float = 0.0,
    for_samples: int = 1,
    for_seconds: int = 0,
    observed_property: str | None = None,
    station_class: str | None = None,
    action_url: str | None = None,
) -> RuleSpec:
    """A value against tiers (``below``: low values alarm, e.g. oxygen); each tier clears
    ``clear_margin`` past its threshold."""
    return RuleSpec(
        name=name,
        kind=RuleKind.THRESHOLD,
        tiers=_tiers(thresholds, below=below, clear_margin=clear_margin),
        datastream_id=datastream_id,
        observed_property=observed_property,
        station_class=station_class,
        for_samples=for_samples,
        for_seconds=for_seconds,
        action_url=action_url,
    )


def water_level_rule(
    datastream_id: int | None,
    z_warn: float,
    z_guarantee: float,
    z_max: float,
    delta: float = 0.3,
    *,
    clear_margin: float = 0.05,
    name: str = "水位预警 water level",
    for_samples: int = 1,
    action_url: str | None = None,
) -> RuleSpec:
    """The MWR tiers for one water-level station, in metres: blue at ``z_warn − delta``, yellow
    at 警戒水位 ``z_warn``, orange at 保证水位 ``z_guarantee``, red at the record ``z_max``; each
    clears ``clear_margin`` below its level."""
    if not (delta > 0 and z_warn < z_guarantee < z_max):
        raise InvalidInput(
            "water levels must rise: z_warn < z_guarantee < z_max, and delta > 0",
            details={"field": "z_guarantee"},
        )
    levels = {
        Severity.BLUE: z_warn - delta,
        Severity.YELLOW: z_warn,
        Severity.ORANGE: z_guarantee,
        Severity.RED: z_max,
    }
    return threshold_rule(
        datastream_id,
        levels,
        name=name,
        clear_margin=clear_margin,
        for_samples=for_samples,
        action_url=action_url,
    )


def rainstorm_rule(
    datastream_id: int | None,
    *,
    name: str = "暴雨预警 rainstorm",
    accumulation: str = "increment",
    clear_margin: float = 0.0,
    observed_property: str | None = None,
    station_class: str | None = None,
    action_url: str | None = None,
) -> RuleSpec:
    """The CMA rainstorm tiers over rolling sums of a rain gauge (mm per report, or a running
    total with ``accumulation="cumulative"``)."""
    tiers = tuple(
        Tier(
            severity,
            Condition(">=", mm),
            Condition("<", mm - clear_margin) if clear_margin else None,
            window,
        )
        for severity, window, mm in CMA_RAINSTORM
    )
    return RuleSpec(
        name=name,
        kind=RuleKind.WINDOW_SUM,
        tiers=tiers,
        datastream_id=datastream_id,
        observed_property=observed_property,
        station_class=station_class,
        accumulation=accumulation,
        action_url=action_url,
    )


def daily_rainfall_rule(
    datastream_id: int | None,
    thresholds: Mapping[Severity, float] = DAILY_RAINFALL,
    *,
    day_start: str = "08:00",
    name: str = "日雨量 daily rainfall",
    accumulation: str = "increment",
    observed_property: str | None = None,
    station_class: str | None = None,
) -> RuleSpec:
    """Rain since the start of the rainfall day (08:00 Beijing time), against daily grades."""
    return RuleSpec(
        name=name,
        kind=RuleKind.WINDOW_SUM,
        tiers=_tiers(thresholds, below=False, clear_margin=0.0),
        datastream_id=datastream_id,
        observed_property=observed_property,
        station_class=station_class,
        day_start=day_start,
        accumulation=accumulation,
    )


def gas_rule(
    datastream_id: int | None,
    *,
    alarm: float = GAS_ALARM_LEL,
    cutoff: float = GAS_CUTOFF_LEL,
    clear_margin: float = 2.0,
    name: str = "可燃气体 CH4 %LEL",
    observed_property: str | None = None,
    station_class: str | None = None,
    action_url: str | None = None,
) -> RuleSpec:
    """Utility-tunnel methane in %LEL: orange at the alarm point (ventilate), red at the
    cut-off; ``action_url`` is the handling action, e.g. the ventilation controller."""
    return threshold_rule(
        datastream_id,
        {Severity.ORANGE: alarm, Severity.RED: cutoff},
        name=name,
        clear_margin=clear_margin,
        observed_property=observed_property,
        station_class=station_class,
        action_url=action_url,
    )


def rate_rule(
    datastream_id: int | None,
    thresholds: Mapping[Severity, float],
    *,
    window_seconds: int = HOUR,
    per_seconds: int = HOUR,
    falling: bool = False,
    name: str = "变化率 rate of change",
    for_samples: int = 1,
) -> RuleSpec:
    """Change per ``per_seconds`` over ``window_seconds`` against tiers: a rise of ≥ 0.5 m/h, or
    with ``falling`` a drop (thresholds given as positive rates of fall)."""
    levels = {s: -v for s, v in thresholds.items()} if falling else dict(thresholds)
    return RuleSpec(
        name=name,
        kind=RuleKind.RATE,
        tiers=_tiers(levels, below=falling, clear_margin=0.0),
        datastream_id=datastream_id,
        window_seconds=window_seconds,
        rate_per_seconds=per_seconds,
        for_samples=for_samples,
    )


def offline_rule(
    datastream_id: int | None = None,
    *,
    offline_seconds: int = 600,
    severity: Severity = Severity.YELLOW,
    station_class: str | None = None,
    observed_property: str | None = None,
    name: str = "站点离线 station offline",
) -> RuleSpec:
    """An alarm on a station (the Datastream's Thing, or each Thing of a class) that sent
    nothing newer than ``offline_seconds`` (ThingsBoard's default inactivity: 600 s)."""
    return RuleSpec(
        name=name,
        kind=RuleKind.OFFLINE,
        tiers=(Tier(severity),),
        datastream_id=datastream_id,
        station_class=station_class,
        observed_property=observed_property,
        offline_seconds=offline_seconds,
    )
