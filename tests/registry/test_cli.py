"""``cityhub validate``: a table of verdicts, exit code 0 when all are valid, 1 otherwise."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cityhub.cli import app
from cityhub.cli.registry import Kind
from cityhub.registry.validators import KINDS

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def test_all_valid_exits_0() -> None:
    result = runner.invoke(app, ["validate", "id_card", "11010519491231002x", "37150219800101123X"])
    assert result.exit_code == 0, result.output
    assert "11010519491231002X" in result.output


def test_any_invalid_exits_1_and_says_why() -> None:
    result = runner.invoke(
        app, ["validate", "credit_code", "91350100M000100Y43", "91350100M000100Y44"]
    )
    assert result.exit_code == 1
    assert "check character expected 3 got 4" in result.output
    assert "校验码应为 3，实为 4" in result.output


def test_unknown_kind_is_a_usage_error() -> None:
    result = runner.invoke(app, ["validate", "iban", "x"])
    assert result.exit_code == 2


def test_the_choices_are_the_kinds() -> None:
    assert tuple(Kind) == KINDS
