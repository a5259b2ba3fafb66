"""The progress reports API: ``/api/programme/reports``.

Reads need PROGRAMME_READ (analysts, stewards, admins); submitting PROGRAMME_REPORT (stewards for
their own unit, admins for any unit they name). Submissions are ``multipart/form-data`` so that
files travel as files: fields ``task``, ``period``, ``text``, optional ``department``,
``corrects``, ``figures`` (a JSON object ``{"CODE": number}``) and any number of ``files``
(at most 10, 20 MiB each). There is no PUT, PATCH or DELETE: reports never change.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Response, UploadFile

from cityhub.programme import reports
from cityhub.programme.tasks import city_today
from cityhub.web.deps import ApiActor, DatabaseDep, Id, Index, SettingsDep
from cityhub.web.programme_reports_schemas import (
    OverduePublic,
    ReminderPublic,
    ReportPublic,
    parse_figures,
    report_public,
)
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/programme", tags=["programme"], responses=ERROR_RESPONSES)


def read_upload(upload: UploadFile) -> reports.Upload:
    """(name, bytes, media type) of an uploaded file; reads one byte past the limit at most,
    so that the service refuses an oversized file without the whole of it in memory."""
    content = upload.file.read(reports.MAX_ATTACHMENT_BYTES + 1)
    return (upload.filename or "", content, upload.content_type or "")


@router.get("/reports")
def read_reports(
    db: DatabaseDep,
    actor: ApiActor,
    task: Annotated[int | None, Query(description="Task number 1–19.")] = None,
    department: Annotated[str | None, Query(description="Code of the reporting unit.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[ReportPublic]:
    """Reports, newest first, optionally of one task and/or one unit."""
    found = reports.list_reports(db, actor, task, department, limit=limit)
    return [report_public(view) for view in found]


@router.get("/reports/overdue")
def read_overdue(
    db: DatabaseDep,
    settings: SettingsDep,
    actor: ApiActor,
    on: Annotated[date | None, Query(description="As of this day (default today).")] = None,
    department: str | None = None,
) -> list[OverduePublic]:
    """Missing reports past their due day, most overdue first."""
    found = reports.list_overdue(
        db, actor, on or city_today(), settings.programme_report_due_days, department
    )
    return [OverduePublic(**vars(o)) for o in found]


@router.get("/reports/reminders")
def read_reminders(
    db: DatabaseDep,
    settings: SettingsDep,
    actor: ApiActor,
    on: Annotated[date | None, Query(description="As of this day (default today).")] = None,
    department: str | None = None,
) -> list[ReminderPublic]:
    """Reports due within the reminder window and not sent yet."""
    found = reports.list_reminders(
        db,
        actor,
        on or city_today(),
        settings.programme_report_due_days,
        settings.programme_reminder_days,
        department,
    )
    return [ReminderPublic(**vars(r)) for r in found]


@router.get("/reports/{report_id}")
def read_report(report_id: Id, db: DatabaseDep, actor: ApiActor) -> ReportPublic:
    """One report with its figures, attachments and correction chain."""
    return report_public(reports.get_report(db, actor, report_id))


@router.post("/reports", status_code=201)
def submit_report(
    db: DatabaseDep,
    settings: SettingsDep,
    actor: ApiActor,
    task: Annotated[int, Form(description="Task number 1–19.")],
    period: Annotated[str, Form(description="'2021-07' or '2021-Q3'.")],
    text: Annotated[str, Form()],
    department: Annotated[str | None, Form(description="The unit (admins must name it).")] = None,
    corrects: Annotated[int | None, Form(description="The report this one corrects.")] = None,
    figures: Annotated[str, Form(description='JSON object {"CODE": number}.')] = "",
    files: Annotated[list[UploadFile] | None, File(description="Attachments.")] = None,
) -> ReportPublic:
    """Submit a progress report (multipart/form-data); a second one for a period must correct."""
    view = reports.submit_report(
        db,
        actor,
        settings,
        task,
        period,
        text,
        parse_figures(figures),
        [read_upload(f) for f in files or []],
        corrects,
        department=department or None,
    )
    return report_public(view)


@router.get(
    "/reports/{report_id}/attachments/{position}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def read_attachment(
    report_id: Id, position: Index, db: DatabaseDep, settings: SettingsDep, actor: ApiActor
) -> Response:
    """An attachment's bytes, always as a download (never rendered in the browser)."""
    view, content = reports.read_attachment(db, actor, settings, report_id, position)
    return attachment_response(view, content)


def attachment_response(view: reports.AttachmentView, content: bytes) -> Response:
    """The file as a download: Content-Disposition attachment, nosniff, its sha256 as ETag."""
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(view.filename, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "ETag": f'"{view.sha256}"',
    }
    return Response(content, media_type=view.media_type, headers=headers)
