"""House rule: domain packages import no web or CLI code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cityhub

PACKAGE = Path(cityhub.__file__).parent
SHELLS = {"web", "cli", "__main__.py"}  # the shells, and the entry point that starts one
FORBIDDEN = (
    "fastapi",
    "starlette",
    "typer",
    "click",
    "jinja2",
    "uvicorn",
    "rich",
    "cityhub.web",
    "cityhub.cli",
)
DOMAIN_FILES = sorted(
    path for path in PACKAGE.rglob("*.py") if path.relative_to(PACKAGE).parts[0] not in SHELLS
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_domain_module_imports_no_shell(path: Path) -> None:
    bad = {m for m in imported_modules(path) if m.startswith(FORBIDDEN)}
    assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_the_rule_sees_the_domain_packages() -> None:
    packages = {p.relative_to(PACKAGE).parts[0] for p in DOMAIN_FILES}
    assert {"auth", "audit", "db", "demo"} <= packages
