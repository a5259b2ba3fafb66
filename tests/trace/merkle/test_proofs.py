"""Provers: byte-equal to the published 8-leaf vectors and to the literal RFC recursion."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.trace.merkle import (
    EMPTY_ROOT,
    ProofError,
    consistency_proof,
    inclusion_proof,
    range_root,
    tree_root,
)
from tests.trace.merkle.support import (
    KAT_LEAVES,
    KAT_ROOTS,
    RELAXED,
    VECTORS,
    complete_nodes,
    getter,
    leaves,
    log_nodes,
    log_root,
    ref_mth,
    ref_path,
    ref_proof,
)

KAT_GET = getter(complete_nodes(KAT_LEAVES))


def _id(v: dict[str, Any]) -> str:
    return "-".join(f"{k}{v[k]}" for k in v if k not in ("path", "proof"))


def test_vector_counts() -> None:
    assert len(VECTORS["inclusion"]) == 36
    assert len(VECTORS["consistency"]) == 36


@pytest.mark.parametrize("v", VECTORS["inclusion"], ids=_id)
def test_inclusion_vectors(v: dict[str, Any]) -> None:
    assert [h.hex() for h in inclusion_proof(v["index"], v["size"], KAT_GET)] == v["path"]


@pytest.mark.parametrize("v", VECTORS["consistency"], ids=_id)
def test_consistency_vectors(v: dict[str, Any]) -> None:
    assert [h.hex() for h in consistency_proof(v["size1"], v["size2"], KAT_GET)] == v["proof"]


@pytest.mark.parametrize("size", range(9))
def test_tree_root_kats(size: int) -> None:
    assert tree_root(size, KAT_GET) == KAT_ROOTS[size]


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 1), (8, 8), (-1, 5), (9, 8)], ids=str)
def test_inclusion_bad_arguments(index: int, size: int) -> None:
    with pytest.raises(ProofError) as exc:
        inclusion_proof(index, size, KAT_GET)
    assert exc.value.details["reason"] == "index_out_of_range"
    assert exc.value.code == "proof_invalid"


@pytest.mark.parametrize(("size1", "size2"), [(0, 0), (0, 5), (5, 4), (-1, 3)], ids=str)
def test_consistency_bad_arguments(size1: int, size2: int) -> None:
    with pytest.raises(ProofError) as exc:
        consistency_proof(size1, size2, KAT_GET)
    assert exc.value.details["reason"] == "bad_sizes"


def test_equal_sizes_need_no_lookups() -> None:
    def no_lookup(level: int, index: int) -> bytes:
        raise AssertionError("lookup for an empty proof")

    assert consistency_proof(123, 123, no_lookup) == []


@pytest.mark.parametrize(
    ("begin", "end"), [(0, 8), (4, 7), (6, 8), (0, 5), (2, 3), (4, 6), (7, 8), (5, 6)]
)
def test_range_root_matches_mth(begin: int, end: int) -> None:
    assert range_root(begin, end, KAT_GET) == ref_mth(KAT_LEAVES[begin:end])


def test_range_root_empty_and_errors() -> None:
    assert range_root(3, 3, KAT_GET) == EMPTY_ROOT
    with pytest.raises(ProofError, match="boundary"):
        range_root(1, 4, KAT_GET)  # [1,4) is not a subtree the RFC recursion visits
    with pytest.raises(ProofError):
        range_root(5, 4, KAT_GET)


@pytest.mark.parametrize("size", [1, 2, 7, 255, 256, 257, 999, 1000])
def test_only_nodes_complete_at_size_are_looked_up(size: int) -> None:
    # Storage at tree size `size` has no node reaching past it; asking for one is a bug.
    nodes = log_nodes(1000)

    def get(level: int, index: int) -> bytes:
        assert (index + 1) << level <= size, (level, index)
        return nodes[(level, index)]

    tree_root(size, get)
    for index in {0, size // 2, size - 1}:
        inclusion_proof(index, size, get)
    for size1 in {1, max(1, size // 3), size - 1 or 1, size}:
        consistency_proof(size1, size, get)


@st.composite
def size_and_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, 600))
    return size, draw(st.integers(0, size - 1))


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    size2 = draw(st.integers(1, 600))
    return draw(st.integers(1, size2)), size2


@RELAXED
@given(size_and_index())
def test_inclusion_equals_rfc_path(case: tuple[int, int]) -> None:
    size, index = case
    assert inclusion_proof(index, size, getter(log_nodes(600))) == ref_path(index, leaves(size))


@RELAXED
@given(two_sizes())
def test_consistency_equals_rfc_proof(case: tuple[int, int]) -> None:
    size1, size2 = case
    got = consistency_proof(size1, size2, getter(log_nodes(600)))
    assert got == ref_proof(size1, leaves(size2))


@RELAXED
@given(st.integers(0, 600))
def test_tree_root_equals_mth(size: int) -> None:
    want = log_root(size) if size else EMPTY_ROOT
    assert tree_root(size, getter(log_nodes(600))) == want
