"""``cityhub witness keygen|status`` (``serve`` runs in ``test_process``), via ``witness_app``."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityhub.cli.witness import load_signer, witness_app
from cityhub.config import get_settings
from cityhub.errors import ConfigurationError, Conflict, NotFound
from cityhub.trace.note import COSIGNATURE_V1, generate_signer, verifier_from_vkey
from cityhub.trace.note.sealed import is_sealed
from cityhub.trace.witness import Equivocation, Witness
from tests.trace.witness.conftest import ToyLog, advance

runner = CliRunner()


def test_keygen_writes_a_private_cosignature_key(tmp_path: Path) -> None:
    out = tmp_path / "w1.key"
    result = runner.invoke(
        witness_app, ["keygen", "--name", "witness.example/w1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    vkey = result.stdout.strip()
    verifier = verifier_from_vkey(vkey)
    assert (verifier.name, verifier.kind) == ("witness.example/w1", COSIGNATURE_V1)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert load_signer(out).verifier() == verifier


def test_keygen_seals_the_key_with_the_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def passphrase(value: str | None) -> None:
        if value is None:
            monkeypatch.delenv("CITYHUB_KEY_PASSPHRASE")
        else:
            monkeypatch.setenv("CITYHUB_KEY_PASSPHRASE", value)
        get_settings.cache_clear()  # the CLI reads its settings once per process

    out = tmp_path / "w1.key"
    passphrase("witness passphrase")
    result = runner.invoke(
        witness_app, ["keygen", "--name", "witness.example/w1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert is_sealed(out.read_text()) and "PRIVATE+KEY" not in out.read_text()
    assert load_signer(out).verifier() == verifier_from_vkey(result.stdout.strip())
    passphrase("another passphrase")
    with pytest.raises(ConfigurationError, match="wrong passphrase"):
        load_signer(out)
    passphrase(None)
    with pytest.raises(ConfigurationError, match="CITYHUB_KEY_PASSPHRASE"):
        load_signer(out)


def test_keygen_never_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "w1.key"
    out.write_text("precious\n")
    result = runner.invoke(witness_app, ["keygen", "--name", "w", "--out", str(out)])
    assert isinstance(result.exception, Conflict)
    assert out.read_text() == "precious\n"


def test_keygen_rejects_a_bad_name(tmp_path: Path) -> None:
    result = runner.invoke(witness_app, ["keygen", "--name", "a+b", "--out", str(tmp_path / "k")])
    assert isinstance(result.exception, ConfigurationError)
    assert not (tmp_path / "k").exists()


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, NotFound),
        ("not a key\n", ConfigurationError),
        (generate_signer("log.example/l").skey(), ConfigurationError),  # an 0x01 key
    ],
    ids=["missing", "garbage", "log-key"],  # stable ids: the key is new on every collection
)
def test_serve_refuses_bad_key_files(tmp_path: Path, content: str | None, error: type) -> None:
    key = tmp_path / "w.key"
    if content is not None:
        key.write_text(content)
    result = runner.invoke(witness_app, ["serve", "--key-file", str(key), "--state", str(tmp_path)])
    assert isinstance(result.exception, error)


def test_status_shows_latest_and_evidence(witness: Witness, log: ToyLog, state_dir: Path) -> None:
    advance(witness, log, 7)
    result = runner.invoke(witness_app, ["status", "--state", str(state_dir)])
    assert result.exit_code == 0, result.output
    assert f"{log.origin}: size 7 root " in result.stdout
    assert "equivocation evidence: 0" in result.stdout
    with pytest.raises(Equivocation):
        witness.add_checkpoint(7, [], log.fork(1).checkpoint(7))
    result = runner.invoke(witness_app, ["status", "--state", str(state_dir)])
    assert "equivocation evidence: 1" in result.stdout


def test_status_of_a_fresh_log(witness: Witness, log: ToyLog, state_dir: Path) -> None:
    result = runner.invoke(witness_app, ["status", "--state", str(state_dir)])
    assert f"{log.origin}: nothing cosigned yet" in result.stdout


def test_status_without_state(tmp_path: Path) -> None:
    result = runner.invoke(witness_app, ["status", "--state", str(tmp_path / "none")])
    assert isinstance(result.exception, NotFound)
    assert not (tmp_path / "none").exists()
