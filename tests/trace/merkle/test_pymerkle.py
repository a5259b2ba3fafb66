"""Cross-check against pymerkle (GPL: imported by this test only, never by src/).

pymerkle indices are 1-based and its inclusion path starts with the leaf hash itself
(reference §6); its consistency proofs are not RFC 9162 format, so only roots and
inclusion paths are compared.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pymerkle  # type: ignore[import-untyped]  # GPL: tests and benchmarks only
from hypothesis import given
from hypothesis import strategies as st

from cityhub.trace.merkle import (
    EMPTY_ROOT,
    CompactRange,
    inclusion_proof,
    leaf_hash,
    verify_inclusion,
)
from tests.trace.merkle.support import RELAXED, complete_nodes, getter

ENTRIES = [b"entry %d" % i for i in range(400)]
HASHES = [leaf_hash(e) for e in ENTRIES]


@cache
def _pymerkle_tree() -> Any:
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    for entry in ENTRIES:
        tree.append_entry(entry)
    return tree


@cache
def _ours(size: int) -> tuple[bytes, dict[tuple[int, int], bytes]]:
    cr = CompactRange()
    for h in HASHES[:size]:
        cr.append(h)
    return cr.root(), complete_nodes(HASHES[:size])


def test_empty_root() -> None:
    assert pymerkle.InmemoryTree(algorithm="sha256").get_root() == EMPTY_ROOT


@RELAXED
@given(st.integers(1, 400))
def test_roots_agree(size: int) -> None:
    assert _pymerkle_tree().get_root(size) == _ours(size)[0]


@RELAXED
@given(st.integers(1, 400), st.data())
def test_inclusion_paths_agree(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, size - 1))
    theirs = _pymerkle_tree().prove_inclusion(index + 1, size)
    assert theirs.path[0] == HASHES[index]  # pymerkle prepends the leaf
    root, nodes = _ours(size)
    ours = inclusion_proof(index, size, getter(nodes))
    assert list(theirs.path[1:]) == ours
    verify_inclusion(HASHES[index], index, size, list(theirs.path[1:]), root)
