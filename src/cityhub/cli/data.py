"""``cityhub ingest`` and ``cityhub datasets``: the data pool from the shell."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cityhub import auth, catalog
from cityhub.cli.context import open_platform
from cityhub.cli.output import console
from cityhub.config import get_settings
from cityhub.pool.ingest import IngestMode, ingest
from cityhub.pool.warehouse import Warehouse

datasets_app = typer.Typer(help="The catalogue: create and list datasets.", no_args_is_help=True)


def ingest_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The file to read.")],
    dataset: Annotated[str, typer.Option(help="Name of the dataset (see `datasets list`).")],
    mode: Annotated[
        IngestMode, typer.Option(help="append or replace the rows.")
    ] = IngestMode.APPEND,
) -> None:
    """Read a file (CSV/TSV, xlsx, JSON, NDJSON, GeoJSON, Parquet) into a dataset's next version."""
    settings = get_settings()
    with (
        open_platform(settings) as db,
        closing(Warehouse(db, settings.data_dir)) as warehouse,
        Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
        ) as progress,
    ):
        task = progress.add_task(f"reading {file.name}", total=None)
        result = ingest(
            db,
            auth.Actor.system(),
            warehouse,
            dataset=dataset,
            path=file,
            file_name=file.name,
            mode=mode,
            progress=lambda rows: progress.update(task, description=f"{file.name}: {rows:,} rows"),
        )
    console.print(
        f"dataset {result.dataset} version {result.version}: {result.rows_added:,} rows added "
        f"({result.row_count:,} in all), {result.format}"
        + (f", encoding {result.encoding}" if result.encoding else ""),
        highlight=False,
    )


@datasets_app.command("create")
def datasets_create(
    name: Annotated[str, typer.Argument(help="URL name: a-z, 0-9, '-', '_'.")],
    title: Annotated[str, typer.Option(help="Chinese title (信息资源名称).")],
    department: Annotated[str, typer.Option(help="Owner department code, e.g. SCJGJ.")],
    share_type: Annotated[
        catalog.ShareType, typer.Option(help="unconditional, conditional or none.")
    ] = catalog.ShareType.UNCONDITIONAL,
    share_conditions: Annotated[str, typer.Option(help="Conditions of 有条件共享.")] = "",
    open_type: Annotated[catalog.OpenType, typer.Option(help="open, conditional or closed.")] = (
        catalog.OpenType.CLOSED
    ),
    update_cycle: Annotated[catalog.UpdateCycle, typer.Option(help="更新周期.")] = (
        catalog.UpdateCycle.IRREGULAR
    ),
    abstract: Annotated[str, typer.Option(help="信息资源摘要.")] = "",
) -> None:
    """Register a dataset in the catalogue."""
    with open_platform(get_settings()) as db:
        spec = catalog.DatasetSpec(
            name=name,
            title=title,
            department=department,
            abstract=abstract,
            share_type=share_type,
            share_conditions=share_conditions,
            open_type=open_type,
            update_cycle=update_cycle,
        )
        dataset = catalog.create_dataset(db, auth.Actor.system(), spec)
        console.print(f"created dataset {dataset.name} ({dataset.department.code})")


@datasets_app.command("list")
def datasets_list() -> None:
    """List the catalogue."""
    with open_platform(get_settings()) as db:
        result = catalog.search(db, auth.Actor.system(), catalog.SearchQuery(rows=1000))
        latest = catalog.latest_versions(db, [d.id for d in result.datasets])
        table = Table("name", "title", "department", "share", "version", "rows")
        for d in result.datasets:
            version = latest.get(d.id)
            table.add_row(
                d.name,
                d.title,
                d.department.code,
                d.share_type,
                str(version.number) if version else "-",
                f"{version.row_count:,}" if version else "-",
            )
        console.print(table)
