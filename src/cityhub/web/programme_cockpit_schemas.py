"""Response models of the cockpit API (``/api/programme/cockpit``); the page embeds the same."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from cityhub.programme.cockpit import Cockpit


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class GoalOut(_Out):
    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    value: float
    target: float
    share: float
    expected_share: float
    deadline: date


class TargetOut(_Out):
    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    owner: str
    owner_zh: str
    owner_en: str
    task_number: int | None
    baseline: float
    target_value: float
    deadline: date
    latest: float | None
    measured_on: date | None
    progress: float | None
    expected: float
    status: str


class UnitOut(_Out):
    department: str
    name_zh: str
    name_en: str
    tasks: int
    on_track: int
    lagging: int
    warnings: int


class WarningOut(_Out):
    kind: str
    subject: str
    key: str
    department: str
    department_zh: str
    department_en: str
    title_zh: str
    title_en: str
    reason_zh: str
    reason_en: str
    since: date | None


class BreakdownOut(_Out):
    key: str
    label_zh: str
    label_en: str
    projects: int
    selected: int
    investment: float


class ReportOut(_Out):
    id: int
    task_number: int
    task_title: str
    department: str
    department_zh: str
    department_en: str
    period: str
    submitted_at: datetime
    corrects: int | None


class CockpitOut(_Out):
    """Everything the cockpit shows, as of ``on``: the numbers of the Excel and the PDF."""

    on: date
    generated_at: datetime
    policy_number: str
    policy_title: str
    goal_due_on: date
    goals: list[GoalOut]
    targets: list[TargetOut]
    units: list[UnitOut]
    warnings: list[WarningOut]
    projects_by_domain: list[BreakdownOut]
    projects_by_county: list[BreakdownOut]
    projects_by_investment: list[BreakdownOut]
    recent_reports: list[ReportOut]

    @classmethod
    def of(cls, cockpit: Cockpit) -> CockpitOut:
        return cls.model_validate(cockpit)
