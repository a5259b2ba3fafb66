"""JSON shapes of the progress reports API: reports, overdue periods, reminders."""

from __future__ import annotations

import json
import math
from datetime import date, datetime

from pydantic import BaseModel, Field

from cityhub.errors import InvalidInput
from cityhub.programme import reports


class FigurePublic(BaseModel):
    """A report's figure for one target (also recorded as the target's value)."""

    target: str = Field(description="Target code, e.g. 'SBQ-PARKS'.")
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    value: float


class AttachmentPublic(BaseModel):
    """A file of a report; download it from ``url``."""

    position: int = Field(description="1, 2, … in the order the files were sent.")
    filename: str
    media_type: str
    size: int = Field(description="Bytes.")
    sha256: str
    url: str


class ReportPublic(BaseModel):
    """A progress report; reports never change, corrections are new reports (``corrects``)."""

    id: int
    task_number: int
    task_title: str
    department: str = Field(description="Code of the reporting unit.")
    department_name_zh: str
    department_name_en: str
    period: str = Field(description="'2021-07' (month) or '2021-Q3' (quarter).")
    period_start: date
    period_end: date
    due_on: date
    submitted_at: datetime
    submitted_by: str
    text: str
    corrects: int | None = Field(description="The report this one corrects.")
    corrected_by: int | None = Field(description="The report that corrects this one.")
    late: bool = Field(description="Submitted after the due day (city calendar).")
    figures: list[FigurePublic]
    attachments: list[AttachmentPublic]
    chain: list[int] = Field(description="Every report of its task, unit and period, oldest first.")


class OverduePublic(BaseModel):
    """A period whose report is past due and missing."""

    task_number: int
    task_title: str
    department: str
    period: str
    due_on: date
    days_overdue: int


class ReminderPublic(BaseModel):
    """A period whose report is due soon and not in yet."""

    task_number: int
    task_title: str
    department: str
    department_name_zh: str
    department_name_en: str
    period: str
    due_on: date
    days_left: int = Field(description="0 means due today.")


def report_public(view: reports.ReportView) -> ReportPublic:
    """The API shape of a report."""
    return ReportPublic(
        id=view.id,
        task_number=view.task_number,
        task_title=view.task_title,
        department=view.department,
        department_name_zh=view.department_name_zh,
        department_name_en=view.department_name_en,
        period=view.period,
        period_start=view.period_start,
        period_end=view.period_end,
        due_on=view.due_on,
        submitted_at=view.submitted_at,
        submitted_by=view.submitted_by,
        text=view.text,
        corrects=view.corrects,
        corrected_by=view.corrected_by,
        late=view.late,
        figures=[FigurePublic(**vars(f)) for f in view.figures],
        attachments=[
            AttachmentPublic(
                **vars(a), url=f"/api/programme/reports/{view.id}/attachments/{a.position}"
            )
            for a in view.attachments
        ],
        chain=list(view.chain),
    )


def parse_figures(text: str, field: str = "figures") -> dict[str, float]:
    """Figures sent as a JSON object ``{"CODE": number, …}`` (a multipart form field)."""
    if not text.strip():
        return {}
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{field} must be a JSON object of target codes and numbers",
            details={"field": field, "error": str(exc)},
        ) from exc
    if not isinstance(loaded, dict):
        raise InvalidInput(
            f"{field} must be a JSON object of target codes and numbers", details={"field": field}
        )
    figures: dict[str, float] = {}
    for code, value in loaded.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(
                f"the figure for {code} must be a number",
                details={"field": f"{field}.{code}", "value": str(value)},
            )
        figures[code] = float(value) if math.isfinite(value) else math.nan
    return figures
