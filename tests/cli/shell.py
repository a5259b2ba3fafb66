"""Running a Typer app of the CLI in-process against a test database, as the shell would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cityhub.cli.errors import exit_code_of
from cityhub.config import get_settings
from cityhub.errors import CityhubError
from tests.conftest import ADMIN_PASSWORD


def platform_env(
    database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Point the CLI's settings at the test's database and data directory for one test."""
    for key, value in {
        "CITYHUB_DATA_DIR": str(data_dir),
        "CITYHUB_DATABASE_URL": database_url,
        "CITYHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def invoke(app: typer.Typer, *args: str) -> tuple[int, str]:
    """Exit code and output (or the error's message), as ``cityhub.cli.main`` maps them."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    error = result.exception
    if isinstance(error, CityhubError):
        return exit_code_of(error), error.message
    if error is not None and not isinstance(error, SystemExit):
        raise error
    return result.exit_code, result.stdout


def invoke_json(app: typer.Typer, *args: str) -> Any:
    """The command's ``--json`` output, parsed; it must succeed."""
    code, output = invoke(app, *args, "--json")
    assert code == 0, output
    return json.loads(output)
