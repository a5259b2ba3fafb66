"""JSON shapes of the quality API: rule sets, reports, quarantined rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from cityhub import quality


class RuleSetPublic(BaseModel):
    """One version of a dataset's rule set."""

    number: int
    rules: list[dict[str, Any]]
    cleaning: list[dict[str, Any]]
    created_by: str
    created_at: datetime


def ruleset_public(stored: quality.QualityRuleSet) -> RuleSetPublic:
    """The API shape of a stored rule set."""
    return RuleSetPublic(
        number=stored.number,
        rules=stored.rules,
        cleaning=stored.cleaning,
        created_by=stored.created_by,
        created_at=stored.created_at,
    )


class ReportPublic(BaseModel):
    """A quality report: overall, per rule (with examples where the caller may see them), per
    column."""

    id: int
    dataset: str
    version: int
    ruleset: int
    trigger: str = Field(description="ingest or on_demand")
    rows_checked: int
    rows_failed: int = Field(description="Rows failing at least one rule.")
    rows_quarantined: int
    score: float | None = Field(description="Share of (row, rule) checks passed, percent.")
    results: dict[str, Any] = Field(description='{"rules": [...], "columns": {...}, "notes": []}')
    examples_shown: bool = Field(description="False when the caller may not read the rows.")
    created_by: str
    created_at: datetime


def report_public(view: quality.ReportView) -> ReportPublic:
    """The API shape of a report as one caller sees it."""
    report = view.report
    return ReportPublic(
        id=report.id,
        dataset=view.dataset.name,
        version=report.version_number,
        ruleset=report.ruleset_number,
        trigger=report.trigger,
        rows_checked=report.rows_checked,
        rows_failed=report.rows_failed,
        rows_quarantined=report.rows_quarantined,
        score=report.score,
        results=view.results,
        examples_shown=view.examples,
        created_by=report.created_by,
        created_at=report.created_at,
    )


class QuarantinedRowPublic(BaseModel):
    """A quarantined row with its reasons (owner stewards see it whole, admins masked)."""

    id: int
    version: int = Field(description="The version whose ingest held the row back.")
    row_number: int = Field(description="Data row of the upload, 1-based.")
    values: dict[str, Any]
    reasons: list[dict[str, Any]]
    status: str
    fixed_values: dict[str, Any] | None
    note: str
    resolved_by: str | None
    resolved_at: datetime | None
    readmitted_in_version: int | None


def row_public(row: quality.HeldRow) -> QuarantinedRowPublic:
    """The API shape of a quarantined row."""
    return QuarantinedRowPublic(
        id=row.id,
        version=row.version_number,
        row_number=row.row_number,
        values=row.values,
        reasons=row.reasons,
        status=row.status,
        fixed_values=row.fixed_values,
        note=row.note,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        readmitted_in_version=row.readmitted_in_version,
    )


class QuarantinePublic(BaseModel):
    """A page of quarantined rows."""

    total: int
    data: list[QuarantinedRowPublic]


class RowFix(BaseModel):
    """New values for some columns of a held row."""

    values: dict[str, Any] = Field(min_length=1)


class FixPublic(BaseModel):
    """The fixed row and the rules it still fails."""

    row: QuarantinedRowPublic
    failing: list[dict[str, Any]]
    admissible: bool = Field(description="Passes every blocking rule: re-admission will take it.")


class RowIds(BaseModel):
    """Rows to re-admit."""

    ids: list[int] = Field(min_length=1, max_length=1000)


class RowDiscard(RowIds):
    """Rows to discard, and why."""

    reason: str = Field(min_length=1, max_length=2000)


class StillHeld(BaseModel):
    """A row that still fails a blocking rule."""

    id: int
    reasons: list[dict[str, Any]]


class ReadmitPublic(BaseModel):
    """What a re-admission did."""

    version: int | None = Field(description="The new version; null when no row passed.")
    readmitted: list[int]
    still_held: list[StillHeld]


class DiscardPublic(BaseModel):
    """The rows marked discarded."""

    discarded: list[int]
