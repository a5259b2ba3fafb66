"""The backup's manifest: what was saved, from where, and the SHA-256 of every file.

A backup is a folder::

    manifest.json          this manifest
    metadata.sqlite        the metadata database at one instant (always SQLite, whatever the source)
    warehouse/...          the Iceberg files that snapshot's catalogue references
    files/...              the rest of the data directory (keys, attachments), scratch left out
    keys/trace-log.skey    the log's signing key

Restore checks every file against the manifest before it touches the target, so a damaged or
incomplete backup is refused with the name of the first file that does not match.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cityhub.errors import Conflict, InvalidInput

FORMAT = "cityhub-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SNAPSHOT = "metadata.sqlite"
LOG_KEY = "keys/trace-log.skey"
_CHUNK = 1 << 20


class BackupCorrupt(InvalidInput):
    """A backup is incomplete or damaged: a file is missing or its checksum differs."""

    code = "backup_corrupt"


class TargetNotEmpty(Conflict):
    """Restore would overwrite a database or data directory that already holds data."""

    code = "target_not_empty"


@dataclass(frozen=True)
class FileEntry:
    """Size and SHA-256 of one file of the backup."""

    size: int
    sha256: str


@dataclass(frozen=True)
class LogSummary:
    """The trace log as the backup holds it: its sequenced size and published checkpoints."""

    size: int
    checkpoints: int
    latest_checkpoint_size: int
    latest_checkpoint_root: str  # hex
    origin: str  # the log's name, first line of its checkpoints: the restored key must match it


@dataclass
class Manifest:
    """Everything restore needs to know about a backup besides the files themselves."""

    created_at: str
    cityhub_version: str
    revision: str | None
    source_dialect: str
    source_database: str  # password hidden
    data_dir: str
    warehouse_root: str  # absolute path of the source warehouse: restore rewrites it
    tables: dict[str, int]
    log: LogSummary
    files: dict[str, FileEntry] = field(default_factory=dict)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw: dict[str, Any] = json.loads(text)
        raw["files"] = {name: FileEntry(**entry) for name, entry in raw["files"].items()}
        raw["log"] = LogSummary(**raw["log"])
        return cls(**raw)


def copy_hashed(source: Path, target: Path) -> FileEntry:
    """Copy a file in chunks, hashing what was written; the copy is flushed to disk."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return FileEntry(size, digest.hexdigest())


def hash_file(path: Path) -> FileEntry:
    """Size and SHA-256 of a file."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as reader:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileEntry(size, digest.hexdigest())


def read_manifest(folder: Path) -> Manifest:
    """The manifest of a backup folder; refused when missing, unreadable or of another format."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupCorrupt(
            f"{folder} is not a cityhub backup: {MANIFEST} is missing",
            details={"file": str(path)},
        )
    try:
        manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, TypeError, KeyError) as exc:
        raise BackupCorrupt(f"{path} is damaged: {exc}", details={"file": str(path)}) from exc
    if manifest.format != FORMAT or manifest.format_version != FORMAT_VERSION:
        raise BackupCorrupt(
            f"{path} is format {manifest.format} {manifest.format_version}; this cityhub reads "
            f"{FORMAT} {FORMAT_VERSION}",
            details={"file": str(path)},
        )
    return manifest


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Check every file the manifest lists: present, same size, same SHA-256."""
    for name, expected in sorted(manifest.files.items()):
        path = folder / name
        if not path.is_file():
            raise BackupCorrupt(
                f"backup file {name} is missing", details={"file": name, "backup": str(folder)}
            )
        found = hash_file(path)
        if found != expected:
            raise BackupCorrupt(
                f"backup file {name} does not match the manifest (SHA-256 {found.sha256[:12]}…, "
                f"expected {expected.sha256[:12]}…): the backup is damaged",
                details={"file": name, "backup": str(folder)},
            )
