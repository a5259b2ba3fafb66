"""Progress reports: each responsible unit of a task reports per period; reports never change.

A steward submits for their own department when it is one of the task's units; an admin may
submit for any unit and must name it. Figures go to the targets as values (source 'report',
measured on the period's last day); attachments are stored by content (sha256) under
``<data_dir>/programme/attachments/``. A second report for the same task, unit and period must
say which report it ``corrects``; the correction chain is linear. Reads and writes are audited.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityhub.audit import record
from cityhub.auth.actor import Actor, Permission
from cityhub.auth.models import Department
from cityhub.config import Settings
from cityhub.db import Database, utcnow
from cityhub.errors import Conflict, InvalidInput, NotFound
from cityhub.programme.models_reports import (
    ProgrammeReport,
    ProgrammeReportAttachment,
    ProgrammeReportFigure,
)
from cityhub.programme.models_targets import ProgrammeTarget
from cityhub.programme.models_tasks import ProgrammeTask
from cityhub.programme.periods import is_reporting_period, parse_period
from cityhub.programme.reminders import (
    ExpectedReport,
    OverdueReport,
    Reminder,
    city_day,
    expected_reports,
    list_expected,
    list_overdue,
    list_reminders,
    overdue_reports,
    reminders,
)
from cityhub.programme.report_checks import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    Upload,
    attachment_dir,
    check_corrects,
    clean_text,
    clean_uploads,
    department_row,
    figure_targets,
    report_row,
    sanitise_filename,
    store_file,
    task_row,
    unit_for,
)
from cityhub.programme.targets import record_value

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_BYTES",
    "AttachmentView",
    "ExpectedReport",
    "FigureView",
    "OverdueReport",
    "Reminder",
    "ReportView",
    "Upload",
    "attachment_dir",
    "expected_reports",
    "get_report",
    "list_expected",
    "list_overdue",
    "list_reminders",
    "list_reports",
    "overdue_reports",
    "read_attachment",
    "reminders",
    "sanitise_filename",
    "submit_report",
]


@dataclass(frozen=True)
class FigureView:
    """A figure of a report for one target."""

    target: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    value: float


@dataclass(frozen=True)
class AttachmentView:
    """A file of a report; ``position`` (1, 2, …) is its number in the report's URL."""

    position: int
    filename: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ReportView:
    """A report as callers see it; ``chain`` is every report id of its task, unit and period,
    oldest first (the original, then its corrections)."""

    id: int
    task_number: int
    task_title: str
    department: str
    department_name_zh: str
    department_name_en: str
    period: str
    period_start: date
    period_end: date
    due_on: date
    submitted_at: datetime
    submitted_by: str
    text: str
    corrects: int | None
    corrected_by: int | None
    late: bool
    figures: tuple[FigureView, ...]
    attachments: tuple[AttachmentView, ...]
    chain: tuple[int, ...]


# --- reading -----------------------------------------------------------------------------------


def _views(session: Session, rows: list[ProgrammeReport]) -> list[ReportView]:
    """Views of ``rows`` in their order, with a fixed number of queries (not one per report)."""
    ids = [row.id for row in rows]
    figures: dict[int, list[FigureView]] = {i: [] for i in ids}
    for figure, t in session.execute(
        select(ProgrammeReportFigure, ProgrammeTarget)
        .join(ProgrammeTarget, ProgrammeTarget.id == ProgrammeReportFigure.target_id)
        .where(ProgrammeReportFigure.report_id.in_(ids))
        .order_by(ProgrammeTarget.code)
    ):
        figures[figure.report_id].append(
            FigureView(t.code, t.name_zh, t.name_en, t.unit_zh, t.unit_en, figure.value)
        )
    attachments: dict[int, list[AttachmentView]] = {i: [] for i in ids}
    for a in session.scalars(
        select(ProgrammeReportAttachment)
        .where(ProgrammeReportAttachment.report_id.in_(ids))
        .order_by(ProgrammeReportAttachment.position)
    ):
        attachments[a.report_id].append(
            AttachmentView(a.position, a.filename, a.media_type, a.size, a.sha256)
        )
    # Every report of the same periods: the chains, and which report corrects which.
    chains: dict[tuple[int, int, str], list[int]] = {}
    corrected_by: dict[int, int] = {}
    for report_id, task_id, department_id, period, corrects_id in session.execute(
        select(
            ProgrammeReport.id,
            ProgrammeReport.task_id,
            ProgrammeReport.department_id,
            ProgrammeReport.period,
            ProgrammeReport.corrects_id,
        )
        .where(ProgrammeReport.period.in_({row.period for row in rows}))
        .order_by(ProgrammeReport.id)
    ):
        chains.setdefault((task_id, department_id, period), []).append(report_id)
        if corrects_id is not None:
            corrected_by[corrects_id] = report_id
    views = []
    for row in rows:
        task = session.get_one(ProgrammeTask, row.task_id)  # identity map: one query per task
        department = session.get_one(Department, row.department_id)
        views.append(
            ReportView(
                id=row.id,
                task_number=task.number,
                task_title=task.title,
                department=department.code,
                department_name_zh=department.name_zh,
                department_name_en=department.name_en,
                period=row.period,
                period_start=row.period_start,
                period_end=row.period_end,
                due_on=row.due_on,
                submitted_at=row.submitted_at,
                submitted_by=row.submitted_by,
                text=row.text,
                corrects=row.corrects_id,
                corrected_by=corrected_by.get(row.id),
                late=city_day(row.submitted_at) > row.due_on,
                figures=tuple(figures[row.id]),
                attachments=tuple(attachments[row.id]),
                chain=tuple(chains[(row.task_id, row.department_id, row.period)]),
            )
        )
    return views


def list_reports(
    db: Database,
    actor: Actor,
    task_number: int | None = None,
    department: str | None = None,
    *,
    limit: int = 200,
) -> list[ReportView]:
    """Reports, newest first, optionally of one task and/or one unit (PROGRAMME_READ)."""
    actor.require(Permission.PROGRAMME_READ)
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be 1–1000", details={"field": "limit", "value": limit})
    with db.transaction() as session:
        query = select(ProgrammeReport).order_by(ProgrammeReport.id.desc()).limit(limit)
        if task_number is not None:
            query = query.where(ProgrammeReport.task_id == task_row(session, task_number).id)
        if department is not None:
            query = query.where(
                ProgrammeReport.department_id == department_row(session, department).id
            )
        views = _views(session, list(session.scalars(query)))
        record(
            session,
            actor,
            "programme.report.list",
            object_type="programme_report",
            details={"task": task_number, "department": department, "count": len(views)},
        )
    return views


def get_report(db: Database, actor: Actor, report_id: int) -> ReportView:
    """One report with its figures, attachments and correction chain (PROGRAMME_READ)."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        (view,) = _views(session, [report_row(session, report_id)])
        record(
            session,
            actor,
            "programme.report.read",
            object_type="programme_report",
            object_id=str(report_id),
        )
    return view


def read_attachment(
    db: Database, actor: Actor, settings: Settings, report_id: int, position: int
) -> tuple[AttachmentView, bytes]:
    """The ``position``-th file of a report; its bytes are checked against the stored sha256."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        report_row(session, report_id)
        row = session.scalar(
            select(ProgrammeReportAttachment).where(
                ProgrammeReportAttachment.report_id == report_id,
                ProgrammeReportAttachment.position == position,
            )
        )
        if row is None:
            raise NotFound(
                f"report {report_id} has no attachment {position}",
                details={"field": "attachment", "value": position},
            )
        view = AttachmentView(row.position, row.filename, row.media_type, row.size, row.sha256)
        record(
            session,
            actor,
            "programme.report.attachment.read",
            object_type="programme_report",
            object_id=str(report_id),
            details={"attachment": position, "sha256": row.sha256},
        )
    path = attachment_dir(settings) / view.sha256
    content = path.read_bytes() if path.is_file() else b""
    if hashlib.sha256(content).hexdigest() != view.sha256:
        raise NotFound(
            f"the stored file of attachment {position} is missing or damaged",
            details={"field": "attachment", "value": position, "sha256": view.sha256},
        )
    return view, content


# --- submitting --------------------------------------------------------------------------------

# --- submitting --------------------------------------------------------------------------------


def submit_report(
    db: Database,
    actor: Actor,
    settings: Settings,
    task_number: int,
    period: str,
    text: str,
    figures: dict[str, float],
    attachments: list[Upload],
    corrects: int | None = None,
    *,
    department: str | None = None,
    now: datetime | None = None,
) -> ReportView:
    """Submit a unit's report on a task for a period that has started (PROGRAMME_REPORT).

    ``department`` is required for admins and must be the steward's own for stewards. ``now``
    backdates the submission (demo seeding, tests); callers on the web and CLI never pass it.
    """
    actor.require(Permission.PROGRAMME_REPORT)
    submitted_at = now or utcnow()
    body = clean_text(text)
    uploads = clean_uploads(attachments)
    with db.transaction() as session:
        task = task_row(session, task_number)
        unit = unit_for(session, actor, task, department)
        parsed = parse_period(period, task.report_period)
        if not is_reporting_period(
            parsed, task.report_period, task.reporting_from, city_day(submitted_at)
        ):
            raise InvalidInput(
                f"{parsed.label} is not a period task {task.number} reports on yet "
                f"(from {task.reporting_from.isoformat()}, started periods only)",
                details={"field": "period", "value": period},
            )
        targets = figure_targets(session, task, unit, figures)
        check_corrects(session, task, unit, parsed.label, corrects)
        row = ProgrammeReport(
            task_id=task.id,
            department_id=unit.id,
            period=parsed.label,
            period_start=parsed.start,
            period_end=parsed.end,
            due_on=parsed.due_on(settings.programme_report_due_days),
            submitted_at=submitted_at,
            submitted_by=actor.username,
            text=body,
            corrects_id=corrects,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:  # another submission for the period won the race
            raise Conflict(
                f"task {task.number}, {unit.code}, {parsed.label} was reported just now; "
                "send a correction that names that report",
                details={"field": "corrects", "period": parsed.label},
            ) from exc
        # A figure counts as of the period's last day; in a period still running, as of today.
        measured_on = min(parsed.end, city_day(submitted_at))
        for target, value in targets:
            session.add(ProgrammeReportFigure(report_id=row.id, target_id=target.id, value=value))
            record_value(
                session, actor, target.code, value, measured_on, "report", f"report:{row.id}"
            )
        for position, (name, content, kind, digest) in enumerate(uploads, start=1):
            store_file(settings, digest, content)
            session.add(
                ProgrammeReportAttachment(
                    report_id=row.id,
                    position=position,
                    filename=name,
                    media_type=kind,
                    size=len(content),
                    sha256=digest,
                )
            )
        session.flush()
        (view,) = _views(session, [row])
        record(
            session,
            actor,
            "programme.report.submit",
            object_type="programme_report",
            object_id=str(row.id),
            details=_audit_details(view),
        )
    return view


def _audit_details(view: ReportView) -> dict[str, Any]:
    return {
        "task": view.task_number,
        "department": view.department,
        "period": view.period,
        "corrects": view.corrects,
        "late": view.late,
        "figures": {f.target: f.value for f in view.figures},
        "attachments": [{"filename": a.filename, "sha256": a.sha256} for a in view.attachments],
    }
