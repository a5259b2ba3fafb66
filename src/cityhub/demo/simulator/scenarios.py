"""What the demo stations measure, step by step: a normal day, a rainstorm, a gas leak.

Pure functions of the start time (and a seed for the noise): each returns the ``Step``s of its
scenario, 10 simulated minutes apart, with the ``Reading``s sent at that step — so the scenarios
are tables a test can check without any network.

How often a station reports follows the field:

- river and lake stations (SL 651) send a timed report (32H) on the hour, and an add-report (33H)
  at every step while the level is at or above 警戒水位 (the add-report threshold set in the
  RTU), plus the first step back below it — the usual 超警戒加报 of a hydrology station;
- rain gauges publish the rain of each 10 minutes (mm, 0 when dry) over MQTT;
- the reservoirs and the tunnel post every 10 minutes over HTTP.

The storm (8 h, from the hour) is built so that the alarm rules of ``demo.sensing`` see, on
``STORM_STATION`` (徒骇河聊城: 警戒 31.5, 保证 32.8, record 33.2 m): a first report above
警戒 (yellow raised — the hourly report before it is below the blue level 31.2, and the 10-minute
levels in between are not sent), then 保证 passed (escalated to orange), a peak of 33.04 (never
red), and the fall until the hourly report at 30.97 clears it. The rain at ``STORM_RAIN``
(东昌府) reaches 50 mm in 6 h at step 21 (yellow rainstorm signal) and 50 mm in 3 h at step 23
(orange), and never 100 mm in 3 h (red); the neighbouring gauges get a fraction of it. The other
rivers rise but stay below their blue level (警戒 − 0.3 m). The tunnel takes no part: its
Datastreams stay free for a gas leak played afterwards (a scenario must start after the newest
data of its stations, see ``clock``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cityhub.demo.simulator.clock import BEIJING, STEP
from cityhub.demo.stations import STATIONS, STORM_RAIN, STORM_STATION, Station
from cityhub.errors import InvalidInput

HOUR = timedelta(hours=1)
BY_KEY = {station.key: station for station in STATIONS}
TUNNEL = "tunnel-a1"

# 徒骇河聊城 in the storm, one level (m) per 10-minute step from the hour the storm starts.
STORM_LEVELS: tuple[float, ...] = (
    29.60, 29.60, 29.61, 29.62, 29.63, 29.65, 29.68, 29.72, 29.77, 29.84,  # 0-9
    29.92, 30.01, 30.11, 30.22, 30.34, 30.47, 30.61, 30.77, 30.95, 31.15,  # 10-19
    31.36, 31.57, 31.80, 32.02, 32.22, 32.41, 32.58, 32.72, 32.84, 32.94,  # 20-29
    33.01, 33.04, 33.02, 32.96, 32.87, 32.76, 32.64, 32.50, 32.35, 32.20,  # 30-39
    32.04, 31.88, 31.72, 31.57, 31.43, 31.30, 31.18, 31.07, 30.97,  # 40-48
)  # fmt: skip
# Rain at 东昌府 in the storm, mm per 10 minutes (80.5 mm in all).
STORM_RAINFALL: tuple[float, ...] = (
    (0.0,) + (1.5,) * 6 + (2.5,) * 6 + (3.0,) * 6 + (3.0, 3.0, 3.5, 3.5, 3.5, 3.5)
    + (5.0, 5.0, 4.0, 2.5, 1.5, 0.5) + (0.0,) * 18
)  # fmt: skip
# The rain of the neighbouring gauges as a share of 东昌府's: none of them reaches 50 mm.
RAIN_SHARE = {
    STORM_RAIN: 1.0,
    "rain-chiping": 0.55,
    "rain-donge": 0.45,
    "rain-guanxian": 0.35,
    "rain-yanggu": 0.3,
    "rain-shenxian": 0.3,
    "rain-gaotang": 0.25,
    "rain-linqing": 0.2,
}
# How far the other waters rise in the storm: share of the gap between their usual level and
# their blue level, and how many steps they lag behind 徒骇河聊城 (茌平 is downstream).
RISE = {
    "tuhai-chiping": (0.7, 3),
    "majia-linqing": (0.35, 2),
    "majia-shenxian": (0.45, 1),
    "dongchang-lake": (0.6, 4),
    "aishan": (0.03, 0),  # the Yellow River hardly notices a local storm
    "taochengpu": (0.03, 0),
}
RESERVOIR_RISE = {"maxi-reservoir": 0.25, "weishan-reservoir": 0.2}
BLUE_MARGIN = 0.3  # the blue level is 警戒 − 0.3 m (alarms.water_level_rule's delta)
# Methane in the tunnel during the leak, %LEL per 10-minute step: alarm at 20, cleared below 18.
GAS_LEAK_CH4: tuple[float, ...] = (
    2.0, 2.4, 3.5, 6.0, 10.5, 16.0, 21.5, 25.0, 23.0, 17.0, 11.0, 6.5, 4.0, 3.0,
)  # fmt: skip
LEL_VOLUME = 5.0  # methane's lower explosive limit, % by volume
SCENARIO_NAMES = ("normal", "storm", "gas-leak")


@dataclass(frozen=True)
class Reading:
    """One value a station sends at a step; ``add_report``: SL 651 add-report (33H), else a
    timed report (32H) — only meaningful for SL 651 stations."""

    station: str  # Station.key
    element: str  # Element.key
    value: float
    add_report: bool = False


@dataclass(frozen=True)
class Step:
    """What the stations send at one simulated time (``at``, aware UTC)."""

    index: int
    at: datetime
    readings: tuple[Reading, ...]

    def value(self, station: str, element: str) -> float | None:
        """The value ``station`` sends for ``element`` at this step (None: it sends none)."""
        for reading in self.readings:
            if reading.station == station and reading.element == element:
                return reading.value
        return None


@dataclass(frozen=True)
class Scenario:
    """A named scenario: how many steps, on what its last step is aligned, and how to build it.
    ``highlights`` are the (station, element) values a run prints on each step's line."""

    name: str
    description: str
    steps: int
    align: timedelta
    build: Callable[[datetime], list[Step]]
    highlights: tuple[tuple[str, str], ...]


def normal(start: datetime, steps: int = 37, seed: int = 0) -> list[Step]:
    """Every station around its usual state: levels near ``normal``, no rain, a quiet tunnel."""
    rng = random.Random(f"normal:{seed}")
    series: dict[tuple[str, str], list[float]] = {}
    for station in STATIONS:
        for element in station.elements:
            series[station.key, element.key] = [
                _usual(station, element.key, start + STEP * i, rng) for i in range(steps)
            ]
    return _assemble(start, steps, series)


def storm(start: datetime, seed: int = 0) -> list[Step]:
    """The rainstorm over 东昌府 (see the module docstring): every station but the tunnel;
    ``start`` must be on the hour."""
    if start.minute or start.second or start.microsecond:
        raise InvalidInput(
            "the storm starts on the hour (its timed reports are hourly)",
            details={"field": "start", "value": start.isoformat()},
        )
    rng = random.Random(f"storm:{seed}")
    steps = len(STORM_LEVELS)
    low, peak = STORM_LEVELS[0], max(STORM_LEVELS)

    def shape(i: int) -> float:  # 0 → 1 → back down: the flood wave of 徒骇河聊城
        return (STORM_LEVELS[max(0, i)] - low) / (peak - low)

    series: dict[tuple[str, str], list[float]] = {}
    for station in STATIONS:
        if station.station_class == "tunnel":
            continue  # not part of this story: a gas leak can be played beside a storm
        for element in station.elements:
            usual = [_usual(station, element.key, start + STEP * i, rng) for i in range(steps)]
            series[station.key, element.key] = usual
    series[STORM_STATION, "Z"] = list(STORM_LEVELS)
    for key, (share, lag) in RISE.items():
        station = BY_KEY[key]
        assert station.levels is not None and station.normal is not None
        gap = station.levels[0] - BLUE_MARGIN - station.normal
        levels = series[key, "Z"]
        series[key, "Z"] = [
            round(z + share * gap * shape(i - lag), 2) for i, z in enumerate(levels)
        ]
    for key, rise in RESERVOIR_RISE.items():
        levels = series[key, "ZU"]
        series[key, "ZU"] = [round(z + rise * shape(i - 2), 2) for i, z in enumerate(levels)]
    for key, share in RAIN_SHARE.items():
        series[key, "PJ"] = [round(mm * share, 1) for mm in STORM_RAINFALL]
    return _assemble(start, steps, series)


def gas_leak(start: datetime, seed: int = 0) -> list[Step]:
    """Methane in the tunnel's gas compartment rises to 25 %LEL and falls back to 3; oxygen
    dips by what the methane displaces. Only the tunnel reports."""
    rng = random.Random(f"gas-leak:{seed}")
    tunnel = BY_KEY[TUNNEL]
    steps = len(GAS_LEAK_CH4)
    series = {
        (TUNNEL, element.key): [
            _usual(tunnel, element.key, start + STEP * i, rng) for i in range(steps)
        ]
        for element in tunnel.elements
    }
    series[TUNNEL, "CH4"] = list(GAS_LEAK_CH4)
    series[TUNNEL, "O2"] = [
        round(20.9 * (1 - lel * LEL_VOLUME / 100 / 100), 1) for lel in GAS_LEAK_CH4
    ]
    return _assemble(start, steps, series)


def scenario(name: str, *, hours: float | None = None) -> Scenario:
    """The scenario called ``name`` (normal, storm, gas-leak); ``hours`` sets the length of the
    normal day (default 6 h)."""
    if name == "normal":
        length = 6.0 if hours is None else hours
        if not 0 < length <= 72:
            raise InvalidInput("hours must be above 0 and at most 72", details={"field": "hours"})
        steps = int(length * 6) + 1

        def build(start: datetime) -> list[Step]:
            return normal(start, steps)

        return Scenario(
            "normal",
            "a normal day: usual levels, no rain, a quiet tunnel",
            steps,
            STEP,
            build,
            ((STORM_STATION, "Z"), (TUNNEL, "CH4")),
        )
    if hours is not None:
        raise InvalidInput("only the normal day has a length to choose", details={"field": "hours"})
    if name == "storm":
        return Scenario(
            "storm",
            "a rainstorm over 东昌府: 徒骇河聊城 passes 警戒 and 保证, then falls back",
            len(STORM_LEVELS),
            HOUR,
            storm,
            ((STORM_STATION, "Z"), (STORM_RAIN, "PJ")),
        )
    if name == "gas-leak":
        return Scenario(
            "gas-leak",
            "a gas leak in the utility tunnel: CH4 to 25 %LEL, ventilation, back to 3",
            len(GAS_LEAK_CH4),
            STEP,
            gas_leak,
            ((TUNNEL, "CH4"), (TUNNEL, "O2")),
        )
    raise InvalidInput(
        f"unknown scenario {name!r}: normal, storm or gas-leak", details={"field": "scenario"}
    )


def stations_in(steps: Sequence[Step]) -> list[Station]:
    """The stations that send something in ``steps``, in the order of ``STATIONS``."""
    keys = {reading.station for step in steps for reading in step.readings}
    return [station for station in STATIONS if station.key in keys]


# -- building blocks -------------------------------------------------------------------------


def _usual(station: Station, element: str, at: datetime, rng: random.Random) -> float:
    """A plausible value of ``element`` at ``station`` on an ordinary day."""
    hour = at.astimezone(BEIJING).hour + at.minute / 60
    daily = math.sin(2 * math.pi * (hour - 9) / 24)  # warmest and highest mid-afternoon
    if element in ("Z", "ZU"):
        assert station.normal is not None
        return round(station.normal + 0.02 * daily + rng.uniform(-0.01, 0.01), 2)
    if element == "VT":
        return round(12.6 + 0.1 * daily + rng.uniform(-0.05, 0.05), 2)
    if element == "PJ":
        return 0.0
    if element == "CH4":
        return round(rng.uniform(0.0, 3.0), 1)
    if element == "O2":
        return round(20.9 + rng.uniform(-0.04, 0.04), 1)
    if element == "T":
        return round(min(22.0, max(18.0, 20.0 + 1.5 * daily + rng.uniform(-0.2, 0.2))), 1)
    if element == "WI":
        return 0.0
    if element == "P":
        return round(0.35 + rng.uniform(-0.04, 0.04), 3)
    raise InvalidInput(f"no usual value for element {element!r}", details={"field": element})


def _assemble(
    start: datetime, steps: int, series: dict[tuple[str, str], list[float]]
) -> list[Step]:
    """Steps from per-(station, element) series, applying each station's way of reporting."""
    out: list[Step] = []
    for index in range(steps):
        at = start + STEP * index
        readings: list[Reading] = []
        for station in STATIONS:
            if (station.key, station.elements[0].key) not in series:
                continue
            if station.path == "sl651":
                readings.extend(_sl651_report(station, index, at, series))
            else:
                readings.extend(
                    Reading(station.key, e.key, series[station.key, e.key][index])
                    for e in station.elements
                )
        out.append(Step(index, at, tuple(readings)))
    return out


def _sl651_report(
    station: Station, index: int, at: datetime, series: dict[tuple[str, str], list[float]]
) -> list[Reading]:
    """A river station's report at this step, if it sends one: timed on the hour, else an
    add-report while at or above 警戒水位 and at the first step back below it."""
    assert station.levels is not None
    levels = series[station.key, "Z"]
    warn = station.levels[0]
    above = levels[index] >= warn
    dropped = index > 0 and levels[index - 1] >= warn and not above
    timed = at.minute == 0
    if not (timed or above or dropped):
        return []
    add = not timed
    return [
        Reading(station.key, element.key, series[station.key, element.key][index], add)
        for element in station.elements
    ]
