"""What defines a target, its views, and the checks on a definition (pure; no database).

``cityhub.programme.targets`` re-exports the names callers use.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date

from cityhub.errors import InvalidInput
from cityhub.programme.policy import GOAL, POLICY

DIRECTIONS = ("up", "down")
SOURCES = ("manual", "sql", "registry")
VALUE_SOURCES = ("manual", "report", "sql", "registry")
PATHS = ("linear", "milestones")
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
GOAL_START = POLICY.issued_on  # the policy's date
GOAL_DEADLINE = GOAL.due_on  # both read from the policy's text


@dataclass(frozen=True)
class MeasuredValue:
    """One value of a target's series."""

    measured_on: date
    value: float
    source: str
    source_ref: str | None = None


@dataclass(frozen=True)
class TargetSpec:
    """What defines a target; ``owner`` is a department code, ``task_number`` 1–19 or None."""

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
    task_number: int | None = None
    direction: str = "up"
    source: str = "manual"
    sql: str | None = None
    measure: str | None = None
    path: str = "linear"


@dataclass(frozen=True)
class TargetView(TargetSpec):
    """A target with its series (oldest first), latest value and progress.

    ``progress`` is the share of the way from baseline to target (may exceed 1);
    ``milestone_dates`` are the due dates of the linked task's milestones (for path
    'milestones').
    """

    values: tuple[MeasuredValue, ...] = ()
    latest: float | None = None
    progress: float | None = None
    milestone_dates: tuple[date, ...] = ()


def progress_of(baseline: float, target: float, latest: float | None) -> float | None:
    """Share of the way from baseline to target; a zero span counts as done."""
    if latest is None:
        return None
    if target == baseline:
        return 1.0
    return (latest - baseline) / (target - baseline)


# --- validation --------------------------------------------------------------------------------


def _text(value: str, field: str, limit: int) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > limit:
        raise InvalidInput(f"{field} needs 1–{limit} characters", details={"field": field})
    return cleaned


def finite(value: float, field: str) -> float:
    if not math.isfinite(value):
        raise InvalidInput(f"{field} must be a finite number", details={"field": field})
    return float(value)


def checked(spec: TargetSpec) -> TargetSpec:
    """The spec with text trimmed; raises InvalidInput naming the field that is wrong."""
    if not CODE_PATTERN.match(spec.code):
        raise InvalidInput(
            "a target code is 2–40 of A–Z, 0–9 and '-', e.g. 'SBQ-PARKS'",
            details={"field": "code", "value": spec.code},
        )
    for name, allowed in (
        ("direction", DIRECTIONS),
        ("source", SOURCES),
        ("path", PATHS),
    ):
        if getattr(spec, name) not in allowed:
            raise InvalidInput(
                f"{name} must be one of {', '.join(allowed)}", details={"field": name}
            )
    baseline = finite(spec.baseline, "baseline")
    target = finite(spec.target_value, "target_value")
    if spec.deadline <= spec.baseline_on:
        raise InvalidInput(
            "the deadline must come after the baseline date", details={"field": "deadline"}
        )
    if (spec.direction == "up") != (target > baseline) or target == baseline:
        raise InvalidInput(
            "the target value must lie above the baseline for direction 'up', below it for 'down'",
            details={"field": "target_value", "direction": spec.direction},
        )
    sql = spec.sql.strip() if spec.sql else None
    measure = spec.measure.strip() if spec.measure else None
    if spec.source == "sql" and not sql:
        raise InvalidInput("a target of source 'sql' needs its query", details={"field": "sql"})
    if spec.source == "registry":
        from cityhub.programme.measures import MEASURES  # C's module, imported when needed

        if measure not in MEASURES:
            raise InvalidInput(
                f"measure must be one of {', '.join(MEASURES)}", details={"field": "measure"}
            )
    return replace(
        spec,
        name_zh=_text(spec.name_zh, "name_zh", 200),
        name_en=_text(spec.name_en, "name_en", 200),
        unit_zh=_text(spec.unit_zh, "unit_zh", 40),
        unit_en=_text(spec.unit_en, "unit_en", 40),
        baseline=baseline,
        target_value=target,
        sql=sql if spec.source == "sql" else None,
        measure=measure if spec.source == "registry" else None,
    )


# The "十百千" goal of the policy (一、总体要求): by the end of 2022, 10 digital-economy parks,
# 100 projects, 1,000 trained people; counted from the registries (C's measures).
GOAL_TARGETS: tuple[TargetSpec, ...] = (
    TargetSpec(
        code="SBQ-PARKS",
        name_zh="数字经济园区",
        name_en="Digital economy parks",
        unit_zh="个",
        unit_en="parks",
        baseline=0.0,
        baseline_on=GOAL_START,
        target_value=float(GOAL.parks),
        deadline=GOAL_DEADLINE,
        owner="DSJJ",
        task_number=9,
        source="registry",
        measure="parks",
    ),
    TargetSpec(
        code="SBQ-PROJECTS",
        name_zh="数字经济项目",
        name_en="Digital economy projects",
        unit_zh="个",
        unit_en="projects",
        baseline=0.0,
        baseline_on=GOAL_START,
        target_value=float(GOAL.projects),
        deadline=GOAL_DEADLINE,
        owner="DSJJ",
        task_number=17,
        source="registry",
        measure="projects",
    ),
    TargetSpec(
        code="SBQ-TALENT",
        name_zh="数字经济人才培训",
        name_en="People trained for the digital economy",
        unit_zh="人",
        unit_en="people",
        baseline=0.0,
        baseline_on=GOAL_START,
        target_value=float(GOAL.people),
        deadline=GOAL_DEADLINE,
        owner="DSJJ",
        task_number=19,
        source="registry",
        measure="trained",
    ),
)
