"""The C2SP tlog-tiles view of the log: every tile of the published tree, and entry bundles."""

from __future__ import annotations

import pytest

from cityhub.errors import NotFound
from cityhub.trace.log import Pending, TraceLog
from cityhub.trace.merkle import HASH_SIZE, leaf_hash, root_of, tiles_for_size


def test_every_tile_of_a_70000_leaf_tree_holds_the_right_hashes(trace_log: TraceLog) -> None:
    leaves = [f"t{i}\n".encode() for i in range(70000)]
    trace_log.append_blocking([Pending(leaf) for leaf in leaves], timeout=120)
    hashes = [leaf_hash(leaf) for leaf in leaves]
    refs = tiles_for_size(70000)
    assert {(r.level, r.width) for r in refs if r.width < 256} == {(0, 112), (1, 17), (2, 1)}
    for ref in refs:
        data = trace_log.tile(ref.level, ref.index, ref.width)
        assert len(data) == ref.width * HASH_SIZE
        span = 256**ref.level
        for position in (0, ref.width - 1):  # first and last node of the tile
            first = (ref.index * 256 + position) * span
            expected = root_of(hashes[first : first + span])
            assert data[position * HASH_SIZE : (position + 1) * HASH_SIZE] == expected


def test_entry_bundles_hold_the_leaves_with_uint16_lengths(trace_log: TraceLog) -> None:
    leaves = [("é" * (i % 7) + f"{i}\n").encode() for i in range(300)]
    trace_log.append_blocking([Pending(leaf) for leaf in leaves])
    bundle = trace_log.entry_bundle(1, 44)
    decoded, offset = [], 0
    while offset < len(bundle):
        length = int.from_bytes(bundle[offset : offset + 2], "big")
        decoded.append(bundle[offset + 2 : offset + 2 + length])
        offset += 2 + length
    assert decoded == leaves[256:300]


@pytest.mark.parametrize(
    ("level", "index", "width"),
    [(0, 0, 11), (0, 1, 1), (1, 0, 1)],
)
def test_tiles_beyond_the_published_tree_are_not_served(
    trace_log: TraceLog, level: int, index: int, width: int
) -> None:
    trace_log.append_blocking([Pending(f"{i}\n".encode()) for i in range(10)])
    with pytest.raises(NotFound):
        trace_log.tile(level, index, width)
    with pytest.raises(NotFound):
        trace_log.entry_bundle(index, width + 10)
