"""``cityhub programme targets`` and ``cityhub programme warnings``: targets (KPIs), their
values, the refresh of computed targets, and lagging warnings, from the shell (and cron).

Commands act as the platform itself (``Actor.system()``, an admin) on the configured database;
every read and change is audited like one made on the web.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Column, Table

from cityhub.auth import Actor
from cityhub.cli.context import open_platform
from cityhub.cli.output import console
from cityhub.config import get_settings
from cityhub.db import Database
from cityhub.errors import InvalidInput
from cityhub.pool.service import Pool
from cityhub.programme import computed, targets
from cityhub.programme import warnings as lagging
from cityhub.programme.tasks import city_today
from cityhub.programme.trend import fmt

targets_app = typer.Typer(
    help="Programme office: targets (KPIs), their values, computed targets.", no_args_is_help=True
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CodeArgument = Annotated[str, typer.Argument(help="The target's code, e.g. SBQ-PARKS.")]


def _json(value: Any) -> None:
    console.print_json(json.dumps(value, ensure_ascii=False, default=str))


@contextmanager
def _platform() -> Iterator[tuple[Database, Pool]]:
    settings = get_settings()
    with open_platform(settings) as db, closing(Pool(db, settings)) as pool:
        yield db, pool


def _day(text: str | None, field: str) -> date:
    if text is None:
        return city_today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{field}: not a date (YYYY-MM-DD): {text!r}", details={"field": field}
        ) from None


def _progress(view: targets.TargetView) -> str:
    return "—" if view.progress is None else f"{view.progress:.0%}"


@targets_app.command("load-goals")
def load_goals_command() -> None:
    """Add the 十百千 targets (SBQ-PARKS, SBQ-PROJECTS, SBQ-TALENT) if missing."""
    with open_platform(get_settings()) as db, db.transaction() as session:
        added = targets.ensure_goal_targets(session)
    console.print(f"added {added} goal targets" if added else "the goal targets were there already")


@targets_app.command("list")
def list_command(as_json: JsonOption = False) -> None:
    """Every target with its latest value and progress."""
    with open_platform(get_settings()) as db:
        views = targets.list_targets(db, Actor.system())
    if as_json:
        _json([asdict(v) for v in views])
        return
    if not views:
        console.print("no targets yet: `cityhub programme targets add` or `load-goals`")
        return
    table = Table(
        "code",
        Column("name", overflow="fold"),
        "owner",
        "source",
        "baseline",
        "target",
        "deadline",
        "latest",
        "progress",
    )
    for v in views:
        table.add_row(
            v.code,
            v.name_zh,
            v.owner,
            v.source,
            fmt(v.baseline),
            f"{fmt(v.target_value)} {v.unit_zh}",
            v.deadline.isoformat(),
            "—" if v.latest is None else fmt(v.latest),
            _progress(v),
        )
    console.print(table)


@targets_app.command("show")
def show_command(code: CodeArgument, as_json: JsonOption = False) -> None:
    """One target with its series of values."""
    with open_platform(get_settings()) as db:
        view = targets.get_target(db, Actor.system(), code)
    if as_json:
        _json(asdict(view))
        return
    console.print(
        f"{view.code} {view.name_zh} / {view.name_en} ({view.owner}, source {view.source}): "
        f"{fmt(view.baseline)} on {view.baseline_on} → {fmt(view.target_value)} {view.unit_zh} "
        f"by {view.deadline}, direction {view.direction}, path {view.path}, "
        f"progress {_progress(view)}",
        highlight=False,
    )
    if view.sql:
        console.print(f"SQL: {view.sql}", highlight=False)
    table = Table("measured on", "value", "source", "reference")
    for value in view.values:
        table.add_row(
            value.measured_on.isoformat(), fmt(value.value), value.source, value.source_ref or ""
        )
    console.print(table)


@targets_app.command("add")
def add_command(
    code: CodeArgument,
    name_zh: Annotated[str, typer.Option(help="Chinese name.")],
    name_en: Annotated[str, typer.Option(help="English name.")],
    unit_zh: Annotated[str, typer.Option(help="Chinese unit, e.g. 个.")],
    unit_en: Annotated[str, typer.Option(help="English unit.")],
    target_value: Annotated[float, typer.Option("--target", help="The target value.")],
    deadline: Annotated[str, typer.Option(help="YYYY-MM-DD.")],
    owner: Annotated[str, typer.Option(help="Owner department code.")],
    baseline: Annotated[float, typer.Option(help="The baseline value.")] = 0.0,
    baseline_on: Annotated[str, typer.Option(help="YYYY-MM-DD.")] = "2020-04-07",
    task: Annotated[int | None, typer.Option(help="The policy task (1–19) it serves.")] = None,
    direction: Annotated[str, typer.Option(help="up (more is better) or down.")] = "up",
    sql: Annotated[str | None, typer.Option(help="A SELECT over pool datasets (computed).")] = None,
    measure: Annotated[str | None, typer.Option(help="parks, projects or trained.")] = None,
    path: Annotated[str, typer.Option(help="linear or milestones.")] = "linear",
) -> None:
    """Define a target; --sql makes it computed from the pool, --measure from a registry."""
    source = "sql" if sql else "registry" if measure else "manual"
    spec = targets.TargetSpec(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        unit_zh=unit_zh,
        unit_en=unit_en,
        baseline=baseline,
        baseline_on=_day(baseline_on, "baseline-on"),
        target_value=target_value,
        deadline=_day(deadline, "deadline"),
        owner=owner,
        task_number=task,
        direction=direction,
        source=source,
        sql=sql,
        measure=measure,
        path=path,
    )
    with open_platform(get_settings()) as db:
        view = targets.create_target(db, Actor.system(), spec)
    console.print(f"added {view.code} ({view.source})", highlight=False)


@targets_app.command("record")
def record_command(
    code: CodeArgument,
    value: Annotated[float, typer.Argument(help="The measured value.")],
    on: Annotated[str | None, typer.Option(help="Measured on (YYYY-MM-DD); default today.")] = None,
) -> None:
    """Record a measured value of a target (source 'manual')."""
    with open_platform(get_settings()) as db:
        view = targets.add_value(db, Actor.system(), code, value, _day(on, "on"))
    console.print(
        f"{view.code}: {fmt(value)} recorded, progress {_progress(view)}", highlight=False
    )


@targets_app.command("refresh")
def refresh_command(as_json: JsonOption = False) -> None:
    """Compute the 'sql' and 'registry' targets; record the values that changed (for cron)."""
    with _platform() as (db, pool):
        outcome = computed.refresh_targets(db, pool, city_today())
    failed = {code: error.message for code, error in outcome.failed.items()}
    if as_json:
        _json({"changed": outcome.changed, "unchanged": outcome.unchanged, "failed": failed})
    else:
        console.print(
            f"{len(outcome.changed)} changed, {len(outcome.unchanged)} unchanged, "
            f"{len(failed)} failed",
            highlight=False,
        )
        for message in failed.values():
            console.print(f"  {message}", highlight=False)
    if failed:
        raise typer.Exit(1)


def warnings(
    on: Annotated[str | None, typer.Option(help="The day (YYYY-MM-DD); default today.")] = None,
    department: Annotated[str | None, typer.Option(help="Only this department's.")] = None,
    lang: Annotated[str, typer.Option(help="zh or en: the language of the reasons.")] = "zh",
    as_json: JsonOption = False,
) -> None:
    """Lagging warnings: targets behind or missing, overdue milestones and reports, with why."""
    settings = get_settings()
    with open_platform(settings) as db:
        found = lagging.list_warnings(
            db, Actor.system(), _day(on, "on"), department, settings.programme_report_due_days
        )
    if as_json:
        _json([asdict(w) for w in found])
        return
    if not found:
        console.print("no warnings")
        return
    table = Table("department", "kind", "subject", Column("reason", overflow="fold"))
    for w in found:
        title, reason = (w.title_en, w.reason_en) if lang == "en" else (w.title_zh, w.reason_zh)
        table.add_row(w.department, w.kind, f"{w.key} {title}", reason)
    console.print(table)
