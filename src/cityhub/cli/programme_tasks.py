"""``cityhub programme tasks``: the policy's 19 tasks and their milestones, from the shell.

Commands act as the platform itself (``Actor.system()``, an admin), on the configured database;
every change is audited like one made on the web. ``load`` reads the tasks from the policy text
shipped with the package (idempotent: tasks already loaded are left as they are).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Column, Table

from cityhub.auth import Actor
from cityhub.cli.context import open_platform
from cityhub.cli.output import console
from cityhub.config import get_settings
from cityhub.errors import InvalidInput
from cityhub.programme import milestones, tasks

tasks_app = typer.Typer(
    help="Programme office: the policy's tasks and milestones.", no_args_is_help=True
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
NumberArgument = Annotated[int, typer.Argument(help="The task's number, 1–19.", min=1)]


def _json(value: Any) -> None:
    console.print_json(json.dumps(value, ensure_ascii=False, default=str))


@tasks_app.command("load")
def load_command() -> None:
    """Load the policy's 19 tasks, units and dated commitments (once; edits are kept)."""
    with open_platform(get_settings()) as db, db.transaction() as session:
        added = tasks.ensure_tasks(session)
    console.print(f"loaded {added} tasks" if added else "the tasks were loaded already")


@tasks_app.command("list")
def list_command(as_json: JsonOption = False) -> None:
    """Every task with its lead unit, units and milestone status."""
    with open_platform(get_settings()) as db:
        views = tasks.list_tasks(db, Actor.system())
    if as_json:
        _json([asdict(v) for v in views])
        return
    if not views:
        console.print("no tasks yet: run `cityhub programme tasks load`")
        return
    today = tasks.city_today()
    table = Table("no.", "section", Column("title", overflow="fold"), "lead", "units", "milestones")
    for view in views:
        statuses = [m.status(today) for m in view.milestones]
        summary = ", ".join(f"{statuses.count(s)} {s}" for s in ("done", "overdue", "open"))
        table.add_row(
            str(view.number),
            view.section,
            view.title,
            view.lead,
            str(len(view.units)),
            summary if statuses else "—",
        )
    console.print(table)


@tasks_app.command("show")
def show_command(number: NumberArgument, as_json: JsonOption = False) -> None:
    """One task: its text, units (lead first) and milestones."""
    with open_platform(get_settings()) as db:
        view = tasks.get_task(db, Actor.system(), number)
    if as_json:
        _json(asdict(view))
        return
    console.print(
        f"[bold]({view.number}) {view.title}[/bold]  {view.section}、{view.section_title}"
    )
    console.print(view.text, highlight=False)
    console.print(f"units: {', '.join(view.units)} (lead {view.lead})", highlight=False)
    console.print(f"reports {view.report_period} from {view.reporting_from}", highlight=False)
    table = Table("id", Column("title", overflow="fold"), "owner", "due", "done", "origin")
    for m in view.milestones:
        done = str(m.done_on) if m.done_on else m.status(tasks.city_today())
        table.add_row(str(m.id), m.title, m.owner, str(m.due_on), done, m.origin)
    console.print(table)


@tasks_app.command("edit")
def edit_command(
    number: NumberArgument,
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    report_period: Annotated[
        str | None, typer.Option(help="monthly or quarterly.", metavar="PERIOD")
    ] = None,
    lead: Annotated[str | None, typer.Option(help="Department code of the lead unit.")] = None,
    unit: Annotated[
        list[str] | None, typer.Option(help="Department code of a unit (repeat for each).")
    ] = None,
) -> None:
    """Change a task's title, report period, lead or units."""
    with open_platform(get_settings()) as db:
        view = tasks.update_task(
            db,
            Actor.system(),
            number,
            title=title,
            report_period=report_period,
            lead=lead,
            units=unit or None,
        )
    console.print(
        f"task {view.number}: {view.title}; lead {view.lead}; units {', '.join(view.units)}; "
        f"reports {view.report_period}",
        highlight=False,
    )


@tasks_app.command("milestone-add")
def milestone_add_command(
    number: NumberArgument,
    title: Annotated[str, typer.Option(help="What is to be done.")],
    owner: Annotated[str, typer.Option(help="Department code of the owner.")],
    due: Annotated[str, typer.Option(help="Due day, YYYY-MM-DD.")],
    clause: Annotated[str | None, typer.Option(help="Basis or note.")] = None,
) -> None:
    """Add a milestone to a task."""
    with open_platform(get_settings()) as db:
        view = milestones.add_milestone(
            db, Actor.system(), number, title, owner, _day(due, "due"), clause=clause
        )
    console.print(f"milestone {view.id} added to task {number}, due {view.due_on}")


@tasks_app.command("milestone-done")
def milestone_done_command(
    milestone_id: Annotated[int, typer.Argument(help="The milestone's id (see `show`).")],
    on: Annotated[str | None, typer.Option(help="Day it was done, YYYY-MM-DD; today.")] = None,
) -> None:
    """Mark a milestone done."""
    day = _day(on, "on") if on else None
    with open_platform(get_settings()) as db:
        view = milestones.complete_milestone(db, Actor.system(), milestone_id, day)
    console.print(f"milestone {view.id} of task {view.task_number} done on {view.done_on}")


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {text!r}", details={"field": field}) from None
