"""Settings: environment, defaults, validation, secrets."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from cityhub.config import Settings, hide_password


def test_environment_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CITYHUB_DATABASE_URL", raising=False)
    monkeypatch.setenv("CITYHUB_PORT", "9001")
    monkeypatch.setenv("CITYHUB_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.port == 9001
    assert settings.database_url_effective == f"sqlite:///{tmp_path.resolve() / 'cityhub.db'}"


@pytest.mark.parametrize(
    ("field", "value"), [("port", "0"), ("port", "70000"), ("log_level", "loud")]
)
def test_bad_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, field: str, value: str
) -> None:
    monkeypatch.setenv(f"CITYHUB_{field.upper()}", value)
    with pytest.raises(ValidationError, match=field):
        Settings()


def test_every_setting_has_help_text() -> None:
    assert all(field.description for field in Settings.model_fields.values())


def test_secret_key_is_created_once_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    key = settings.signing_key()
    assert len(key) >= 48 and key == Settings(data_dir=tmp_path).signing_key()
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_effective_settings_hide_secrets() -> None:
    shown = Settings(
        secret_key="k-k-k-k", admin_password="p-p-p-p", database_url="postgresql://u:pw@h/db"
    ).effective()
    assert shown["secret_key"] == shown["admin_password"] == "******"
    assert "pw" not in shown["database_url"]


def test_hide_password() -> None:
    assert hide_password("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"
