"""``create_backup``, ``verify_backup`` and ``restore_backup``: the whole procedure, in order.

Backup (online): 1. the metadata snapshot, one consistent instant; 2. the log in it is checked
and summarised; 3. the warehouse files that snapshot's catalogue references; 4. the other
data-directory files and the log key; 5. the manifest, written last, and the folder renamed into
place, so a backup that stopped half-way never looks complete.

Restore: 1. every file checked against the manifest; 2. the targets must be empty (or
``force``); 3. the metadata; 4. the warehouse, relocated when the data directory differs; 5. the
other files and the key; 6. the restored database checked against the manifest: rows per table
and the log's checkpoints.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cityhub import __version__
from cityhub.backup import files, metadata, tables
from cityhub.backup import warehouse as iceberg
from cityhub.backup.logcheck import check_log
from cityhub.backup.manifest import (
    LOG_KEY,
    MANIFEST,
    SNAPSHOT,
    BackupCorrupt,
    FileEntry,
    LogSummary,
    Manifest,
    TargetNotEmpty,
    copy_hashed,
    hash_file,
    read_manifest,
    verify_files,
)
from cityhub.config import Settings, hide_password
from cityhub.db import Database
from cityhub.db.database import normalise_url


@dataclass(frozen=True)
class RestoreReport:
    """What a restore put where."""

    manifest: Manifest
    database: str  # password hidden
    data_dir: Path
    relocated: bool  # the warehouse moved to another path: its metadata was rewritten
    log: LogSummary


def warehouse_root(settings: Settings) -> Path:
    """The warehouse directory of a platform (as ``pool.warehouse.Warehouse`` places it)."""
    return (settings.data_dir / "warehouse").resolve()


def create_backup(db: Database, settings: Settings, destination: Path) -> Manifest:
    """Back up the running platform into the new folder ``destination``."""
    destination = destination.resolve()
    if not files.is_empty_dir(destination):
        raise TargetNotEmpty(
            f"{destination} already exists and is not empty; name a new folder",
            details={"destination": str(destination)},
        )
    partial = destination.parent / f".{destination.name}.partial-{uuid.uuid4().hex[:8]}"
    partial.mkdir(parents=True, mode=0o700)  # keys and personal data: the owner only
    try:
        manifest = _fill(db, settings, partial)
        (partial / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        if destination.exists():
            destination.rmdir()
        partial.rename(destination)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _fill(db: Database, settings: Settings, folder: Path) -> Manifest:
    snapshot = folder / SNAPSHOT
    metadata.take_snapshot(db, snapshot)
    reader = metadata.snapshot_reader(snapshot)
    try:
        log = check_log(reader)
        locations = iceberg.catalogue_locations(reader)
    finally:
        reader.dispose()
    entries: dict[str, FileEntry] = {SNAPSHOT: hash_file(snapshot)}
    root = warehouse_root(settings)
    for path in iceberg.referenced_files(locations):
        name = iceberg.relative_to_root(path, root)
        entries[name] = copy_hashed(path, folder / name)
    database_file = tables.sqlite_path(db.url)
    for path, name in files.data_files(settings, database_file=database_file, leave_out=folder):
        try:
            entries[name] = copy_hashed(path, folder / name)
        except FileNotFoundError:
            continue  # removed since it was listed (a temporary file): not part of the platform
    key = files.log_key_path(settings)
    if key.is_file():
        entries[LOG_KEY] = copy_hashed(key, folder / LOG_KEY)
    return Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        cityhub_version=__version__,
        revision=metadata.snapshot_revision(snapshot),
        source_dialect=db.dialect,
        source_database=hide_password(db.url.render_as_string(hide_password=False)),
        data_dir=str(settings.data_dir.resolve()),
        warehouse_root=str(root),
        tables=metadata.snapshot_counts(snapshot),
        log=log,
        files=entries,
    )


def verify_backup(source: Path) -> Manifest:
    """Check a backup folder: its manifest, and every file's size and SHA-256."""
    manifest = read_manifest(source)
    verify_files(source, manifest)
    return manifest


def restore_backup(settings: Settings, source: Path, *, force: bool = False) -> RestoreReport:
    """Restore a backup into the database and data directory ``settings`` name."""
    manifest = verify_backup(source)
    data_dir = settings.data_dir.resolve()
    url = settings.database_url_effective
    key = files.log_key_path(settings)
    database_file = tables.sqlite_path(normalise_url(url))
    _check_targets(data_dir, database_file, key, manifest, force=force)
    metadata.check_target(url, force=force)
    if force:
        shutil.rmtree(data_dir / "warehouse", ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    db = metadata.restore_snapshot(source / SNAPSHOT, url)
    try:
        root = warehouse_root(settings)
        relocation = iceberg.Relocation(Path(manifest.warehouse_root), root)
        copied = _copy_out(source, manifest, iceberg.PREFIX, root, private=False)
        if relocation.moves:
            iceberg.relocate_files(root, copied, relocation)
            iceberg.relocate_catalogue(db.engine, relocation)
        _copy_out(source, manifest, files.PREFIX, data_dir, private=True)
        if LOG_KEY in manifest.files:
            key.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / LOG_KEY, key)
            os.chmod(key, 0o600)
        log = _check_restored(db, manifest)
    finally:
        db.dispose()
    return RestoreReport(manifest, hide_password(url), data_dir, relocation.moves, log)


def _check_targets(
    data_dir: Path, database_file: str | None, key: Path, manifest: Manifest, *, force: bool
) -> None:
    if force:
        return
    leftovers = []
    if data_dir.is_dir():
        database = (
            {Path(database_file + s).resolve() for s in ("", "-wal", "-shm")}
            if database_file
            else set()
        )
        # A database file with no tables (just created) is the database check's business.
        leftovers = [p for p in data_dir.iterdir() if p.resolve() not in database]
    if leftovers:
        raise TargetNotEmpty(
            f"the target data directory {data_dir} is not empty; restore into an empty one, or "
            "pass --force to overwrite it",
            details={"data_dir": str(data_dir), "found": sorted(p.name for p in leftovers)[:5]},
        )
    if LOG_KEY in manifest.files and key.is_file() and hash_file(key) != manifest.files[LOG_KEY]:
        raise TargetNotEmpty(
            f"the log key file {key} exists and holds another key; pass --force to replace it",
            details={"key": str(key)},
        )


def _copy_out(
    source: Path, manifest: Manifest, prefix: str, target: Path, *, private: bool
) -> list[Path]:
    copied = []
    for name in sorted(manifest.files):
        if not name.startswith(prefix + "/"):
            continue
        path = target / name[len(prefix) + 1 :]
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, path)
        if private:
            os.chmod(path, 0o600)
        copied.append(path)
    return copied


def _check_restored(db: Database, manifest: Manifest) -> LogSummary:
    if manifest.revision == metadata.head_revision():
        # Same schema as the backup: every table must hold exactly the rows it held.
        with db.engine.connect() as connection:
            counts = tables.count_rows(connection)
        for name, expected in sorted(manifest.tables.items()):
            if counts.get(name) != expected:
                raise BackupCorrupt(
                    f"table {name} holds {counts.get(name)} rows after the restore, the backup "
                    f"{expected}",
                    details={"table": name},
                )
    log = check_log(db.engine)
    if log != manifest.log:
        raise BackupCorrupt(
            f"the restored trace log (size {log.size}, {log.checkpoints} checkpoints) differs "
            f"from the backup's (size {manifest.log.size}, {manifest.log.checkpoints})"
        )
    return log
