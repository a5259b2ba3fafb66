"""C2SP tlog-tiles paths and tile sets (reference §2.5, §8 item 9; Go sumdb/tlog seeds)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.trace.merkle import (
    TILE_HEIGHT,
    TILE_WIDTH,
    TilePathError,
    TileRef,
    entries_path,
    new_tiles,
    parse_tile_path,
    tile_path,
    tiles_for_size,
)
from tests.trace.merkle.support import RELAXED

PATHS = [
    (TileRef(0, 1234067), False, "tile/0/x001/x234/067"),
    (TileRef(0, 0), False, "tile/0/000"),
    (TileRef(1, 999), False, "tile/1/999"),
    (TileRef(1, 1000), False, "tile/1/x001/000"),
    (TileRef(2, 5, 112), False, "tile/2/005.p/112"),
    (TileRef(63, 0, 1), False, "tile/63/000.p/1"),
    (TileRef(0, 0, 255), False, "tile/0/000.p/255"),
    # Go sumdb/tlog tile_test.go seeds, with the height element C2SP drops:
    (TileRef(0, 1), False, "tile/0/001"),  # tile/4/0/001
    (TileRef(0, 1, 5), False, "tile/0/001.p/5"),  # tile/4/0/001.p/5
    (TileRef(5, 123456078), False, "tile/5/x123/x456/078"),  # tile/3/5/x123/x456/078
    (TileRef(5, 123456078, 2), False, "tile/5/x123/x456/078.p/2"),
    (TileRef(0, 3057500), False, "tile/0/x003/x057/500"),  # tile/1/0/x003/x057/500
    (TileRef(0, 1234067, 7), True, "tile/entries/x001/x234/067.p/7"),
    (TileRef(0, 70000 // 256), True, "tile/entries/273"),
    (TileRef(0, 2**64 - 1), False, "tile/0/x018/x446/x744/x073/x709/x551/615"),
]


@pytest.mark.parametrize(("ref", "is_entries", "path"), PATHS, ids=[p[2] for p in PATHS])
def test_format_and_parse(ref: TileRef, is_entries: bool, path: str) -> None:
    made = (
        entries_path(ref.index, ref.width)
        if is_entries
        else tile_path(ref.level, ref.index, ref.width)
    )
    assert made == path
    assert parse_tile_path(path) == (ref, is_entries)


MALFORMED = [
    "",
    "tile",
    "tile/0",
    "tile/0/1",
    "tile/0/01",
    "tile/0/1234",
    "tile/00/000",
    "tile/01/000",
    "tile/64/000",
    "tile/100/000",
    "tile/-1/000",
    "tile/data/000",
    "tile/0/x000/123",  # zero leading group: 123 has one URL only
    "tile/0/x001",
    "tile/0/001/x002",
    "tile/0/001/002",
    "tile/0/X001/000",
    "tile/0/001.p/256",
    "tile/0/001.p/0",
    "tile/0/001.p/012",
    "tile/0/001.p/",
    "tile/0/001.p",
    "tile/0/001.p/1000",
    "tile/0/001.P/5",
    "tile/entries/000.p/256",
    "tile/entries/x000/000",
    "/tile/0/000",
    "tile/0/000/",
    "tile//000",
    "tile/0/000\n",
    " tile/0/000",
    "tile/0/٠٠١",  # non-ASCII digits
    "tile/0/x018/x446/x744/x073/x709/x551/616",  # 2**64
    "tile/0/x001/x000/x000/x000/x000/x000/x000/000",  # more groups than 2**64 needs
    # Go sumdb paths (with the height element) are not C2SP paths:
    "tile/4/0/001",
    "tile/3/5/x123/x456/078.p/2",
    "tile/3/5/123/456/078",
    "tile/3/-1/123/456/078",
    "tile/1/data/x003/x057/500",
]


@pytest.mark.parametrize("path", MALFORMED)
def test_malformed_paths_rejected(path: str) -> None:
    with pytest.raises(TilePathError) as exc:
        parse_tile_path(path)
    assert exc.value.code == "tile_path_invalid"
    assert exc.value.details["path"] == path


@pytest.mark.parametrize(
    ("level", "index", "width"), [(64, 0, 256), (-1, 0, 256), (0, -1, 256), (0, 0, 0), (0, 0, 257)]
)
def test_format_rejects_out_of_range(level: int, index: int, width: int) -> None:
    with pytest.raises(TilePathError):
        tile_path(level, index, width)


@RELAXED
@given(st.integers(0, 63), st.integers(0, 2**64 - 1), st.integers(1, 256), st.booleans())
def test_round_trip(level: int, index: int, width: int, is_entries: bool) -> None:
    path = entries_path(index, width) if is_entries else tile_path(level, index, width)
    assert parse_tile_path(path) == (TileRef(0 if is_entries else level, index, width), is_entries)


@RELAXED
@given(st.text(alphabet="tile/entrisxp.0123456789٠", max_size=40))
def test_parse_never_crashes(path: str) -> None:
    try:
        ref, is_entries = parse_tile_path(path)
    except TilePathError:
        return
    again = (
        entries_path(ref.index, ref.width)
        if is_entries
        else tile_path(ref.level, ref.index, ref.width)
    )
    assert again == path


def _full(level: int, count: int) -> list[TileRef]:
    return [TileRef(level, n) for n in range(count)]


@pytest.mark.parametrize(
    ("size", "tiles"),
    [
        (0, []),
        (1, [TileRef(0, 0, 1)]),
        (255, [TileRef(0, 0, 255)]),
        (256, [TileRef(0, 0), TileRef(1, 0, 1)]),
        (257, [TileRef(0, 0), TileRef(0, 1, 1), TileRef(1, 0, 1)]),
        (
            70000,
            [
                *_full(0, 273),
                TileRef(0, 273, 112),
                TileRef(1, 0),
                TileRef(1, 1, 17),
                TileRef(2, 0, 1),
            ],
        ),
        (65536, [*_full(0, 256), TileRef(1, 0), TileRef(2, 0, 1)]),
    ],
)
def test_tiles_for_size(size: int, tiles: list[TileRef]) -> None:
    assert tiles_for_size(size) == tiles


@RELAXED
@given(st.integers(0, 2**20))
def test_tiles_for_size_matches_spec_formula(size: int) -> None:
    got = tiles_for_size(size)
    for level in range(max(t.level for t in got) + 1 if got else 0):
        nodes = size >> (TILE_HEIGHT * level)
        partial = nodes % TILE_WIDTH  # "floor(s / 256**l) mod 256"
        at_level = [t for t in got if t.level == level]
        assert [t.index for t in at_level] == list(range(len(at_level)))
        assert sum(t.is_full for t in at_level) == nodes // TILE_WIDTH
        assert [t.width for t in at_level if not t.is_full] == ([partial] if partial else [])
    assert len({t.level for t in got}) == (size.bit_length() + TILE_HEIGHT - 1) // TILE_HEIGHT


@RELAXED
@given(st.integers(0, 70000), st.integers(0, 3000))
def test_new_tiles_is_the_difference(old: int, grow: int) -> None:
    new = old + grow
    before = set(tiles_for_size(old))
    want = [t for t in tiles_for_size(new) if t not in before]
    assert new_tiles(old, new) == want
