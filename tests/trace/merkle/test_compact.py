"""CompactRange: roots at every size, emitted nodes, restore from storage."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.trace.merkle import EMPTY_ROOT, CompactRange, ProofError, root_of
from tests.trace.merkle.support import (
    KAT_LEAVES,
    KAT_ROOTS,
    RELAXED,
    getter,
    leaves,
    log_nodes,
    log_root,
)


def test_kat_roots_at_every_size() -> None:
    cr = CompactRange()
    assert cr.root() == KAT_ROOTS[0] == EMPTY_ROOT
    for size, h in enumerate(KAT_LEAVES, start=1):
        cr.append(h)
        assert cr.size == size
        assert cr.root() == KAT_ROOTS[size]


def test_root_equals_mth_at_every_size_to_600() -> None:
    cr = CompactRange()
    for size, h in enumerate(leaves(600), start=1):
        cr.append(h)
        assert len(cr.hashes) == size.bit_count()
        assert cr.root() == log_root(size), size
        if size % 37 == 0:
            assert cr.root() == root_of(leaves(size))


def test_on_node_reports_every_complete_node_once() -> None:
    seen: dict[tuple[int, int], bytes] = {}

    def record(level: int, index: int, h: bytes) -> None:
        assert (level, index) not in seen
        seen[(level, index)] = h

    cr = CompactRange()
    for size, h in enumerate(leaves(300), start=1):
        cr.append(h, record)
        if size in (1, 2, 3, 255, 256, 257, 300):
            assert seen == {k: v for k, v in log_nodes(300).items() if (k[1] + 1) << k[0] <= size}


@RELAXED
@given(st.integers(0, 600), st.integers(0, 60))
def test_restore_and_continue(size: int, more: int) -> None:
    restored = CompactRange.from_nodes(size, getter(log_nodes(600)))
    assert restored.size == size
    assert restored.root() == (log_root(size) if size else EMPTY_ROOT)
    again = CompactRange(restored.size, restored.hashes)  # the persisted form
    for h in leaves(size + more)[size:]:
        again.append(h)
    assert again.root() == (log_root(size + more) if size + more else EMPTY_ROOT)


@pytest.mark.parametrize(
    ("size", "hashes", "reason"),
    [
        (-1, [], "bad_sizes"),
        (3, [b"\0" * 32], "wrong_length"),
        (4, [b"\0" * 32, b"\0" * 32], "wrong_length"),
        (2, [b"\0" * 31], "hash_size"),
    ],
)
def test_constructor_validates(size: int, hashes: list[bytes], reason: str) -> None:
    with pytest.raises(ProofError) as exc:
        CompactRange(size, hashes)
    assert exc.value.details["reason"] == reason


def test_append_rejects_wrong_hash_size() -> None:
    cr = CompactRange()
    with pytest.raises(ProofError):
        cr.append(b"leaf data, not its hash")
    assert cr.size == 0
