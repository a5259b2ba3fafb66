"""JSON shapes of the programme targets and warnings API."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from cityhub.programme import targets
from cityhub.programme.computed import RefreshOutcome
from cityhub.programme.warnings import Warning as LaggingWarning

Direction = Literal["up", "down"]
Source = Literal["manual", "sql", "registry"]
PathKind = Literal["linear", "milestones"]


class TargetCreate(BaseModel):
    """A new target (admins)."""

    code: str = Field(description="A–Z, 0–9 and '-', e.g. 'SBQ-PARKS'.")
    name_zh: str
    name_en: str
    unit_zh: str = Field(description="e.g. 个, 人, %.")
    unit_en: str
    baseline: float
    baseline_on: date
    target_value: float
    deadline: date
    owner: str = Field(description="Owner department code.")
    task_number: int | None = Field(default=None, description="The policy task (1–19) it serves.")
    direction: Direction = Field(default="up", description="'up': more is better; 'down': less.")
    source: Source = "manual"
    sql: str | None = Field(
        default=None, description="For source 'sql': one SELECT whose first cell is the value."
    )
    measure: str | None = Field(
        default=None, description="For source 'registry': parks, projects or trained."
    )
    path: PathKind = Field(
        default="linear", description="Expected path: linear, or stepped at the task's milestones."
    )

    def spec(self) -> targets.TargetSpec:
        """The domain's form of this request."""
        return targets.TargetSpec(**self.model_dump())


class TargetUpdate(BaseModel):
    """Changes to a target; omitted fields stay (send task_number null to unlink the task)."""

    name_zh: str | None = None
    name_en: str | None = None
    unit_zh: str | None = None
    unit_en: str | None = None
    baseline: float | None = None
    baseline_on: date | None = None
    target_value: float | None = None
    deadline: date | None = None
    owner: str | None = None
    task_number: int | None = None
    direction: Direction | None = None
    source: Source | None = None
    sql: str | None = None
    measure: str | None = None
    path: PathKind | None = None

    def changes(self) -> dict[str, Any]:
        """The fields sent (``task_number`` may be sent as null)."""
        sent = self.model_dump(exclude_unset=True)
        return {k: v for k, v in sent.items() if v is not None or k in ("task_number", "sql")}


class ValueCreate(BaseModel):
    """A measured value typed in (stewards of the owner department, admins)."""

    value: float
    measured_on: date


class MeasuredValuePublic(BaseModel):
    """One value of a target's series."""

    measured_on: date
    value: float
    source: str
    source_ref: str | None


class TargetPublic(BaseModel):
    """A target with its series (oldest first), latest value and progress (share of the way)."""

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
    task_number: int | None
    direction: str
    source: str
    sql: str | None
    measure: str | None
    path: str
    values: list[MeasuredValuePublic]
    latest: float | None
    progress: float | None


def target_public(view: targets.TargetView) -> TargetPublic:
    """The JSON form of a target view."""
    return TargetPublic(
        **{name: getattr(view, name) for name in TargetPublic.model_fields if name != "values"},
        values=[
            MeasuredValuePublic(
                measured_on=v.measured_on, value=v.value, source=v.source, source_ref=v.source_ref
            )
            for v in view.values
        ],
    )


class RefreshFailure(BaseModel):
    """A computed target that could not be refreshed, and why."""

    code: str
    message: str


class RefreshPublic(BaseModel):
    """What a refresh of the computed targets did."""

    changed: list[str]
    unchanged: list[str]
    failed: list[RefreshFailure]


def refresh_public(outcome: RefreshOutcome) -> RefreshPublic:
    """The JSON form of a refresh outcome."""
    return RefreshPublic(
        changed=outcome.changed,
        unchanged=outcome.unchanged,
        failed=[RefreshFailure(code=c, message=e.message) for c, e in outcome.failed.items()],
    )


class WarningPublic(BaseModel):
    """A lagging warning with its reason and numbers."""

    kind: str
    subject: str
    key: str
    department: str
    title_zh: str
    title_en: str
    reason_zh: str
    reason_en: str
    numbers: dict[str, float | str]
    since: date | None


def warning_public(found: LaggingWarning) -> WarningPublic:
    """The JSON form of a warning."""
    return WarningPublic(
        kind=found.kind,
        subject=found.subject,
        key=found.key,
        department=found.department,
        title_zh=found.title_zh,
        title_en=found.title_en,
        reason_zh=found.reason_zh,
        reason_en=found.reason_en,
        numbers=found.numbers,
        since=found.since,
    )
