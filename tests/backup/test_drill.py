"""The restore drill: back up a platform while it is written to, restore it elsewhere, compare.

The backup is taken while a thread keeps appending log entries and ingesting dataset versions;
in addition, one write is forced into the most dangerous moment, after the metadata snapshot and
before the warehouse copy (new Iceberg files appear, the log grows). The restored platform must
be the source as of the snapshot: every dataset version it has has the same rows as the source's,
the write after the snapshot is absent, every alarm is equal, every checkpoint is one the source
published, and the consistency proofs agree between the two and prove the source extends it.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, select

from cityhub.backup import create_backup, restore_backup
from cityhub.backup import warehouse as backup_warehouse
from cityhub.catalog.models import DatasetVersion
from cityhub.db.base import Base
from cityhub.trace.merkle import verify_consistency
from tests.backup.conftest import FreshDatabase
from tests.backup.platform import Platform, platform_settings, seed_platform


class Writer(threading.Thread):
    """Writes to the source platform until stopped: log entries, and now and then a version."""

    def __init__(self, platform: Platform) -> None:
        super().__init__(daemon=True)
        self.platform = platform
        self.stopping = threading.Event()
        self.rounds = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                self.platform.append_entries(3)
                if self.rounds % 4 == 0:
                    self.platform.ingest_version(2)
                self.rounds += 1
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc


@pytest.fixture
def source(tmp_path: Path, fresh_database: FreshDatabase) -> Iterator[Platform]:
    platform = Platform.open(
        platform_settings(tmp_path / "source", fresh_database("source")), migrate=True
    )
    seed_platform(platform)
    yield platform
    platform.close()


def version_rows(platform: Platform) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """Every version of every dataset: its rows, in a stable order."""
    with platform.db.reading() as session:
        versions = session.execute(
            select(DatasetVersion.dataset_id, DatasetVersion.number, DatasetVersion.snapshot_id)
        ).all()
    found = {}
    for dataset_id, number, snapshot_id in versions:
        table = platform.warehouse.table(dataset_id)
        assert table is not None, f"dataset {dataset_id} has no Iceberg table"
        rows = table.scan(snapshot_id=snapshot_id).to_arrow().to_pylist()
        found[(dataset_id, number)] = sorted(rows, key=repr)
    return found


def table_rows(platform: Platform, name: str) -> list[dict[str, Any]]:
    table: Table = Base.metadata.tables[name]
    with platform.db.engine.connect() as connection:
        query = select(table).order_by(*table.primary_key.columns)
        return [row._asdict() for row in connection.execute(query)]


def checkpoints(platform: Platform) -> list[dict[str, Any]]:
    return table_rows(platform, "trace_checkpoints")


def test_restore_drill(
    source: Platform,
    tmp_path: Path,
    fresh_database: FreshDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = version_rows(source)
    assert len(before) >= 3 + 10  # the drill dataset's versions and the demo's datasets
    assert table_rows(source, "alarms"), "the seed raised no alarm"
    after_snapshot: dict[str, int] = {}
    copy_files = backup_warehouse.referenced_files

    def write_then_copy(locations: list[tuple[str, str | None]]) -> Iterator[Path]:
        after_snapshot["version"] = source.ingest_version(4)
        after_snapshot["entry"] = source.append_entries(5)[0]
        yield from copy_files(locations)

    monkeypatch.setattr(backup_warehouse, "referenced_files", write_then_copy)
    writer = Writer(source)
    writer.start()
    try:
        manifest = create_backup(source.db, source.settings, tmp_path / "backup")
    finally:
        writer.stopping.set()
        writer.join(timeout=120)
    assert writer.error is None, writer.error
    assert writer.rounds > 0

    target_settings = platform_settings(tmp_path / "restored", fresh_database("restored"))
    report = restore_backup(target_settings, tmp_path / "backup")
    assert report.relocated
    assert report.log == manifest.log
    restored = Platform.open(target_settings, migrate=False)
    try:
        _compare_datasets(source, restored, before, after_snapshot["version"])
        for name in ("alarms", "alarm_events", "alarm_rules"):
            assert table_rows(restored, name) == table_rows(source, name), name
        _compare_logs(source, restored, after_snapshot["entry"])
        _keeps_working(restored)
    finally:
        restored.close()


def _compare_datasets(
    source: Platform,
    restored: Platform,
    before: dict[tuple[int, int], list[dict[str, Any]]],
    late_version: int,
) -> None:
    now_source = version_rows(source)
    now_restored = version_rows(restored)
    assert set(before) <= set(now_restored), "a version from before the backup is missing"
    assert set(now_restored) <= set(now_source)
    for key, rows in now_restored.items():
        assert rows == now_source[key], f"dataset {key[0]} version {key[1]} differs"
    drill = max(dataset_id for dataset_id, _ in before)
    assert (drill, late_version) in now_source
    assert (drill, late_version) not in now_restored, "a write after the snapshot leaked in"
    root = str(restored.warehouse.root)
    for dataset_id, _number in now_restored:
        table = restored.warehouse.table(dataset_id)
        assert table is not None
        for task in table.scan().plan_files():
            assert task.file.file_path.removeprefix("file://").startswith(root)


def _compare_logs(source: Platform, restored: Platform, late_entry: int) -> None:
    restored_points = checkpoints(restored)
    source_points = {row["size"]: row for row in checkpoints(source)}
    assert restored_points, "the restored log has no checkpoint"
    for row in restored_points:
        assert source_points[row["size"]]["note"] == row["note"]
        assert bytes(source_points[row["size"]]["root"]) == bytes(row["root"])
    latest = restored_points[-1]
    assert latest["size"] <= late_entry, "an entry appended after the snapshot leaked in"
    sized = [row for row in restored_points if row["size"] > 0]  # no proof from the empty tree
    for older, newer in itertools.pairwise(sized):
        proof = restored.log.consistency(older["size"], newer["size"])
        assert proof == source.log.consistency(older["size"], newer["size"])
        verify_consistency(
            older["size"], newer["size"], proof, bytes(older["root"]), bytes(newer["root"])
        )
    head = max(source_points.values(), key=lambda row: row["size"])
    assert head["size"] > late_entry
    verify_consistency(
        latest["size"],
        head["size"],
        source.log.consistency(latest["size"], head["size"]),
        bytes(latest["root"]),
        bytes(head["root"]),
    )


def _keeps_working(restored: Platform) -> None:
    """The restored platform takes new versions and new log entries, consistent with the old."""
    old = checkpoints(restored)[-1]
    restored.ingest_version(2)
    [index] = restored.append_entries(1)
    new = checkpoints(restored)[-1]
    assert new["size"] == index + 1
    verify_consistency(
        old["size"],
        new["size"],
        restored.log.consistency(old["size"], new["size"]),
        bytes(old["root"]),
        bytes(new["root"]),
    )
