"""TileReader: proofs over stored tiles equal proofs over a dict of complete nodes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.trace.merkle import (
    CompactRange,
    TileMissing,
    TileReader,
    consistency_proof,
    expand_tile,
    inclusion_proof,
    tiles_for_size,
    tree_root,
)
from tests.trace.merkle.support import complete_nodes, getter, leaves, log_nodes


class TileStore:
    """Tiles written the way a log does: level-8·L nodes from CompactRange.on_node."""

    def __init__(self) -> None:
        self.tiles: dict[tuple[int, int], bytearray] = {}
        self.range = CompactRange()

    def on_node(self, level: int, index: int, h: bytes) -> None:
        if level % 8 == 0:
            buf = self.tiles.setdefault((level // 8, index >> 8), bytearray())
            assert len(buf) == (index & 255) * 32  # nodes arrive in order
            buf += h

    def grow_to(self, size: int) -> None:
        for h in leaves(size)[self.range.size :]:
            self.range.append(h, self.on_node)

    def published(self, size: int) -> dict[tuple[int, int], bytes]:
        """Exactly the tiles (and widths) a checkpoint of ``size`` makes available."""
        return {
            (t.level, t.index): bytes(self.tiles[(t.level, t.index)][: t.width * 32])
            for t in tiles_for_size(size)
        }


def _store(size: int) -> TileStore:
    store = TileStore()
    store.grow_to(size)
    return store


STORE_600 = _store(600)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 600), st.data())
def test_reader_proofs_equal_dict_proofs(size: int, data: st.DataObject) -> None:
    tiles = STORE_600.published(size)
    reader = TileReader(lambda level, index: tiles[(level, index)])
    nodes = getter(log_nodes(600))
    index = data.draw(st.integers(0, size - 1), label="index")
    size1 = data.draw(st.integers(1, size), label="size1")
    assert tree_root(size, reader.node) == tree_root(size, nodes)
    assert inclusion_proof(index, size, reader.node) == inclusion_proof(index, size, nodes)
    assert consistency_proof(size1, size, reader.node) == consistency_proof(size1, size, nodes)


@pytest.mark.parametrize("size", [255, 256, 257, 511, 512, 513])
def test_every_proof_at_tile_boundaries(size: int) -> None:
    tiles = STORE_600.published(size)
    reader = TileReader(lambda level, index: tiles[(level, index)], cache_tiles=2)
    nodes = getter(log_nodes(600))
    for index in range(size):
        assert inclusion_proof(index, size, reader.node) == inclusion_proof(index, size, nodes)


def test_three_tile_levels() -> None:
    size = 70000
    store = _store(size)
    tiles = store.published(size)
    assert len(tiles) == 273 + 1 + 1 + 1 + 1
    assert len(tiles[(2, 0)]) == 32 and len(tiles[(1, 1)]) == 17 * 32
    reader = TileReader(lambda level, index: tiles[(level, index)])
    nodes = getter(complete_nodes(leaves(size)))
    assert tree_root(size, reader.node) == tree_root(size, nodes) == store.range.root()
    for index in (0, 1, 255, 256, 65535, 65536, 69887, 69888, 69999):
        assert inclusion_proof(index, size, reader.node) == inclusion_proof(index, size, nodes)
    for size1 in (1, 256, 65536, 65537, 69888, 69999):
        assert consistency_proof(size1, size, reader.node) == consistency_proof(size1, size, nodes)


def test_grown_partial_tile_is_refetched() -> None:
    store = _store(10)
    fetches: list[tuple[int, int]] = []

    def fetch(level: int, index: int) -> bytes:
        fetches.append((level, index))
        return bytes(store.tiles[(level, index)])

    reader = TileReader(fetch)
    assert reader.node(0, 9) == leaves(10)[9]
    assert reader.node(1, 4) == log_nodes(20)[(1, 4)]
    assert fetches == [(0, 0)]
    store.grow_to(20)
    # Node (0, 15) is beyond the cached width 10: the reader fetches the wider tile itself.
    assert reader.node(0, 15) == leaves(20)[15]
    assert reader.node(2, 3) == log_nodes(20)[(2, 3)]
    assert fetches == [(0, 0), (0, 0)]
    reader.invalidate(0, 0)
    reader.node(0, 0)
    assert fetches == [(0, 0), (0, 0), (0, 0)]


def test_lru_eviction() -> None:
    store = _store(600)
    fetches: list[tuple[int, int]] = []

    def fetch(level: int, index: int) -> bytes:
        fetches.append((level, index))
        return bytes(store.tiles[(level, index)])

    reader = TileReader(fetch, cache_tiles=2)
    for index in (0, 256, 0, 512, 0, 256):  # tiles 0, 1, 0, 2 (evicts 1), 0, 1 (evicts 2)
        reader.node(0, index)
    assert fetches == [(0, 0), (0, 1), (0, 2), (0, 1)]


@pytest.mark.parametrize(
    ("content", "level", "index"),
    [(b"", 0, 0), (b"\0" * 33, 0, 0), (b"\0" * 8224, 0, 0), (b"\0" * 64, 0, 5), (b"\0" * 64, 1, 1)],
)
def test_missing_or_short_tiles(content: bytes, level: int, index: int) -> None:
    reader = TileReader(lambda tile_level, tile_index: content)
    with pytest.raises(TileMissing) as exc:
        reader.node(level, index)
    assert exc.value.code == "tile_missing"


@pytest.mark.parametrize(
    ("width", "counts"),
    [
        (256, [256, 128, 64, 32, 16, 8, 4, 2]),
        (112, [112, 56, 28, 14, 7, 3, 1, 0]),
        (1, [1] + [0] * 7),
    ],
)
def test_expand_tile_levels(width: int, counts: list[int]) -> None:
    levels = expand_tile(b"".join(leaves(width)))
    assert [len(level) // 32 for level in levels] == counts
    nodes = log_nodes(600)
    for sub, level in enumerate(levels):
        for i in range(len(level) // 32):
            assert level[i * 32 : (i + 1) * 32] == nodes[(sub, i)]
