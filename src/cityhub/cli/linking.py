"""``cityhub linking``: run record linking from the shell (large runs belong here) and list runs."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cityhub import auth, linking
from cityhub.cli.context import open_platform
from cityhub.cli.output import console
from cityhub.config import get_settings
from cityhub.errors import InvalidInput
from cityhub.pool.service import Pool

linking_app = typer.Typer(
    help="Record linking (主体关联): link datasets, list runs.", no_args_is_help=True
)


def _spec(path: Path) -> linking.LinkSpec:
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            f"cannot read the spec {path}: {exc}", details={"file": str(path)}
        ) from exc
    return linking.LinkSpec.parse(raw)


@linking_app.command("run")
def run_command(
    spec: Annotated[
        Path,
        typer.Option(exists=True, dir_okay=False, help="JSON spec: sources, output, department."),
    ],
) -> None:
    """Link the spec's sources and write the link table's next version (as the platform)."""
    settings = get_settings()
    with open_platform(settings) as db, closing(Pool(db, settings)) as pool:
        run = linking.run_linking(db, auth.Actor.system(), pool, _spec(spec))
    figures = run.figures
    console.print(
        f"run {run.id}: {run.output_dataset} version {run.output_version}; "
        f"{figures['clusters']:,} entities, {figures['exact_links']:,} exact-key links, "
        f"{figures['probabilistic_links']:,} probabilistic, {figures['review_band']:,} to review",
        highlight=False,
    )
    timings = ", ".join(f"{step} {seconds} s" for step, seconds in figures["timings"].items())
    console.print(f"timings: {timings}", highlight=False)


@linking_app.command("runs")
def runs_command() -> None:
    """Every linking run, newest first."""
    settings = get_settings()
    with open_platform(settings) as db:
        runs = linking.list_runs(db, auth.Actor.system())
    table = Table("run", "sources", "link table", "status", "entities")
    for run in runs:
        table.add_row(
            f"{run.id} ({run.kind})",
            ", ".join(s["dataset"] for s in run.sources),
            f"{run.output_dataset} v{run.output_version}" if run.output_version else "—",
            run.status,
            f"{run.figures.get('clusters', '—')}",
        )
    console.print(table)
