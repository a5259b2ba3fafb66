"""The data directory's disk full: a clear error, nothing stored lost or half-written, and the
next ingest works once there is room again.

The data directory is a 6 MiB tmpfs mounted for the test (the metadata database stays where
the other tests keep it, as in a city deployment). Mounting needs root; where it cannot be
done the test skips with the reason, and under ``CI=true`` fails.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityhub import auth, catalog
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import StorageFull
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from cityhub.web import create_app
from tests.conftest import ADMIN_PASSWORD, People, token_for
from tests.pool.test_ingest import rows_of, write

SYSTEM = auth.Actor.system()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        reason = f"cannot mount a small tmpfs here: {done.stderr.strip() or done.returncode}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def full_pool(db: Database, settings: Settings, small_disk: Path) -> Iterator[Pool]:
    spec = catalog.DatasetSpec(
        name="legal-entities",
        title="法人单位基本信息",
        department="SCJGJ",
        share_type=catalog.ShareType.UNCONDITIONAL,
    )
    catalog.create_dataset(db, SYSTEM, spec)
    pool = Pool(db, settings.model_copy(update={"data_dir": small_disk}))
    yield pool
    pool.close()


def _big_csv(path: Path) -> Path:
    """About 20 MB of rows that compress badly: more than the disk holds."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write("no,name\n")
        for i in range(2, 400_002):
            handle.write(f"{i},名称{os.urandom(12).hex()}\n")
    return path


def _ingest(pool: Pool, path: Path) -> int:
    return ingest(
        pool.db, SYSTEM, pool.warehouse, dataset="legal-entities", path=path, file_name=path.name
    ).version


def test_an_ingest_on_a_full_disk_says_so_and_changes_nothing(
    full_pool: Pool, tmp_path: Path, small_disk: Path
) -> None:
    assert _ingest(full_pool, write(tmp_path / "a.csv", "no,name\n1,甲\n")) == 1
    kept = sorted(small_disk.rglob("ingest-*"))  # the first version's files
    with pytest.raises(StorageFull) as error:
        _ingest(full_pool, _big_csv(tmp_path / "big.csv"))
    assert error.value.details == {"dataset": "legal-entities", "file": "big.csv"}
    assert "no space left" in error.value.message
    assert len(catalog.list_versions(full_pool.db, SYSTEM, "legal-entities")) == 1
    assert rows_of(full_pool, "legal-entities") == [(1, "甲")]
    assert sorted(small_disk.rglob("ingest-*")) == kept  # the failed one's files are gone
    assert _ingest(full_pool, write(tmp_path / "b.csv", "no,name\n2,乙\n")) == 2
    assert rows_of(full_pool, "legal-entities") == [(1, "甲"), (2, "乙")]


def test_an_upload_on_a_full_disk_is_507_with_the_envelope(
    db: Database, settings: Settings, full_pool: Pool, people: People, tmp_path: Path
) -> None:
    app = create_app(settings.model_copy(update={"data_dir": full_pool.settings.data_dir}), db)
    big = _big_csv(tmp_path / "big.csv")
    with TestClient(app, raise_server_exceptions=False) as client:
        admin = token_for(client, people.admin, ADMIN_PASSWORD)
        with big.open("rb") as handle:
            answer = client.post(
                "/api/datasets/legal-entities/versions",
                files={"file": ("big.csv", handle, "text/csv")},
                headers=admin,
            )
        listed = client.get("/api/datasets/legal-entities/versions", headers=admin)
    assert answer.status_code == 507, answer.text
    assert answer.json()["error"]["code"] == "storage_full"
    assert "Traceback" not in answer.text
    assert listed.status_code == 200 and listed.json() == []  # no version, not even half of one
