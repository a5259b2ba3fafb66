"""The data directory's other files: signing keys, report attachments, witness state, sources.

Everything under the data directory is kept except what has its own path into the backup (the
metadata database, the warehouse) and scratch space that is rebuilt on demand. A file the
platform writes later than the metadata snapshot is harmless: attachments are named by their
SHA-256 and only ever added, so the snapshot never references a file that is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from cityhub.config import Settings

PREFIX = "files"
# Rebuilt on demand, or in flight: temporary spill files, Spark scratch, finished exports
# (cached downloads), uploads still being received, the warehouse (copied by reference).
SCRATCH = frozenset({"warehouse", "tmp", "spark", "exports", "uploads"})
_DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def log_key_path(settings: Settings) -> Path:
    """Where the trace log's signing key lives (the setting, else inside the data directory)."""
    return Path(settings.trace_log_key_file or settings.data_dir / "trace" / "log.skey")


def data_files(
    settings: Settings, *, database_file: str | None, leave_out: Path | None
) -> Iterator[tuple[Path, str]]:
    """(file, name in the backup) of every data-directory file a backup keeps."""
    root = settings.data_dir.resolve()
    if not root.is_dir():
        return
    skip = {(root / name).resolve() for name in SCRATCH}
    if database_file is not None:
        skip |= {Path(database_file + suffix).resolve() for suffix in _DATABASE_SUFFIXES}
    skip.add(log_key_path(settings).resolve())  # saved on its own path, wherever it lives
    if leave_out is not None:
        skip.add(leave_out.resolve())
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        subfolders[:] = sorted(
            d for d in subfolders if (here / d).resolve() not in skip and not _is_backup(here / d)
        )
        for name in sorted(names):
            path = here / name
            if path.resolve() in skip or not path.is_file() or path.is_symlink():
                continue
            yield path, f"{PREFIX}/{path.relative_to(root).as_posix()}"


def _is_backup(folder: Path) -> bool:
    # A backup kept inside the data directory must not be copied into the next one.
    return (folder / "manifest.json").is_file() and (folder / "metadata.sqlite").is_file()


def is_empty_dir(path: Path) -> bool:
    """Whether ``path`` is missing or an empty directory."""
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))
