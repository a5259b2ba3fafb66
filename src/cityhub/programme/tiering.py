"""Tiering a park from its scores on the four criteria of task 9 (pure; no database).

The policy (九) names the criteria 产业特色、发展前景、创新能力、发展环境. Each is scored 0–100; the
total is the weighted sum (weights sum to 1, stored with each evaluation so that a later change
of the default weights does not rewrite history). 示范 (demonstration) needs a total ≥ 85 and no
criterion below 70; 成长型 (growth) a total ≥ 60; anything else stays a candidate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cityhub.errors import InvalidInput

CRITERIA = ("industry", "prospects", "innovation", "environment")
CRITERION_NAMES: dict[str, tuple[str, str]] = {
    "industry": ("产业特色", "industrial distinctiveness"),
    "prospects": ("发展前景", "development prospects"),
    "innovation": ("创新能力", "innovation capacity"),
    "environment": ("发展环境", "development environment"),
}
DEFAULT_WEIGHTS: dict[str, float] = {
    "industry": 0.3,
    "prospects": 0.25,
    "innovation": 0.25,
    "environment": 0.2,
}
TIERS = ("demonstration", "growth", "candidate")
TIER_NAMES: dict[str, tuple[str, str]] = {
    "demonstration": ("示范", "demonstration"),
    "growth": ("成长型", "growth"),
    "candidate": ("候选", "candidate"),
}
DEMONSTRATION_TOTAL = 85.0
GROWTH_TOTAL = 60.0
CRITERION_BAR = 70.0  # a demonstration park has no criterion below this


@dataclass(frozen=True)
class Tiering:
    """The tier, the weighted total, the criteria below the bar and why, in both languages."""

    tier: str
    total: float
    below_bar: tuple[str, ...]
    explanation_zh: str
    explanation_en: str


def check_scores(scores: dict[str, float]) -> dict[str, float]:
    """Exactly the four criteria, each 0–100."""
    if set(scores) != set(CRITERIA):
        raise InvalidInput(
            f"scores: need exactly {list(CRITERIA)}, got {sorted(scores)}",
            details={"field": "scores", "value": sorted(scores)},
        )
    for name in CRITERIA:
        value = scores[name]
        if not (math.isfinite(value) and 0 <= value <= 100):
            raise InvalidInput(
                f"{name}: score {value!r} is not within 0–100",
                details={"field": name, "value": value},
            )
    return {name: float(scores[name]) for name in CRITERIA}


def check_weights(weights: dict[str, float] | None) -> dict[str, float]:
    """The four weights (the defaults when None), each ≥ 0, summing to 1 (±0.001)."""
    chosen = dict(DEFAULT_WEIGHTS) if weights is None else weights
    if set(chosen) != set(CRITERIA):
        raise InvalidInput(
            f"weights: need exactly {list(CRITERIA)}, got {sorted(chosen)}",
            details={"field": "weights", "value": sorted(chosen)},
        )
    if any(not (math.isfinite(w) and w >= 0) for w in chosen.values()):
        raise InvalidInput("weights must be ≥ 0", details={"field": "weights", "value": chosen})
    total = sum(chosen.values())
    if abs(total - 1) > 0.001:
        raise InvalidInput(
            f"weights sum to {total:g}, not 1", details={"field": "weights", "value": chosen}
        )
    return {name: float(chosen[name]) for name in CRITERIA}


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def tier_of(scores: dict[str, float], weights: dict[str, float] | None = None) -> Tiering:
    """The tier of a park with these scores, and the explanation naming the total and any
    criterion below the bar."""
    checked = check_scores(scores)
    used = check_weights(weights)
    total = round(sum(checked[c] * used[c] for c in CRITERIA), 2)
    below = tuple(c for c in CRITERIA if checked[c] < CRITERION_BAR)
    if total >= DEMONSTRATION_TOTAL and not below:
        tier = "demonstration"
    elif total >= GROWTH_TOTAL:
        tier = "growth"
    else:
        tier = "candidate"
    low_zh = "、".join(f"{CRITERION_NAMES[c][0]} {_number(checked[c])} 分" for c in below)
    low_en = ", ".join(f"{CRITERION_NAMES[c][1]} {_number(checked[c])}" for c in below)
    zh = f"加权总分 {_number(total)} 分"
    en = f"weighted total {_number(total)}"
    bar = _number(CRITERION_BAR)
    if tier == "demonstration":
        zh += f"（≥ {_number(DEMONSTRATION_TOTAL)}），且各项均不低于 {bar} 分，评为示范园区。"
        en += (
            f" (≥ {_number(DEMONSTRATION_TOTAL)}) and no criterion below {bar}: demonstration park."
        )
    elif tier == "growth":
        if total >= DEMONSTRATION_TOTAL:
            line = _number(DEMONSTRATION_TOTAL)
            zh += f"达到示范线 {line}，但{low_zh}低于 {bar} 分，评为成长型园区。"
            en += (
                f" reaches the demonstration line {_number(DEMONSTRATION_TOTAL)}, but {low_en}"
                f" below {bar}: growth park."
            )
        else:
            zh += (
                f"（≥ {_number(GROWTH_TOTAL)}，< {_number(DEMONSTRATION_TOTAL)}），评为成长型园区。"
            )
            en += f" (≥ {_number(GROWTH_TOTAL)}, < {_number(DEMONSTRATION_TOTAL)}): growth park."
            if below:
                zh += f"低于 {bar} 分的项：{low_zh}。"
                en += f" Below {bar}: {low_en}."
    else:
        zh += f"，低于成长型标准 {_number(GROWTH_TOTAL)} 分，暂列候选。"
        en += f" is below the growth line {_number(GROWTH_TOTAL)}: candidate."
        if below:
            zh += f"低于 {bar} 分的项：{low_zh}。"
            en += f" Below {bar}: {low_en}."
    return Tiering(tier, total, below, zh, en)
