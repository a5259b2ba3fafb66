"""Documentation cannot drift: every setting and command is documented, every cited test exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.main import get_command

from cityhub.cli import app
from cityhub.config import Settings

DOCS = Path(__file__).parents[1] / "docs"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_setting_is_documented(name: str) -> None:
    assert f"`CITYHUB_{name.upper()}`" in (DOCS / "configuration.md").read_text(encoding="utf-8")


def _commands(group: typer.Typer) -> list[str]:
    command = get_command(group)
    names: list[str] = []
    for name, sub in command.commands.items():  # type: ignore[attr-defined]
        subs = getattr(sub, "commands", None)
        if subs:
            names.extend(f"{name} {inner}" for inner in subs)
        else:
            names.append(name)
    return names


@pytest.mark.parametrize("command", _commands(app))
def test_command_is_documented(command: str) -> None:
    assert f"`cityhub {command}" in (DOCS / "cli.md").read_text(encoding="utf-8")


def test_readme_shows_the_two_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme


THREAT_TESTS = sorted(
    set(re.findall(r"`(tests/[\w/]+\.py)::(\w+)", (DOCS / "security.md").read_text()))
)


@pytest.mark.parametrize(("path", "name"), THREAT_TESTS, ids=str)
def test_every_test_the_security_model_cites_exists(path: str, name: str) -> None:
    source = (DOCS.parent / path).read_text(encoding="utf-8")
    assert re.search(rf"^(async )?def {name}\(", source, re.MULTILINE), f"{path}::{name}"
