"""``cityhub derived``: define, refresh and list derived datasets from the shell (and cron)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Annotated

import typer
from rich.table import Table

from cityhub import auth, catalog, derived
from cityhub.cli.context import open_platform
from cityhub.cli.output import console, err_console
from cityhub.config import get_settings
from cityhub.db import Database, utcnow
from cityhub.errors import CityhubError, InvalidInput
from cityhub.pool.service import Pool

derived_app = typer.Typer(
    help="Derived datasets (统一加工): define, refresh, list.", no_args_is_help=True
)


@contextmanager
def _platform() -> Iterator[tuple[Database, Pool]]:
    settings = get_settings()
    with open_platform(settings) as db, closing(Pool(db, settings)) as pool:
        yield db, pool


@derived_app.command("define")
def define_command(
    name: Annotated[str, typer.Argument(help="URL name: a-z, 0-9, '-', '_'.")],
    sql: Annotated[str, typer.Option(help="One SELECT over datasets the department may read.")],
    title: Annotated[str, typer.Option(help="Chinese title (信息资源名称).")],
    department: Annotated[
        str, typer.Option(help="Owner department code; the query reads with its rights.")
    ],
    schedule: Annotated[
        derived.Schedule, typer.Option(help="manual, hourly, daily or weekly.")
    ] = derived.Schedule.MANUAL,
    abstract: Annotated[str, typer.Option(help="信息资源摘要.")] = "",
) -> None:
    """Define a derived dataset and build its first version."""
    spec = derived.DerivedSpec(
        name=name,
        title=title,
        sql=sql,
        schedule=schedule,
        abstract=abstract,
        department=department,
    )
    with _platform() as (db, pool):
        definition = derived.define(db, auth.Actor.system(), pool, spec)
        if definition.last_error:
            raise CityhubError(
                f"defined {name}, but its first refresh failed: {definition.last_error}",
                details={"dataset": name},
            )
        newest = catalog.latest_versions(db, [definition.dataset_id])[definition.dataset_id]
        console.print(
            f"defined {name} ({department}): version {newest.number}, {newest.row_count:,} rows",
            highlight=False,
        )


@derived_app.command("refresh")
def refresh_command(
    name: Annotated[str | None, typer.Argument(help="The derived dataset to refresh.")] = None,
    due: Annotated[bool, typer.Option("--due", help="Refresh every one that is due (cron).")] = (
        False
    ),
) -> None:
    """Refresh one derived dataset now, or every one whose schedule says it is due."""
    if (name is None) == (not due):
        # A CityhubError, not a Click usage error: main() maps these to exit codes reliably.
        raise InvalidInput("give a NAME or --due (not both)", details={"argument": "NAME"})
    with _platform() as (db, pool):
        if name is not None:
            done = derived.refresh(db, auth.Actor.system(), pool, name)
            console.print(f"{done.dataset}: version {done.version}, {done.rows:,} rows")
            return
        outcomes = derived.refresh_due(db, pool, utcnow())
    failed = [o.dataset for o in outcomes if o.error]
    for outcome in outcomes:
        if outcome.error:
            err_console.print(f"{outcome.dataset}: failed: {outcome.error}", highlight=False)
        else:
            console.print(f"{outcome.dataset}: version {outcome.version}", highlight=False)
    if not outcomes:
        console.print("nothing is due")
    if failed:  # exit 1 for cron; each error is kept in the definition's last_error
        raise CityhubError(
            f"{len(failed)} of {len(outcomes)} due refreshes failed",
            details={"failed": ", ".join(failed)},
        )


@derived_app.command("list")
def list_command() -> None:
    """List the derived datasets with schedule, newest version and last error."""
    with _platform() as (db, _pool):
        definitions = derived.list_definitions(db, auth.Actor.system())
        newest = catalog.latest_versions(db, [d.dataset_id for d in definitions])
    table = Table("name", "department", "schedule", "version", "next due", "last error")
    for d in definitions:
        version = newest.get(d.dataset_id)
        table.add_row(
            d.dataset.name,
            d.department.code,
            d.schedule,
            str(version.number) if version else "-",
            d.next_due_at.isoformat(timespec="minutes") if d.next_due_at else "-",
            d.last_error or "",
        )
    console.print(table)
