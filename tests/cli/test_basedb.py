"""``cityhub datasets templates`` and ``cityhub datasets from-template``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityhub.cli import app
from cityhub.config import get_settings
from tests.conftest import ADMIN_PASSWORD


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CITYHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CITYHUB_DATABASE_URL", database_url)
    monkeypatch.setenv("CITYHUB_ADMIN_PASSWORD", ADMIN_PASSWORD)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_templates_are_listed_and_used(env: None) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["datasets", "templates"])
    assert listed.exit_code == 0 and "legal_entity" in listed.output and "电子证照" in listed.output
    created = runner.invoke(
        app, ["datasets", "from-template", "macro_economy", "gdp", "--department", "FGW"]
    )
    assert created.exit_code == 0, created.output
    assert "created dataset gdp (FGW) from template macro_economy: 11 columns" in created.output
    shown = runner.invoke(app, ["datasets", "list"])
    assert "宏观经济指标" in shown.output


def test_a_missing_base_is_an_error(env: None) -> None:
    result = CliRunner().invoke(
        app, ["datasets", "from-template", "public_credit", "credit", "--department", "FGW"]
    )
    assert result.exit_code != 0
    assert "legal-entities" in str(result.exception)
