"""``cityhub quality``: run a dataset's quality rules, show or set its rule set."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cityhub import auth, quality
from cityhub.cli.context import open_platform
from cityhub.cli.output import console
from cityhub.config import get_settings
from cityhub.errors import InvalidInput
from cityhub.pool.service import Pool

quality_app = typer.Typer(
    help="Data quality: run the rules of a dataset, show or set its rule set.",
    no_args_is_help=True,
)


@quality_app.command("run")
def run_command(
    name: Annotated[str, typer.Argument(help="The dataset.")],
    version: Annotated[int | None, typer.Option(help="Version to check (default: newest).")] = None,
) -> None:
    """Check a stored version against the current rules and store the report (no row moves)."""
    settings = get_settings()
    with open_platform(settings) as db, closing(Pool(db, settings)) as pool:
        view = quality.run_rules(pool, auth.Actor.system(), name, version)
    report = view.report
    score = "-" if report.score is None else f"{report.score:.1f}"
    console.print(
        f"{name} version {report.version_number}, rule set {report.ruleset_number}: score {score}, "
        f"{report.rows_failed:,} of {report.rows_checked:,} rows fail a rule (report {report.id})",
        highlight=False,
    )
    table = Table("rule", "kind", "column", "blocking", "failed", "examples")
    for outcome in view.results["rules"]:
        table.add_row(
            outcome["rule"],
            outcome["kind"],
            outcome["column"] or "",
            "yes" if outcome["blocking"] else "",
            outcome["skipped"] or f"{outcome['failed']:,}",
            ", ".join(outcome["examples"]),
        )
    console.print(table)


@quality_app.command("rules")
def rules_command(
    name: Annotated[str, typer.Argument(help="The dataset.")],
    set_file: Annotated[
        Path | None,
        typer.Option(
            "--set", exists=True, dir_okay=False, help="A JSON rule set to store as the new one."
        ),
    ] = None,
) -> None:
    """Print the dataset's current rule set as JSON, or store a new one from a file."""
    settings = get_settings()
    with open_platform(settings) as db:
        actor = auth.Actor.system()
        if set_file is not None:
            try:
                data = json.loads(set_file.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise InvalidInput(
                    f"{set_file.name} is not valid JSON: {exc.msg}",
                    details={"file": str(set_file), "line": exc.lineno, "column": exc.colno},
                ) from None
            number = quality.set_rules(db, actor, name, data)
            console.print(f"stored rule set {number} of {name}", highlight=False)
            return
        stored = quality.get_rules(db, actor, name)
    shown = {"number": stored.number, "rules": stored.rules, "cleaning": stored.cleaning}
    console.print_json(json.dumps(shown, ensure_ascii=False))
