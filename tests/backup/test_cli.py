"""``cityhub backup`` and ``cityhub restore`` from the command line: damaged backups and occupied
targets are refused, naming the file or the target; a whole backup restores."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityhub import catalog
from cityhub.backup import Manifest
from cityhub.cli import app
from tests.backup.platform import DATASET, SYSTEM, Platform, platform_settings
from tests.cli.shell import invoke, platform_env


@pytest.fixture
def backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A backup, taken through the CLI, of a platform with one dataset version and log entries."""
    source = tmp_path / "source"
    settings = platform_settings(source, f"sqlite:///{source / 'cityhub.db'}")
    platform = Platform.open(settings, migrate=True)
    spec = catalog.DatasetSpec(
        name=DATASET, title="演练水位", department="SLJ", share_type=catalog.ShareType.UNCONDITIONAL
    )
    catalog.create_dataset(platform.db, SYSTEM, spec)
    platform.ingest_version(3)
    platform.append_entries(4)
    platform.close()
    monkeypatch.setenv("CITYHUB_TRACE_ORIGIN", settings.trace_origin or "")
    env = platform_env(settings.database_url_effective, source, monkeypatch)
    next(env)
    code, output = invoke(app, "backup", str(tmp_path / "backup"))
    assert code == 0, output
    assert "trace log size 4" in output
    yield tmp_path / "backup"
    next(env, None)


def restore_into(folder: Path, backup: Path, *extra: str) -> tuple[int, str]:
    return invoke(
        app,
        "restore",
        str(backup),
        "--data-dir",
        str(folder),
        "--database-url",
        f"sqlite:///{folder / 'cityhub.db'}",
        *extra,
    )


def a_warehouse_file(backup: Path) -> str:
    manifest = Manifest.from_json((backup / "manifest.json").read_text(encoding="utf-8"))
    return next(name for name in sorted(manifest.files) if name.endswith(".parquet"))


def test_a_whole_backup_checks_and_restores(backup: Path, tmp_path: Path) -> None:
    code, output = invoke(app, "restore", str(backup), "--check")
    assert (code, "files match its manifest" in output) == (0, True), output
    code, output = restore_into(tmp_path / "restored", backup)
    assert code == 0, output
    assert "trace log size 4" in output
    assert (tmp_path / "restored" / "trace" / "log.skey").is_file()


def test_a_backup_and_a_restored_key_are_private(backup: Path, tmp_path: Path) -> None:
    # The folder holds personal data unmasked and the log's signing key: other local users
    # may not list or read it, nor the key once restored.
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    code, output = restore_into(tmp_path / "restored", backup)
    assert code == 0, output
    key = tmp_path / "restored" / "trace" / "log.skey"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


@pytest.mark.parametrize("damage", ["flip", "truncate", "delete"])
def test_a_damaged_file_is_refused_by_name(backup: Path, tmp_path: Path, damage: str) -> None:
    name = a_warehouse_file(backup)
    path = backup / name
    data = path.read_bytes()
    if damage == "flip":
        path.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    elif damage == "truncate":
        path.write_bytes(data[:-10])
    else:
        path.unlink()
    code, output = restore_into(tmp_path / "restored", backup)
    assert code == 65, output
    assert name in output
    assert not (tmp_path / "restored").exists(), "the target was touched before the check"
    code, output = invoke(app, "restore", str(backup), "--check")
    assert (code, name in output) == (65, True)


def test_a_damaged_manifest_is_refused(backup: Path, tmp_path: Path) -> None:
    manifest = backup / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8")[:-20], encoding="utf-8")
    code, output = restore_into(tmp_path / "restored", backup)
    assert code == 65
    assert "manifest.json" in output


def test_an_occupied_target_needs_force(backup: Path, tmp_path: Path) -> None:
    target = tmp_path / "restored"
    assert restore_into(target, backup)[0] == 0
    code, output = restore_into(target, backup)
    assert code == 73, output
    assert "not empty" in output
    code, output = restore_into(target, backup, "--force")
    assert code == 0, output


def test_backup_refuses_an_occupied_destination(backup: Path) -> None:
    code, output = invoke(app, "backup", str(backup))
    assert code == 73
    assert "not empty" in output
