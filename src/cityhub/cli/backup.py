"""``cityhub backup`` and ``cityhub restore``: the whole platform to a folder and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cityhub import backup as service
from cityhub.cli.output import console
from cityhub.config import Settings, get_settings
from cityhub.db import Database


def backup(
    destination: Annotated[
        Path, typer.Argument(help="New (or empty) folder to write the backup into.")
    ],
) -> None:
    """Back up the metadata database, warehouse, trace log and keys while the platform runs."""
    settings = get_settings()
    db = Database(settings.database_url_effective)
    try:
        manifest = service.create_backup(db, settings, destination)
    finally:
        db.dispose()
    size = sum(entry.size for entry in manifest.files.values())
    console.print(
        f"backup written to {destination}: {len(manifest.files)} files, {size / 1e6:.1f} MB, "
        f"{sum(manifest.tables.values())} rows in {len(manifest.tables)} tables, trace log "
        f"size {manifest.log.size} with {manifest.log.checkpoints} checkpoints",
        highlight=False,
    )


def restore(
    source: Annotated[Path, typer.Argument(help="Backup folder written by `cityhub backup`.")],
    force: Annotated[
        bool,
        typer.Option(help="Replace a target database and data directory that already hold data."),
    ] = False,
    check: Annotated[
        bool, typer.Option(help="Only check the backup's files against its manifest.")
    ] = False,
    data_dir: Annotated[
        Path | None, typer.Option(help="Target data directory (default: CITYHUB_DATA_DIR).")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(help="Target database URL (default: CITYHUB_DATABASE_URL)."),
    ] = None,
) -> None:
    """Restore a backup into an empty database and data directory (stop the server first)."""
    if check:
        manifest = service.verify_backup(source)
        console.print(
            f"backup {source} is whole: {len(manifest.files)} files match its manifest "
            f"(taken {manifest.created_at} from {manifest.source_database})",
            highlight=False,
        )
        return
    settings = _target(get_settings(), data_dir, database_url)
    report = service.restore_backup(settings, source, force=force)
    console.print(
        f"restored {source} (taken {report.manifest.created_at}) into {report.database} and "
        f"{report.data_dir}; trace log size {report.log.size}, {report.log.checkpoints} "
        "checkpoints verified"
        + ("; warehouse paths rewritten for the new data directory" if report.relocated else ""),
        highlight=False,
    )
    if report.log.origin:
        console.print(
            f"the trace log's origin is {report.log.origin}: keep CITYHUB_TRACE_ORIGIN (or "
            "CITYHUB_PUBLIC_URL) giving that origin, or the log refuses its key",
            highlight=False,
        )


def _target(settings: Settings, data_dir: Path | None, database_url: str | None) -> Settings:
    changes: dict[str, object] = {}
    if data_dir is not None:
        changes["data_dir"] = data_dir
    if database_url is not None:
        changes["database_url"] = database_url
    return settings.model_copy(update=changes) if changes else settings
