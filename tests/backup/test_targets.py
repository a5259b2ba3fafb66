"""Restore targets on both kinds of database: an empty one is filled, an occupied one is refused,
and ``force`` replaces it (on PostgreSQL by dropping every table first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityhub import catalog
from cityhub.backup import TargetNotEmpty, create_backup, restore_backup
from tests.backup.conftest import FreshDatabase
from tests.backup.platform import DATASET, SYSTEM, Platform, platform_settings


def test_force_replaces_an_occupied_target(tmp_path: Path, fresh_database: FreshDatabase) -> None:
    source = Platform.open(
        platform_settings(tmp_path / "source", fresh_database("source")), migrate=True
    )
    try:
        spec = catalog.DatasetSpec(
            name=DATASET, title="演练", department="SLJ", share_type=catalog.ShareType.UNCONDITIONAL
        )
        catalog.create_dataset(source.db, SYSTEM, spec)
        source.ingest_version(3)
        source.append_entries(2)
        manifest = create_backup(source.db, source.settings, tmp_path / "backup")
    finally:
        source.close()
    target = platform_settings(tmp_path / "target", fresh_database("target"))
    restore_backup(target, tmp_path / "backup")
    with pytest.raises(TargetNotEmpty, match="data directory"):
        restore_backup(target, tmp_path / "backup")
    same_database = target.model_copy(update={"data_dir": tmp_path / "elsewhere"})
    with pytest.raises(TargetNotEmpty, match="database"):
        restore_backup(same_database, tmp_path / "backup")
    report = restore_backup(target, tmp_path / "backup", force=True)
    assert report.log == manifest.log
    restored = Platform.open(target, migrate=False)
    try:
        assert restored.ingest_version(1) == 2  # ids and version numbers go on after the restore
    finally:
        restored.close()
