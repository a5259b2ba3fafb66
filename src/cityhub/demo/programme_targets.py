"""The demo city's targets beyond "十百千": the seed's dated commitments and their follow-ons.

Pure data: no database. Each target's measured values arrive the way they would in the city —
as figures in its owner's quarterly progress reports (``figures``, by period label), or, for the
5G coverage, computed by SQL from 工信局's survey (``programme_towns``). The 2020–2022 series are
fixed: the towns' 5G and the water sensing stations reach their targets, SME gigabit broadband
misses the end of 2020 and catches up in 2021, and the 500 PB storage centre lags far behind.
The follow-on targets run from 2023 to the end of next year (relative to ``today``), so that
their warnings are live: storage keeps lagging (behind the path, and the trend misses), smart
farms slow down (the trend misses), 5G in villages and online retail are on track.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cityhub.demo import programme_towns


@dataclass(frozen=True)
class DemoTarget:
    """A target and where its values come from ('report': its owner's reports on ``task``)."""

    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    baseline: float
    baseline_on: date
    target_value: float
    deadline: date
    owner: str
    task: int
    source: str  # 'manual' (values in reports) | 'sql'
    sql: str | None = None


FIXED = (
    DemoTarget(
        "GXJ-GIGABIT-SME",
        "中小型企业千兆宽带接入能力覆盖率",
        "SMEs with gigabit broadband access",
        "%",
        "%",
        41.0,
        date(2020, 4, 7),
        100.0,
        date(2020, 12, 31),
        "GXJ",
        1,
        "manual",
    ),
    DemoTarget(
        "GXJ-5G-TOWNS",
        "县级以上城区、重点乡镇(街道)5G网络覆盖率",
        "5G coverage of county-level urban areas and key towns",
        "%",
        "%",
        0.0,
        date(2020, 4, 7),
        100.0,
        date(2022, 12, 31),
        "GXJ",
        1,
        "sql",
        programme_towns.COVERAGE_SQL,
    ),
    DemoTarget(
        "SLJ-SENSING-STATIONS",
        "天地一体化水利感知网站点数",
        "Stations of the water sensing network",
        "个",
        "stations",
        186.0,
        date(2020, 4, 7),
        600.0,
        date(2022, 12, 31),
        "SLJ",
        4,
        "manual",
    ),
    DemoTarget(
        "DSJJ-STORAGE-PB",
        "存储计算中心存储能力",
        "Capacity of the storage and computing centre",
        "PB",
        "PB",
        12.0,
        date(2020, 4, 7),
        500.0,
        date(2022, 12, 31),
        "DSJJ",
        2,
        "manual",
    ),
)

# Figures reported per quarter (the period's label → value), 2020-Q2 … .
FIXED_FIGURES: dict[str, dict[str, float]] = {
    "GXJ-GIGABIT-SME": {
        "2020-Q2": 58.4,
        "2020-Q3": 77.9,
        "2020-Q4": 94.6,
        "2021-Q1": 98.2,
        "2021-Q2": 100.0,
    },
    "SLJ-SENSING-STATIONS": {
        "2020-Q2": 201,
        "2020-Q3": 236,
        "2020-Q4": 268,
        "2021-Q1": 297,
        "2021-Q2": 341,
        "2021-Q3": 389,
        "2021-Q4": 436,
        "2022-Q1": 472,
        "2022-Q2": 519,
        "2022-Q3": 566,
        "2022-Q4": 614,
    },
    "DSJJ-STORAGE-PB": {
        "2020-Q2": 12,
        "2020-Q3": 16,
        "2020-Q4": 24,
        "2021-Q1": 30,
        "2021-Q2": 42,
        "2021-Q3": 55,
        "2021-Q4": 80,
        "2022-Q1": 96,
        "2022-Q2": 110,
        "2022-Q3": 132,
        "2022-Q4": 150,
    },
}

FOLLOW_ON_START = date(2023, 1, 1)


@dataclass(frozen=True)
class FollowOn:
    """A follow-on target and how its reported values run against the straight path.

    ``pace`` is the share of the path's progress reached (1: on the path); ``slowing`` bends the
    curve (values grow less each quarter), which the trend projection catches before the path does.
    """

    target: DemoTarget
    pace: float
    slowing: float
    decimals: int


# code, name_zh, name_en, (unit_zh, unit_en), (baseline, target), owner, task, pace, slowing,
# decimals; baselines are the values reached at the end of 2022.
_FOLLOW_ON = (
    ("DSJJ-STORAGE-PB-2", "存储计算中心存储能力(续建)", "Storage centre capacity (continued)",
     ("PB", "PB"), (150.0, 500.0), "DSJJ", 2, 0.55, 0.2, 0),
    ("NYNCJ-SMART-FARMS", "智慧农场(基地)数量", "Smart farms and bases",
     ("个", "farms"), (14.0, 60.0), "NYNCJ", 5, 1.0, 0.35, 0),
    ("GXJ-5G-VILLAGES", "行政村5G网络通达率", "Villages reached by 5G",
     ("%", "%"), (41.0, 95.0), "GXJ", 1, 1.06, 0.0, 1),
    ("SWTCJ-ONLINE-RETAIL", "网络零售额(年度)", "Online retail sales (yearly)",
     ("亿元", "100M yuan"), (212.0, 400.0), "SWTCJ", 7, 1.02, 0.05, 1),
)  # fmt: skip


def follow_on(today: date) -> tuple[FollowOn, ...]:
    """The follow-on targets, due at the end of next year."""
    deadline = date(today.year + 1, 12, 31)
    found = []
    for code, zh, en, unit, (base, goal), owner, task, pace, slowing, decimals in _FOLLOW_ON:
        spec = DemoTarget(
            code, zh, en, unit[0], unit[1], base, FOLLOW_ON_START, goal, deadline, owner, task,
            "manual",
        )  # fmt: skip
        found.append(FollowOn(spec, pace, slowing, decimals))
    return tuple(found)


def quarter_ends(first: date, today: date) -> list[tuple[str, date]]:
    """(label, last day) of every quarter from the one containing ``first`` that ended before
    ``today``."""
    found: list[tuple[str, date]] = []
    year, quarter = first.year, (first.month - 1) // 3 + 1
    while True:
        end = date(year, 3 * quarter, 31 if quarter in (1, 4) else 30)
        if end >= today:
            return found
        found.append((f"{year}-Q{quarter}", end))
        year, quarter = (year, quarter + 1) if quarter < 4 else (year + 1, 1)


def follow_on_figures(item: FollowOn, today: date) -> dict[str, float]:
    """The quarter label → value reported for a follow-on target, up to ``today``."""
    spec = item.target
    span = (spec.deadline - spec.baseline_on).days
    figures: dict[str, float] = {}
    for label, end in quarter_ends(spec.baseline_on, today):
        elapsed = (end - spec.baseline_on).days / span
        bent = elapsed * (1 - item.slowing * elapsed)  # below the line, more so later
        share = item.pace * bent / (1 - item.slowing * 0.5) if item.slowing else item.pace * bent
        value = spec.baseline + (spec.target_value - spec.baseline) * min(share, 1.05)
        figures[label] = round(value, item.decimals)
    return figures
