"""``cityhub programme projects|parks|training|talent``: the registries from the shell.

Commands act as the platform itself (``Actor.system()``, an admin) on the configured database;
every change is audited like one made on the web. The system actor has no department, so
registrations say which department they are for (``--department``, default DSJJ 市大数据局).
"""

from __future__ import annotations

import json
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
from cityhub.programme import parks, project_csv, projects, talent, training

projects_app = typer.Typer(
    help="Programme office: the digital-economy projects.", no_args_is_help=True
)
parks_app = typer.Typer(help="Programme office: the digital-economy parks.", no_args_is_help=True)
training_app = typer.Typer(
    help="Programme office: training events and attendees.", no_args_is_help=True
)
talent_app = typer.Typer(help="Programme office: talent-programme entries.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
DepartmentOption = Annotated[str, typer.Option(help="Department code registering it.")]
OnOption = Annotated[str | None, typer.Option(help="Day, YYYY-MM-DD; today if omitted.")]
IdArgument = Annotated[int, typer.Argument(help="The record's id (see `list`).", min=1)]


def _json(value: Any) -> None:
    console.print_json(json.dumps(value, ensure_ascii=False, default=str))


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {text!r}", details={"field": field}) from None


def _maybe_day(text: str | None, field: str) -> date | None:
    return None if text is None else _day(text, field)


@projects_app.command("list")
def projects_list(
    screening: Annotated[
        str | None, typer.Option(help="submitted|screened|selected|rejected")
    ] = None,
    domain: Annotated[
        str | None, typer.Option(help="agri|manufacturing|services|industrialisation")
    ] = None,
    county: Annotated[str | None, typer.Option(help="GB/T 2260 county code.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Projects, newest first, filtered by screening state, domain and county."""
    with open_platform(get_settings()) as db:
        views = projects.list_projects(
            db, Actor.system(), screening=screening, domain=domain, county=county
        )
    if as_json:
        _json([asdict(v) for v in views])
        return
    table = Table(
        "id", Column("name", overflow="fold"), "county", "domain", "万元", "screening", "dept"
    )
    for v in views:
        table.add_row(
            str(v.id), v.name, v.county, v.domain, f"{v.investment:g}", v.screening, v.department
        )
    console.print(table)


@projects_app.command("show")
def projects_show(project_id: IdArgument, as_json: JsonOption = False) -> None:
    """One project with its screening history."""
    with open_platform(get_settings()) as db:
        view = projects.get_project(db, Actor.system(), project_id)
    if as_json:
        _json(asdict(view))
        return
    console.print(
        f"[bold]{view.name}[/bold] ({view.owner_name} {view.owner_code})", highlight=False
    )
    console.print(
        f"{view.county} {view.domain}/{view.kind} {view.investment:g} 万元"
        f" {view.start_on}–{view.end_on} {view.status}; screening {view.screening}",
        highlight=False,
    )
    for step in view.history:
        why = f" — {step.reason}" if step.reason else ""
        console.print(
            f"  {step.decided_on} {step.from_state or '∅'} → {step.to_state}"
            f" by {step.decided_by}{why}",
            highlight=False,
        )


@projects_app.command("add")
def projects_add(
    name: Annotated[str, typer.Option(help="Project name.")],
    owner_code: Annotated[str, typer.Option(help="Owner's 统一社会信用代码.")],
    owner_name: Annotated[str, typer.Option(help="Owner enterprise's name.")],
    county: Annotated[str, typer.Option(help="GB/T 2260 county code.")],
    domain: Annotated[str, typer.Option(help="agri|manufacturing|services|industrialisation")],
    kind: Annotated[str, typer.Option(help="info_network|it_services|ecommerce|other")],
    investment: Annotated[float, typer.Option(help="万元.")],
    start: Annotated[str, typer.Option(help="Start day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option(help="End day, YYYY-MM-DD.")],
    status: Annotated[str, typer.Option(help="planned|building|done")] = "planned",
    provincial_major: Annotated[
        bool, typer.Option(help="In the provincial major library.")
    ] = False,
    city_key: Annotated[bool, typer.Option(help="A city key project.")] = False,
    land_priority: Annotated[bool, typer.Option(help="Land priority.")] = False,
    department: DepartmentOption = "DSJJ",
    on: OnOption = None,
) -> None:
    """Register a project (state 'submitted')."""
    spec = projects.ProjectSpec(
        name, owner_code, owner_name, county, domain, kind, investment,
        _day(start, "start"), _day(end, "end"), status,
        provincial_major, city_key, land_priority,
    )  # fmt: skip
    with open_platform(get_settings()) as db:
        view = projects.register_project(
            db, Actor.system(), spec, department=department, submitted_on=_maybe_day(on, "on")
        )
    console.print(f"project {view.id} registered ({view.screening})")


@projects_app.command("import")
def projects_import(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or GB18030).", exists=True)],
    department: DepartmentOption = "DSJJ",
    on: OnOption = None,
) -> None:
    """Register every project of a CSV file: all rows or none (errors name row and column)."""
    specs = project_csv.parse_projects_csv(file.read_bytes(), file.name)
    with open_platform(get_settings()) as db:
        views = projects.register_projects(
            db, Actor.system(), specs, department=department, submitted_on=_maybe_day(on, "on")
        )
    console.print(f"{len(views)} projects registered")


def _decide(project_id: int, to_state: str, reason: str | None, on: str | None) -> None:
    with open_platform(get_settings()) as db:
        view = projects.decide_project(
            db, Actor.system(), project_id, to_state, reason=reason, on=_maybe_day(on, "on")
        )
    console.print(f"project {view.id} is {view.screening}")


@projects_app.command("screen")
def projects_screen(project_id: IdArgument, on: OnOption = None) -> None:
    """submitted → screened."""
    _decide(project_id, "screened", None, on)


@projects_app.command("select")
def projects_select(project_id: IdArgument, on: OnOption = None) -> None:
    """screened → selected (counts towards the 100)."""
    _decide(project_id, "selected", None, on)


@projects_app.command("reject")
def projects_reject(
    project_id: IdArgument,
    reason: Annotated[str, typer.Option(help="Why (required).")],
    on: OnOption = None,
) -> None:
    """submitted or screened → rejected, with the reason."""
    _decide(project_id, "rejected", reason, on)


@parks_app.command("list")
def parks_list(as_json: JsonOption = False) -> None:
    """Every park with its latest tier and total."""
    with open_platform(get_settings()) as db:
        views = parks.list_parks(db, Actor.system())
    if as_json:
        _json([asdict(v) for v in views])
        return
    table = Table("id", Column("name", overflow="fold"), "county", "total", "tier", "residents")
    for v in views:
        e = v.evaluation
        table.add_row(
            str(v.id),
            v.name,
            v.county,
            f"{e.total:g}" if e else "—",
            e.tier_zh if e else "—",
            str(len(v.residents)),
        )
    console.print(table)


@parks_app.command("show")
def parks_show(park_id: IdArgument, as_json: JsonOption = False) -> None:
    """One park: scores, weights, tier and why, residents."""
    with open_platform(get_settings()) as db:
        view = parks.get_park(db, Actor.system(), park_id)
    if as_json:
        _json(asdict(view))
        return
    console.print(f"[bold]{view.name}[/bold] {view.county} ({view.registered_on})", highlight=False)
    if view.evaluation:
        console.print(view.evaluation.explanation_zh, highlight=False)
        console.print(view.evaluation.explanation_en, highlight=False)
    console.print(f"residents: {', '.join(view.residents) or '—'}", highlight=False)


@parks_app.command("add")
def parks_add(
    name: Annotated[str, typer.Argument(help="The park's name.")],
    county: Annotated[str, typer.Option(help="GB/T 2260 county code.")],
    resident: Annotated[list[str] | None, typer.Option(help="Credit code (repeat).")] = None,
    department: DepartmentOption = "DSJJ",
    on: OnOption = None,
) -> None:
    """Register a park."""
    with open_platform(get_settings()) as db:
        view = parks.register_park(
            db, Actor.system(), name, county, department=department,
            registered_on=_maybe_day(on, "on"), residents=resident or [],
        )  # fmt: skip
    console.print(f"park {view.id} registered")


@parks_app.command("score")
def parks_score(
    park_id: IdArgument,
    industry: Annotated[float, typer.Option(help="产业特色, 0–100.")],
    prospects: Annotated[float, typer.Option(help="发展前景, 0–100.")],
    innovation: Annotated[float, typer.Option(help="创新能力, 0–100.")],
    environment: Annotated[float, typer.Option(help="发展环境, 0–100.")],
    weights: Annotated[
        str | None, typer.Option(help="Four weights summing to 1, e.g. 0.3,0.25,0.25,0.2.")
    ] = None,
    on: OnOption = None,
) -> None:
    """Score a park; prints the tier and why."""
    scores = {
        "industry": industry,
        "prospects": prospects,
        "innovation": innovation,
        "environment": environment,
    }
    chosen = None
    if weights:
        try:
            chosen = dict(zip(scores, (float(w) for w in weights.split(",")), strict=True))
        except ValueError:
            raise InvalidInput(
                f"weights: {weights!r} is not four numbers", details={"field": "weights"}
            ) from None
    with open_platform(get_settings()) as db:
        view = parks.evaluate_park(
            db, Actor.system(), park_id, scores, chosen, on=_maybe_day(on, "on")
        )
    assert view.evaluation is not None
    console.print(view.evaluation.explanation_zh, highlight=False)


@parks_app.command("residents")
def parks_residents(
    park_id: IdArgument,
    codes: Annotated[list[str], typer.Argument(help="Credit codes of all resident enterprises.")],
) -> None:
    """Replace a park's resident enterprises."""
    with open_platform(get_settings()) as db:
        view = parks.set_residents(db, Actor.system(), park_id, codes)
    console.print(f"park {view.id}: {len(view.residents)} resident enterprises")


@training_app.command("list")
def training_list(as_json: JsonOption = False) -> None:
    """Training events with attendee and certificate counts."""
    with open_platform(get_settings()) as db:
        views = training.list_events(db, Actor.system())
    if as_json:
        _json([asdict(v) for v in views])
        return
    table = Table(
        "id", Column("title", overflow="fold"), "organiser", "held on", "attendees", "certified"
    )
    for v in views:
        table.add_row(
            str(v.id),
            v.title,
            v.organiser,
            str(v.held_on),
            str(v.attendee_count),
            str(v.certified_count),
        )
    console.print(table)


@training_app.command("show")
def training_show(event_id: IdArgument, as_json: JsonOption = False) -> None:
    """One event with its attendees (the operator sees them unmasked; this is audited)."""
    with open_platform(get_settings()) as db:
        view = training.get_event(db, Actor.system(), event_id)
    if as_json:
        _json(asdict(view))
        return
    console.print(f"[bold]{view.title}[/bold] {view.organiser} {view.held_on}", highlight=False)
    table = Table("name", "ID number", "phone", "employer", "certificate")
    for a in view.attendees:
        table.add_row(
            a.name, a.id_number, a.phone or "", a.employer_code or "", a.certificate or ""
        )
    console.print(table)


@training_app.command("add")
def training_add(
    title: Annotated[str, typer.Argument(help="The event's title.")],
    held_on: Annotated[str, typer.Option("--on", help="Day held, YYYY-MM-DD.")],
    hours: Annotated[float, typer.Option(help="Length in hours.")],
    kind: Annotated[str, typer.Option(help="course|lecture|forum")] = "course",
    organiser: DepartmentOption = "DSJJ",
) -> None:
    """Register a training event."""
    with open_platform(get_settings()) as db:
        view = training.create_event(
            db,
            Actor.system(),
            title,
            _day(held_on, "on"),
            hours,
            kind,
            organiser=organiser,
        )
    console.print(f"event {view.id} registered")


@training_app.command("import")
def training_import(
    event_id: IdArgument,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV (UTF-8 or GB18030) with 姓名, 身份证号 …", exists=True, dir_okay=False
        ),
    ],
) -> None:
    """Import an event's attendees from CSV: all rows or none."""
    with open_platform(get_settings()) as db:
        view = training.import_attendees(db, Actor.system(), event_id, file.read_bytes(), file.name)
    console.print(
        f"event {view.id}: {view.attendee_count} attendees, {view.certified_count} certified"
    )


@talent_app.command("list")
def talent_list(
    level: Annotated[str | None, typer.Option(help="provincial|municipal")] = None,
    as_json: JsonOption = False,
) -> None:
    """Talent-programme entries, latest year first."""
    with open_platform(get_settings()) as db:
        views = talent.list_talent(db, Actor.system(), level=level)
    if as_json:
        _json([asdict(v) for v in views])
        return
    table = Table("id", "name", "level", Column("programme", overflow="fold"), "employer", "year")
    for v in views:
        table.add_row(str(v.id), v.person_name, v.level, v.programme, v.employer_code, str(v.year))
    console.print(table)


@talent_app.command("add")
def talent_add(
    person_name: Annotated[str, typer.Argument(help="The member's name.")],
    level: Annotated[str, typer.Option(help="provincial|municipal")],
    programme: Annotated[str, typer.Option(help="The programme's name.")],
    employer: Annotated[str, typer.Option(help="Employer's 统一社会信用代码.")],
    year: Annotated[int, typer.Option(help="Year selected.")],
    department: DepartmentOption = "DSJJ",
) -> None:
    """Register a talent-programme member."""
    with open_platform(get_settings()) as db:
        view = talent.add_talent(
            db, Actor.system(), person_name, level, programme, employer, year, department=department
        )
    console.print(f"talent entry {view.id} added")
