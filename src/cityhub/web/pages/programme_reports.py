"""Pages of progress reports: ``/programme/reports`` (recent reports, the unit's due and overdue
periods, the submit form) and ``/programme/reports/{id}`` (one report and its correction chain).

Reading needs PROGRAMME_READ; the form PROGRAMME_REPORT and the CSRF token. The form posts
multipart data (files); a refused submission comes back in the form with its error.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityhub.auth import Actor, Permission, Role
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import CityhubError, Conflict, InvalidInput, NotFound, PermissionDenied
from cityhub.programme import reports, tasks
from cityhub.web.csrf import verify_csrf
from cityhub.web.deps import DatabaseDep, Id, Index, PageActor, SettingsDep
from cityhub.web.pages.render import render
from cityhub.web.routes.programme_reports import attachment_response, read_upload

router = APIRouter(include_in_schema=False)

RECENT = 50
SHOWN_OVERDUE = 100


def parse_figure_lines(text: str) -> dict[str, float]:
    """The form's figures: one ``CODE=VALUE`` per line; blank lines are skipped."""
    figures: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, sign, value = line.partition("=")
        try:
            if not sign or not code.strip():
                raise ValueError(line)
            figures[code.strip()] = float(value)
        except ValueError as exc:
            raise InvalidInput(
                f"line {number} of the figures must look like CODE=VALUE",
                details={"field": "figures", "row": number, "value": line},
            ) from exc
    return figures


def _page(
    request: Request,
    db: Database,
    settings: Settings,
    actor: Actor,
    department: str | None,
    form: dict[str, Any],
    error: CityhubError | None = None,
) -> HTMLResponse:
    today = tasks.city_today()
    unit = department or actor.department_code
    due_days = settings.programme_report_due_days
    overdue = reports.list_overdue(db, actor, today, due_days, unit) if unit else []
    due_soon = (
        reports.list_reminders(db, actor, today, due_days, settings.programme_reminder_days, unit)
        if unit
        else []
    )
    can_submit = actor.can(Permission.PROGRAMME_REPORT)
    task_views = tasks.list_tasks(db, actor) if can_submit else []
    if actor.role is not Role.ADMIN:
        task_views = [v for v in task_views if actor.department_code in v.units]
    context = {
        "recent": reports.list_reports(db, actor, limit=RECENT),
        "unit": unit,
        "overdue": overdue[:SHOWN_OVERDUE],
        "overdue_count": len(overdue),
        "due_soon": due_soon,
        "can_submit": can_submit,
        "pick_department": actor.role is Role.ADMIN,
        "tasks": task_views,
        "form": form,
        "error": error,
        "limits": {"files": reports.MAX_ATTACHMENTS, "mib": reports.MAX_ATTACHMENT_BYTES // 2**20},
        "today": today,
    }
    return render(request, "programme/reports_list.html", context, status=400 if error else 200)


@router.get("/programme/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    actor: PageActor,
    department: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """Recent reports, the unit's overdue and soon-due periods, and the submit form."""
    actor.require(Permission.PROGRAMME_READ)
    return _page(request, db, settings, actor, department or None, {})


@router.post("/programme/reports", dependencies=[Depends(verify_csrf)], response_model=None)
def submit_report_form(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    actor: PageActor,
    task: Annotated[int, Form()],
    period: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    department: Annotated[str, Form()] = "",
    corrects: Annotated[str, Form()] = "",
    figures: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Submit, then show the new report; refused input comes back in the form."""
    actor.require(Permission.PROGRAMME_REPORT)
    form = {
        "task": task,
        "period": period,
        "text": text,
        "department": department,
        "corrects": corrects,
        "figures": figures,
    }
    try:
        correct_id = int(corrects) if corrects.strip() else None
        view = reports.submit_report(
            db,
            actor,
            settings,
            task,
            period,
            text,
            parse_figure_lines(figures),
            [read_upload(f) for f in files or [] if f.filename],
            correct_id,
            department=department.strip() or None,
        )
    except ValueError:
        error = InvalidInput("corrects must be a report number", details={"field": "corrects"})
        return _page(request, db, settings, actor, None, form, error)
    except (InvalidInput, Conflict, NotFound, PermissionDenied) as exc:
        return _page(request, db, settings, actor, None, form, exc)
    return RedirectResponse(f"/programme/reports/{view.id}", status_code=303)


@router.get("/programme/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, report_id: Id, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """One report: its text, figures, attachments and the correction chain."""
    view = reports.get_report(db, actor, report_id)
    chain = [view if i == view.id else reports.get_report(db, actor, i) for i in view.chain]
    context = {
        "report": view,
        "chain": chain,
        "can_correct": actor.can(Permission.PROGRAMME_REPORT) and view.corrected_by is None,
    }
    return render(request, "programme/reports_detail.html", context)


@router.get("/programme/reports/{report_id}/attachments/{position}")
def report_attachment(
    report_id: Id, position: Index, db: DatabaseDep, settings: SettingsDep, actor: PageActor
) -> Response:
    """An attachment as a download, for the logged-in reader of the page."""
    view, content = reports.read_attachment(db, actor, settings, report_id, position)
    return attachment_response(view, content)
