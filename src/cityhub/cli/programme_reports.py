"""``cityhub programme reports``: progress reports from the shell.

Commands act as the platform itself (``Actor.system()``, an admin), so ``submit`` must name the
unit with ``--department``; everything is audited like on the web. Reports are never changed: a
correction is a new report given with ``--corrects``.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Column, Table

from cityhub.auth import Actor
from cityhub.cli.context import open_platform
from cityhub.cli.output import console
from cityhub.config import get_settings
from cityhub.errors import InvalidInput
from cityhub.programme import reports
from cityhub.programme.tasks import city_today

reports_app = typer.Typer(
    help="Programme office: progress reports, overdue reports, reminders.", no_args_is_help=True
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
OnOption = Annotated[
    str | None, typer.Option("--on", help="As of this day, YYYY-MM-DD (default: today).")
]
DepartmentOption = Annotated[
    str | None, typer.Option("--department", help="Only this unit (department code).")
]


def _json(value: Any) -> None:
    console.print_json(json.dumps(value, ensure_ascii=False, default=str))


def _day(text: str | None) -> date:
    if text is None:
        return city_today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            f"--on must be a day like 2021-10-10, not {text!r}", details={"field": "on"}
        ) from exc


def parse_figure(text: str) -> tuple[str, float]:
    """``CODE=VALUE`` → (code, value)."""
    code, sign, value = text.partition("=")
    try:
        if not sign or not code.strip():
            raise ValueError(text)
        return code.strip(), float(value)
    except ValueError as exc:
        raise InvalidInput(
            f"--figure must look like CODE=VALUE, not {text!r}",
            details={"field": "figures", "value": text},
        ) from exc


def _read_attachment(path: Path) -> reports.Upload:
    if not path.is_file():
        raise InvalidInput(f"no file {path}", details={"field": "attachments", "value": str(path)})
    if path.stat().st_size > reports.MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            f"{path} is larger than {reports.MAX_ATTACHMENT_BYTES // 2**20} MiB",
            details={"field": "attachments", "value": str(path)},
        )
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return (path.name, path.read_bytes(), media_type)


@reports_app.command("list")
def list_command(
    task: Annotated[int | None, typer.Option("--task", help="Only this task (1–19).")] = None,
    department: DepartmentOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reports, newest first."""
    with open_platform(get_settings()) as db:
        views = reports.list_reports(db, Actor.system(), task, department)
    if as_json:
        _json([asdict(v) for v in views])
        return
    table = Table("id", "task", "unit", "period", "submitted", "late", "corrects", "figures")
    for v in views:
        table.add_row(
            str(v.id),
            str(v.task_number),
            v.department,
            v.period,
            v.submitted_at.isoformat(timespec="minutes"),
            "late" if v.late else "",
            str(v.corrects or ""),
            str(len(v.figures)),
        )
    console.print(table if views else "no reports")


@reports_app.command("show")
def show_command(report_id: int, as_json: JsonOption = False) -> None:
    """One report: text, figures, attachments, its correction chain."""
    with open_platform(get_settings()) as db:
        view = reports.get_report(db, Actor.system(), report_id)
    if as_json:
        _json(asdict(view))
        return
    late = " [bold]late[/bold]" if view.late else ""
    console.print(
        f"[bold]report {view.id}[/bold]: task {view.task_number} {view.task_title}, "
        f"{view.department} {view.department_name_zh}, {view.period} (due {view.due_on}){late}"
    )
    console.print(
        f"submitted {view.submitted_at.isoformat(timespec='minutes')} by {view.submitted_by}"
    )
    console.print(view.text, highlight=False)
    for f in view.figures:
        console.print(f"  {f.target} = {f.value:g} {f.unit_zh}")
    for a in view.attachments:
        console.print(f"  [{a.position}] {a.filename} ({a.media_type}, {a.size} bytes, {a.sha256})")
    console.print("chain: " + " → ".join(str(i) for i in view.chain))


@reports_app.command("submit")
def submit_command(
    task: Annotated[int, typer.Argument(help="The task's number, 1–19.", min=1)],
    period: Annotated[str, typer.Argument(help="'2021-07' (monthly) or '2021-Q3' (quarterly).")],
    text_file: Annotated[Path, typer.Option("--text-file", help="The report's text (UTF-8).")],
    department: Annotated[str, typer.Option("--department", help="The reporting unit's code.")],
    figure: Annotated[
        list[str] | None, typer.Option("--figure", help="CODE=VALUE, repeatable.")
    ] = None,
    attach: Annotated[
        list[Path] | None, typer.Option("--attach", help="A file to attach, repeatable.")
    ] = None,
    corrects: Annotated[
        int | None, typer.Option("--corrects", help="The report this one corrects.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Submit a report for a unit (as the platform; the unit must be one of the task's)."""
    if not text_file.is_file():
        raise InvalidInput(f"no file {text_file}", details={"field": "text"})
    figures = dict(parse_figure(f) for f in figure or [])
    uploads = [_read_attachment(p) for p in attach or []]
    settings = get_settings()
    with open_platform(settings) as db:
        view = reports.submit_report(
            db,
            Actor.system(),
            settings,
            task,
            period,
            text_file.read_text(encoding="utf-8"),
            figures,
            uploads,
            corrects,
            department=department,
        )
    if as_json:
        _json(asdict(view))
        return
    console.print(f"report {view.id} submitted for task {view.task_number}, {view.period}")


@reports_app.command("overdue")
def overdue_command(
    on: OnOption = None, department: DepartmentOption = None, as_json: JsonOption = False
) -> None:
    """Missing reports past their due day, most overdue first."""
    settings = get_settings()
    with open_platform(settings) as db:
        found = reports.list_overdue(
            db, Actor.system(), _day(on), settings.programme_report_due_days, department
        )
    if as_json:
        _json([asdict(o) for o in found])
        return
    table = Table("task", Column("title", overflow="fold"), "unit", "period", "due", "days overdue")
    for o in found:
        table.add_row(
            str(o.task_number),
            o.task_title,
            o.department,
            o.period,
            str(o.due_on),
            str(o.days_overdue),
        )
    console.print(table if found else "no overdue reports")


@reports_app.command("reminders")
def reminders_command(
    on: OnOption = None, department: DepartmentOption = None, as_json: JsonOption = False
) -> None:
    """Reports due within the reminder window (CITYHUB_PROGRAMME_REMINDER_DAYS) and not sent."""
    settings = get_settings()
    with open_platform(settings) as db:
        found = reports.list_reminders(
            db,
            Actor.system(),
            _day(on),
            settings.programme_report_due_days,
            settings.programme_reminder_days,
            department,
        )
    if as_json:
        _json([asdict(r) for r in found])
        return
    table = Table("task", Column("title", overflow="fold"), "unit", "period", "due", "days left")
    for r in found:
        table.add_row(
            str(r.task_number),
            r.task_title,
            r.department,
            r.period,
            str(r.due_on),
            str(r.days_left),
        )
    console.print(table if found else "no reports due soon")
