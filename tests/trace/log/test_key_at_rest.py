"""The log's signing key on disk: sealed with CITYHUB_KEY_PASSPHRASE when it is set."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from cityhub.config import Settings
from cityhub.errors import ConfigurationError
from cityhub.trace.log.identity import load_identity
from cityhub.trace.note.sealed import is_sealed

PASSPHRASE = "the bureau's key passphrase"


def _key_file(settings: Settings) -> Path:
    return settings.data_dir / "trace" / "log.skey"


def _with(settings: Settings, passphrase: str | None) -> Settings:
    return settings.model_copy(
        update={"key_passphrase": SecretStr(passphrase) if passphrase else None}
    )


def test_a_new_key_is_sealed_and_private(settings: Settings) -> None:
    first = load_identity(_with(settings, PASSPHRASE))
    text = _key_file(settings).read_text()
    assert is_sealed(text) and "PRIVATE+KEY" not in text
    assert stat.S_IMODE(_key_file(settings).stat().st_mode) == 0o600
    again = load_identity(_with(settings, PASSPHRASE))  # a restart opens it
    assert again.signer.skey() == first.signer.skey()


def test_a_plain_key_is_sealed_in_place_when_a_passphrase_is_set(settings: Settings) -> None:
    plain = load_identity(_with(settings, None))
    assert not is_sealed(_key_file(settings).read_text())
    sealed = load_identity(_with(settings, PASSPHRASE))
    assert sealed.signer.skey() == plain.signer.skey()  # the same log, its key now encrypted
    assert is_sealed(_key_file(settings).read_text())
    assert stat.S_IMODE(_key_file(settings).stat().st_mode) == 0o600
    assert list(_key_file(settings).parent.glob(".log.skey.*")) == []  # nothing left aside


@pytest.mark.parametrize(
    ("passphrase", "reason"),
    [(None, "CITYHUB_KEY_PASSPHRASE"), ("a wrong passphrase", "wrong passphrase")],
)
def test_a_sealed_key_needs_its_passphrase(
    settings: Settings, passphrase: str | None, reason: str
) -> None:
    load_identity(_with(settings, PASSPHRASE))
    with pytest.raises(ConfigurationError, match=reason):
        load_identity(_with(settings, passphrase))
