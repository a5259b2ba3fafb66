"""Backup and restore of a whole platform: metadata database, warehouse, trace log, keys, files.

>>> manifest = create_backup(db, settings, Path("/backup/cityhub-2026-01-31"))  # while serving
>>> verify_backup(Path("/backup/cityhub-2026-01-31"))                            # checksums only
>>> report = restore_backup(other_settings, Path("/backup/cityhub-2026-01-31"))

The metadata is read at one instant (SQLite online backup API; on PostgreSQL one serializable,
read-only, deferrable transaction); the warehouse files are those that instant's catalogue
references, which Iceberg never changes afterwards. See docs/deployment.md.
"""

from cityhub.backup.manifest import (
    BackupCorrupt,
    FileEntry,
    LogSummary,
    Manifest,
    TargetNotEmpty,
)
from cityhub.backup.service import RestoreReport, create_backup, restore_backup, verify_backup

__all__ = [
    "BackupCorrupt",
    "FileEntry",
    "LogSummary",
    "Manifest",
    "RestoreReport",
    "TargetNotEmpty",
    "create_backup",
    "restore_backup",
    "verify_backup",
]
