"""行政区划代码 (GB/T 2260): the table shipped with the package, current and historical codes.

``data/regions.csv`` (``code,name,level,parent,current``) holds every province-, prefecture- and
county-level code the Ministry of Civil Affairs published from 1981 to 2024, as collected by the
``yescallop/areacodes`` project (CC0); see ``docs/registry.md`` for the source and how the file was
derived. Historical codes stay in the table (``current=False``) because identifiers keep the
code of the place and time they were issued: an ID number from 1990 in 聊城 starts ``3725``.

>>> region("371502").name
'东昌府区'
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Level = Literal["province", "prefecture", "county"]
LEVELS: tuple[Level, ...] = ("province", "prefecture", "county")
_LEVEL_NAMES: dict[str, Level] = {level: level for level in LEVELS}

# GB 32100 puts this in positions 3-8 of a credit code registered by a central (national)
# authority; it is not a place in GB/T 2260, so ``region()`` does not know it.
NATIONAL_CODE = "100000"


@dataclass(frozen=True)
class Region:
    """One code of GB/T 2260; ``parent`` is the code above it ('' for a province)."""

    code: str
    name: str
    level: Level
    parent: str
    current: bool


@cache
def table() -> dict[str, Region]:
    """Every known code (current and historical), read once from the package data."""
    source = resources.files("cityhub.registry").joinpath("data/regions.csv")
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"), newline="")))
    regions: dict[str, Region] = {}
    for row in rows:
        level = _LEVEL_NAMES.get(row["level"])
        if level is None:
            raise ValueError(f"regions.csv: unknown level {row['level']!r} for {row['code']}")
        regions[row["code"]] = Region(
            code=row["code"],
            name=row["name"],
            level=level,
            parent=row["parent"],
            current=row["current"] == "1",
        )
    return regions


def region(code: str) -> Region | None:
    """The region with this 6-digit code, current or historical; None when unknown."""
    return table().get(code)


def known_codes() -> frozenset[str]:
    """All known 6-digit codes, for the SQL expressions that embed them."""
    return frozenset(table())


def path(code: str) -> list[Region]:
    """The region and its parents up to the province, nearest first (empty when unknown)."""
    found: list[Region] = []
    current = region(code)
    while current is not None:
        found.append(current)
        current = region(current.parent) if current.parent else None
    return found
