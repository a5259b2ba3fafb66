"""C2SP tlog-tiles addressing: tile paths, entry-bundle paths, and which tiles a tree has.

A tile at tile level L, index n, holds the hashes of tree level 8·L nodes
n·256 … n·256+w-1 (w = width, 256 when full). Paths are ``tile/<L>/<N>[.p/<W>]`` with N
in zero-padded 3-digit groups, all but the last prefixed ``x`` (1234067 → x001/x234/067).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cityhub.trace.merkle.errors import TilePathError

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_TILE_LEVEL = 63

# Shape only (bounded lengths: 7 groups cover 2^64); limits and canonical form checked after.
_PATH_RE = re.compile(
    r"tile/(?P<level>entries|0|[1-9][0-9]?)/(?P<groups>(?:x[0-9]{3}/){0,6}[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"
)


@dataclass(frozen=True)
class TileRef:
    """One tile: ``width`` hashes (1..256; 256 = full) of tile level ``level``, index ``index``."""

    level: int
    index: int
    width: int = TILE_WIDTH

    @property
    def is_full(self) -> bool:
        return self.width == TILE_WIDTH


def _format_index(index: int) -> str:
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


def _suffix(index: int, width: int) -> str:
    if index < 0:
        raise TilePathError(f"negative tile index {index}", details={"reason": "bad_index"})
    if not 1 <= width <= TILE_WIDTH:
        raise TilePathError(f"tile width {width} not in 1..256", details={"reason": "bad_width"})
    partial = f".p/{width}" if width < TILE_WIDTH else ""
    return _format_index(index) + partial


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]``, relative to the log prefix."""
    if not 0 <= level <= MAX_TILE_LEVEL:
        raise TilePathError(f"tile level {level} not in 0..63", details={"reason": "bad_level"})
    return f"tile/{level}/{_suffix(index, width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """``tile/entries/<N>[.p/<W>]``: the entry bundle beside level-0 tile ``index``."""
    return f"tile/entries/{_suffix(index, width)}"


def parse_tile_path(path: str) -> tuple[TileRef, bool]:
    """Parse a canonical tile or entry-bundle path; returns (tile, is_entries).

    Strict: anything that would not be produced by ``tile_path``/``entries_path`` (leading
    zeros, a ``x000`` leading group, ``.p/256``, level > 63, missing ``x``) is refused, so
    one tile has exactly one URL. Entry bundles report tile level 0.
    """
    m = _PATH_RE.fullmatch(path)
    if m is None:
        raise TilePathError("malformed tile path", details={"path": path, "reason": "malformed"})
    is_entries = m["level"] == "entries"
    level = 0 if is_entries else int(m["level"])
    if level > MAX_TILE_LEVEL:
        raise TilePathError("tile level above 63", details={"path": path, "reason": "bad_level"})
    width = int(m["width"]) if m["width"] else TILE_WIDTH
    if m["width"] and width >= TILE_WIDTH:
        raise TilePathError(
            "partial tile width must be 1..255", details={"path": path, "reason": "bad_width"}
        )
    index = int(m["groups"].replace("x", "").replace("/", ""))
    if index >= 1 << 64:
        raise TilePathError("tile index too large", details={"path": path, "reason": "bad_index"})
    ref = TileRef(level, index, width)
    canonical = entries_path(index, width) if is_entries else tile_path(level, index, width)
    if canonical != path:  # e.g. "x000/123": a zero leading group
        raise TilePathError(
            "tile path not in canonical form",
            details={"path": path, "reason": "not_canonical", "canonical": canonical},
        )
    return ref, is_entries


def _level_tiles(level: int, size: int, first_node: int = 0) -> list[TileRef]:
    nodes = size >> (TILE_HEIGHT * level)  # complete nodes at tree level 8·level
    out = [
        TileRef(level, n, TILE_WIDTH) for n in range(first_node // TILE_WIDTH, nodes // TILE_WIDTH)
    ]
    if nodes % TILE_WIDTH:
        out.append(TileRef(level, nodes // TILE_WIDTH, nodes % TILE_WIDTH))
    return out


def tiles_for_size(size: int) -> list[TileRef]:
    """Every tile of a tree of ``size``: the full ones and at most one partial per level."""
    out: list[TileRef] = []
    level = 0
    while size >> (TILE_HEIGHT * level):
        out.extend(_level_tiles(level, size))
        level += 1
    return out


def new_tiles(old_size: int, new_size: int) -> list[TileRef]:
    """Tiles of ``new_size`` that a tree of ``old_size`` lacks or has narrower (to write)."""
    out: list[TileRef] = []
    level = 0
    while new_size >> (TILE_HEIGHT * level):
        old_nodes = old_size >> (TILE_HEIGHT * level)
        # Tiles wholly below old_nodes are unchanged; the one containing old_nodes grew.
        start = old_nodes - old_nodes % TILE_WIDTH
        if (new_size >> (TILE_HEIGHT * level)) > old_nodes:
            out.extend(_level_tiles(level, new_size, start))
        level += 1
    return out
