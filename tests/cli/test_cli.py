"""The command line: each command against a real database, errors as exit codes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityhub.cli import app
from cityhub.cli.errors import exit_code_of
from cityhub.config import get_settings
from cityhub.errors import (
    AccountLocked,
    CityhubError,
    ConfigurationError,
    Conflict,
    InvalidCredentials,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from tests.conftest import ADMIN_PASSWORD


@pytest.fixture
def env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    values = {
        "CITYHUB_DATA_DIR": str(tmp_path),
        "CITYHUB_DATABASE_URL": database_url,
        "CITYHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_db_upgrade(env: dict[str, str]) -> None:
    code, output = run("db", "upgrade")
    assert code == 0 and "revision 0016" in output


def test_users_add_list_disable(env: dict[str, str]) -> None:
    code, _ = run(
        "users",
        "add",
        "slj.duty",
        "--department",
        "SLJ",
        "--role",
        "steward",
        "--password",
        "long-enough-pw",
    )
    assert code == 0
    code, output = run("users", "list")
    assert code == 0 and "slj.duty" in output and "admin" in output
    assert run("users", "disable", "slj.duty")[0] == 0


def test_password_is_prompted_hidden_when_not_given(env: dict[str, str]) -> None:
    code, output = run(
        "users",
        "add",
        "slj.other",
        "--department",
        "SLJ",
        "--role",
        "analyst",
        input="long-enough-pw\nlong-enough-pw\n",
    )
    assert code == 0, output
    assert "long-enough-pw" not in output


def test_tokens_create_list_revoke(env: dict[str, str]) -> None:
    code, output = run("tokens", "create", "--user", "admin", "--name", "ci", "--days", "2")
    assert code == 0
    secret = output.strip().splitlines()[-1]
    assert secret.startswith("chk_")
    code, output = run("tokens", "list", "--user", "admin")
    assert "ci" in output and secret not in output
    assert run("tokens", "revoke", "1")[0] == 0


def test_config_hides_secrets(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYHUB_SECRET_KEY", "do-not-print-me")
    get_settings.cache_clear()
    code, output = run("config")
    assert code == 0
    assert "do-not-print-me" not in output and ADMIN_PASSWORD not in output
    assert "CITYHUB_DATA_DIR" in output and "******" in output


def test_demo_is_idempotent(env: dict[str, str]) -> None:
    witness_ports: list[str] = []
    for _ in range(3):  # free ports: the default 8801-8803 may be a running demo's
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            witness_ports += ["--witness-port", str(probe.getsockname()[1])]
    code, output = run("demo", "--no-serve", *witness_ports)
    assert code == 0 and "slj.steward" in output
    code, output = run("demo", "--no-serve", *witness_ports)
    assert code == 0


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidInput("x"), 65),
        (NotFound("x"), 66),
        (Conflict("x"), 73),
        (AccountLocked("x", retry_after=1), 75),
        (InvalidCredentials("x"), 77),
        (PermissionDenied("x"), 77),
        (ConfigurationError("x"), 78),
        (CityhubError("x"), 1),
    ],
)
def test_exit_codes(error: CityhubError, code: int) -> None:
    assert exit_code_of(error) == code


def test_errors_reach_the_shell_as_one_line_and_an_exit_code(env: dict[str, str]) -> None:
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "cityhub",
            "users",
            "add",
            "x.y",
            "--department",
            "NOPE",
            "--role",
            "analyst",
            "--password",
            "long-enough-pw",
        ],
        capture_output=True,
        text=True,
        env=os.environ | env,
        timeout=120,
    )
    assert process.returncode == 66
    assert "no department with code 'NOPE'" in process.stderr
    assert "Traceback" not in process.stderr
