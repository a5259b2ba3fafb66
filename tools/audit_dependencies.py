"""Audit the installed Python packages against the PyPA advisory database, offline.

``pip-audit`` asks OSV or PyPI over the network for each package; CI and the city's machines may
have no route to either. This audit reads a snapshot of the PyPA advisory database
(github.com/pypa/advisory-database, CC-BY 4.0) kept in ``tools/advisories.json`` — the advisories
of the packages our environment installs — and fails on any installed version an advisory
affects. ``make lint`` (so ``make test`` and CI) runs ``check``; ``refresh`` rebuilds the
snapshot from a checkout of the database where GitHub is reachable (docs/security.md):

    python tools/audit_dependencies.py check
    python tools/audit_dependencies.py refresh PATH/TO/advisory-database

Matching follows OSV: an advisory names affected ``versions`` and ``ECOSYSTEM`` ranges (events
``introduced``, ``fixed``, ``last_affected``, compared as PEP 440 versions).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

SNAPSHOT = Path(__file__).with_name("advisories.json")


def normalise(name: str) -> str:
    """A distribution name in PEP 503 form (``Flask_Cors`` → ``flask-cors``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Advisory:
    """One advisory's id, aliases, summary and the affected part for one package."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    versions: tuple[str, ...]
    ranges: tuple[tuple[tuple[str, str], ...], ...]  # each range: its (event, version) pairs

    def affects(self, installed: str) -> bool:
        """Whether ``installed`` is a listed version or falls in an ECOSYSTEM range."""
        if installed in self.versions:
            return True
        try:
            version = Version(installed)
        except InvalidVersion:
            return False
        return any(_in_range(version, events) for events in self.ranges)


def _in_range(version: Version, events: tuple[tuple[str, str], ...]) -> bool:
    """OSV range semantics: affected from each ``introduced`` until the next ``fixed`` (excluded)
    or ``last_affected`` (included)."""
    affected = False
    for kind, value in sorted(events, key=lambda e: _order(e[1])):
        bound = _order(value)
        if kind == "introduced" and version >= bound:
            affected = True
        elif (kind == "fixed" and version >= bound) or (
            kind == "last_affected" and version > bound
        ):
            affected = False
    return affected


def _order(value: str) -> Version:
    return Version("0") if value == "0" else Version(value)


def parse_advisory(document: dict[str, Any], package: str) -> Advisory | None:
    """The advisory's part for ``package`` (None when it names the package only elsewhere)."""
    for entry in document.get("affected", []):
        if normalise(entry.get("package", {}).get("name", "")) != package:
            continue
        ranges = tuple(
            tuple(
                (kind, str(value)) for event in r.get("events", []) for kind, value in event.items()
            )
            for r in entry.get("ranges", [])
            if r.get("type") == "ECOSYSTEM"
        )
        return Advisory(
            id=str(document["id"]),
            aliases=tuple(document.get("aliases") or ()),
            summary=str(document.get("summary") or document.get("details", ""))[:200],
            versions=tuple(str(v) for v in entry.get("versions") or ()),
            ranges=ranges,
        )
    return None


def installed() -> dict[str, str]:
    """Every installed distribution's normalised name and version."""
    return {normalise(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()}


def load(path: Path = SNAPSHOT) -> tuple[dict[str, Any], dict[str, list[Advisory]]]:
    """The snapshot's provenance and its advisories by package."""
    data = json.loads(path.read_text(encoding="utf-8"))
    advisories = {
        package: [
            Advisory(
                **{
                    **a,
                    "aliases": tuple(a["aliases"]),
                    "versions": tuple(a["versions"]),
                    "ranges": tuple(tuple(tuple(e) for e in r) for r in a["ranges"]),
                }
            )
            for a in items
        ]
        for package, items in data["packages"].items()
    }
    return data["source"], advisories


def check(path: Path = SNAPSHOT) -> int:
    """Print what affects the installed packages; 1 if anything does, else 0."""
    source, advisories = load(path)
    found = [
        (name, version, advisory)
        for name, version in sorted(installed().items())
        for advisory in advisories.get(name, [])
        if advisory.affects(version)
    ]
    for name, version, advisory in found:
        aliases = ", ".join(advisory.aliases)
        print(f"VULNERABLE {name} {version}: {advisory.id} ({aliases}) {advisory.summary}")
    checked = sum(len(items) for items in advisories.values())
    print(
        f"dependency audit: {len(installed())} installed packages against {checked} advisories "
        f"of the PyPA advisory database ({source['commit'][:12]}, {source['date']}): "
        f"{len(found)} affected"
    )
    return 1 if found else 0


def refresh(database: Path, path: Path = SNAPSHOT) -> None:
    """Rebuild the snapshot from a checkout of the database, for the installed packages."""
    import yaml  # type: ignore[import-untyped]  # only here: the check needs no YAML

    packages: dict[str, list[dict[str, Any]]] = {}
    for name in sorted(installed()):
        folder = database / "vulns" / name
        for file in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            advisory = parse_advisory(yaml.safe_load(file.read_text(encoding="utf-8")), name)
            if advisory is not None:
                packages.setdefault(name, []).append(vars(advisory))
    log = subprocess.run(
        ["git", "-C", str(database), "log", "-1", "--format=%H %cs"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    source = {
        "database": "https://github.com/pypa/advisory-database",
        "commit": log[0],
        "date": log[1],
    }
    text = json.dumps({"source": source, "packages": packages}, ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="audit the installed packages against the snapshot")
    rebuild = commands.add_parser("refresh", help="rebuild the snapshot from a database checkout")
    rebuild.add_argument("database", type=Path, help="a checkout of pypa/advisory-database")
    args = parser.parse_args(argv)
    if args.command == "refresh":
        refresh(args.database)
        return 0
    return check()


if __name__ == "__main__":
    sys.exit(main())
