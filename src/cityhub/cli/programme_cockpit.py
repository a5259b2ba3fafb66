"""``cityhub programme cockpit``: the leading group's cockpit and its report, from the shell.

Commands act as the platform itself (``Actor.system()``) on the configured database; reading the
cockpit and exporting the report are audited like the same actions on the web.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from cityhub.auth import Actor
from cityhub.cli.context import open_platform
from cityhub.cli.output import console
from cityhub.config import get_settings
from cityhub.programme.briefing import Format, briefing_file
from cityhub.programme.cockpit import build_cockpit
from cityhub.programme.tasks import city_today

cockpit_app = typer.Typer(
    help="Programme office: the leading group's cockpit and its report (Excel, PDF).",
    no_args_is_help=True,
)
OnOption = Annotated[
    datetime | None,
    typer.Option(
        "--on", formats=["%Y-%m-%d"], help="The day the figures are as of (default: today)."
    ),
]


def _day(on: datetime | None) -> date:
    return on.date() if on is not None else city_today()


@cockpit_app.command("briefing")
def briefing_command(
    out: Annotated[Path, typer.Option("--out", help="Where to write the file.")],
    on: OnOption = None,
    fmt: Annotated[str, typer.Option("--format", help="xlsx or pdf.")] = "pdf",
) -> None:
    """Write the leading group's report (Excel or PDF) as of a day."""
    if fmt not in ("xlsx", "pdf"):
        raise typer.BadParameter("must be xlsx or pdf", param_hint="--format")
    chosen: Format = "xlsx" if fmt == "xlsx" else "pdf"
    settings = get_settings()
    with open_platform(settings) as db:
        found = briefing_file(
            db, Actor.system(), _day(on), settings.programme_report_due_days, chosen
        )
    out.write_bytes(found.content)
    console.print(f"wrote {out} ({len(found.content):,} bytes, {found.media_type})")


@cockpit_app.command("show")
def show_command(
    on: OnOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """The cockpit's figures: 十百千 goals, targets, warnings, projects by county."""
    settings = get_settings()
    with open_platform(settings) as db:
        cockpit = build_cockpit(db, Actor.system(), _day(on), settings.programme_report_due_days)
    if as_json:
        console.print_json(json.dumps(asdict(cockpit), ensure_ascii=False, default=str))
        return
    console.print(f"[bold]驾驶舱 cockpit[/bold] as of {cockpit.on.isoformat()}")
    goals = Table("goal", "value", "target", "share", "time passed")
    for g in cockpit.goals:
        goals.add_row(
            g.name_zh, f"{g.value:g}", f"{g.target:g}", f"{g.share:.1%}", f"{g.expected_share:.1%}"
        )
    console.print(goals)
    targets = Table(
        "code", Column("target", overflow="fold"), "latest", "progress", "expected", "status"
    )
    for t in cockpit.targets:
        progress = "—" if t.progress is None else f"{t.progress:.1%}"
        latest = "—" if t.latest is None else f"{t.latest:g}"
        targets.add_row(t.code, t.name_zh, latest, progress, f"{t.expected:.1%}", t.status)
    console.print(targets)
    warnings = Table("kind", "unit", Column("reason", overflow="fold"))
    for w in cockpit.warnings:
        warnings.add_row(w.kind, w.department, w.reason_zh)
    console.print(warnings if cockpit.warnings else "no lagging warnings")
    counties = Table("county", "projects", "selected", "investment (万元)")
    for b in cockpit.projects_by_county:
        counties.add_row(b.label_zh, str(b.projects), str(b.selected), f"{b.investment:,.2f}")
    console.print(counties)
