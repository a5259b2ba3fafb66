"""Verifiers: accept every published vector, reject every tampering, agree with the RFC steps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.trace.merkle import (
    ProofError,
    consistency_proof,
    inclusion_proof,
    node_hash,
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)
from tests.trace.merkle.support import (
    KAT_LEAVES,
    KAT_ROOTS,
    RELAXED,
    VECTORS,
    flip_bit,
    getter,
    leaves,
    log_nodes,
    log_root,
)

H = bytes.fromhex


def rfc_inclusion_root(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], *, skip_4bii: bool = False
) -> bytes | None:
    """RFC 9162 §2.1.3.2 step by step; ``skip_4bii`` reproduces the classic porting bug."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not skip_4bii:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def rfc_consistency_ok(
    size1: int, size2: int, path: Sequence[bytes], root1: bytes, root2: bytes
) -> bool:
    """RFC 9162 §2.1.4.2 step by step (sizes 0 < size1 < size2)."""
    if not path:
        return False
    path = list(path)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0


def _accepts_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    try:
        verify_inclusion(leaf, index, size, proof, root)
    except ProofError:
        return False
    return True


def _accepts_consistency(s1: int, s2: int, proof: Sequence[bytes], r1: bytes, r2: bytes) -> bool:
    try:
        verify_consistency(s1, s2, proof, r1, r2)
    except ProofError:
        return False
    return True


def _sides(index: int, size: int) -> list[int]:
    """Which side each proof hash goes on (1 = left sibling): all the verifier looks at."""
    inner = (index ^ (size - 1)).bit_length()
    return [index >> i & 1 for i in range(inner)] + [1] * (index >> inner).bit_count()


@pytest.mark.parametrize("v", VECTORS["inclusion"], ids=lambda v: f"{v['index']}-{v['size']}")
def test_inclusion_vectors_verify(v: dict[str, Any]) -> None:
    path = [H(h) for h in v["path"]]
    verify_inclusion(KAT_LEAVES[v["index"]], v["index"], v["size"], path, KAT_ROOTS[v["size"]])
    root = rfc_inclusion_root(KAT_LEAVES[v["index"]], v["index"], v["size"], path)
    assert root == KAT_ROOTS[v["size"]]


@pytest.mark.parametrize("v", VECTORS["consistency"], ids=lambda v: f"{v['size1']}-{v['size2']}")
def test_consistency_vectors_verify(v: dict[str, Any]) -> None:
    proof = [H(h) for h in v["proof"]]
    verify_consistency(v["size1"], v["size2"], proof, KAT_ROOTS[v["size1"]], KAT_ROOTS[v["size2"]])


@pytest.mark.parametrize(("index", "size"), [(2, 3), (4, 5), (4, 6), (5, 6), (6, 7)])
def test_step_4bii_regression(index: int, size: int) -> None:
    path = inclusion_proof(index, size, getter(log_nodes(8)))
    root = log_root(size)
    verify_inclusion(leaves(8)[index], index, size, path, root)
    # The cases are meaningful: a verifier without step 4.b.ii rejects them.
    assert rfc_inclusion_root(leaves(8)[index], index, size, path, skip_4bii=True) != root


ROOT8 = KAT_ROOTS[8]
PATHS = {(v["index"], v["size"]): [H(h) for h in v["path"]] for v in VECTORS["inclusion"]}
PATH_5_8 = PATHS[(5, 8)]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ((KAT_LEAVES[5], 8, 8, PATH_5_8, ROOT8), "index_out_of_range"),
        ((KAT_LEAVES[5], 5, 0, PATH_5_8, ROOT8), "index_out_of_range"),
        ((KAT_LEAVES[5][:31], 5, 8, PATH_5_8, ROOT8), "hash_size"),
        ((KAT_LEAVES[5], 5, 8, [*PATH_5_8[:2], PATH_5_8[2] + b"\0"], ROOT8), "hash_size"),
        ((KAT_LEAVES[5], 5, 8, PATH_5_8, ROOT8 + b"\0"), "hash_size"),
        ((KAT_LEAVES[5], 5, 8, PATH_5_8[:2], ROOT8), "wrong_length"),
        ((KAT_LEAVES[5], 5, 8, [*PATH_5_8, ROOT8], ROOT8), "wrong_length"),
        ((KAT_LEAVES[4], 5, 8, PATH_5_8, ROOT8), "root_mismatch"),
    ],
)
def test_inclusion_rejections(args: tuple[Any, ...], reason: str) -> None:
    with pytest.raises(ProofError) as exc:
        verify_inclusion(*args)
    assert exc.value.details["reason"] == reason


R = KAT_ROOTS


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ((0, 0, [], R[0], R[0]), "bad_sizes"),
        ((0, 3, [], R[0], R[3]), "bad_sizes"),
        ((4, 3, [], R[4], R[3]), "bad_sizes"),
        ((3, 3, [R[3]], R[3], R[3]), "wrong_length"),
        ((3, 3, [], R[3], R[4]), "root_mismatch"),
        ((3, 5, [], R[3], R[5]), "wrong_length"),
        ((3, 5, [R[1]], R[3], R[5]), "wrong_length"),
        ((4, 8, [R[1]], R[4][:16], R[8]), "hash_size"),
    ],
)
def test_consistency_rejections(args: tuple[Any, ...], reason: str) -> None:
    with pytest.raises(ProofError) as exc:
        verify_consistency(*args)
    assert exc.value.details["reason"] == reason


def test_equal_sizes_accept_same_root() -> None:
    verify_consistency(5, 5, [], R[5], R[5])


@st.composite
def inclusion_case(draw: st.DrawFn) -> tuple[int, int, list[bytes], bytes]:
    size = draw(st.integers(1, 600))
    index = draw(st.integers(0, size - 1))
    proof = inclusion_proof(index, size, getter(log_nodes(600)))
    return index, size, proof, log_root(size)


@RELAXED
@given(inclusion_case(), st.data())
def test_inclusion_valid_and_any_bit_flip_fails(case: Any, data: st.DataObject) -> None:
    index, size, proof, root = case
    leaf = leaves(size)[index]
    verify_inclusion(leaf, index, size, proof, root)
    assert rfc_inclusion_root(leaf, index, size, proof) == root
    assert root_from_inclusion(leaf, index, size, proof) == root
    target = data.draw(st.integers(-2, len(proof) - 1), label="target")  # -2 leaf, -1 root
    bit = data.draw(st.integers(0, 255), label="bit")
    if target == -2:
        assert not _accepts_inclusion(flip_bit(leaf, bit), index, size, proof, root)
    elif target == -1:
        assert not _accepts_inclusion(leaf, index, size, proof, flip_bit(root, bit))
    else:
        bad = list(proof)
        bad[target] = flip_bit(bad[target], bit)
        assert not _accepts_inclusion(leaf, index, size, bad, root)
        assert rfc_inclusion_root(leaf, index, size, bad) != root


@RELAXED
@given(inclusion_case(), st.integers(0, 700), st.integers(1, 700))
def test_inclusion_wrong_index_or_size(case: Any, index2: int, size2: int) -> None:
    index, size, proof, root = case
    leaf = leaves(size)[index]
    # Same root: a proof only fits another (index, size) whose hashing shape is identical
    # (e.g. index 0 in sizes 3 and 4); the checkpoint's size is what pins the size down.
    same_shape = index2 < size2 and _sides(index2, size2) == _sides(index, size)
    assert _accepts_inclusion(leaf, index2, size2, proof, root) == same_shape
    # Claimed against the honest root of the other size, it passes only if it IS that proof.
    if index2 < size2 <= 600:
        other = inclusion_proof(index2, size2, getter(log_nodes(600)))
        accepted = _accepts_inclusion(leaves(600)[index2], index2, size2, proof, log_root(size2))
        assert accepted == (other == proof)


@st.composite
def consistency_case(draw: st.DrawFn) -> tuple[int, int, list[bytes]]:
    size2 = draw(st.integers(2, 600))
    size1 = draw(st.integers(1, size2 - 1))
    return size1, size2, consistency_proof(size1, size2, getter(log_nodes(600)))


@RELAXED
@given(consistency_case(), st.data())
def test_consistency_valid_and_any_bit_flip_fails(case: Any, data: st.DataObject) -> None:
    size1, size2, proof = case
    r1, r2 = log_root(size1), log_root(size2)
    verify_consistency(size1, size2, proof, r1, r2)
    assert rfc_consistency_ok(size1, size2, proof, r1, r2)
    target = data.draw(st.integers(-2, len(proof) - 1), label="target")  # -2 root1, -1 root2
    bit = data.draw(st.integers(0, 255), label="bit")
    if target == -2:
        assert not _accepts_consistency(size1, size2, proof, flip_bit(r1, bit), r2)
    elif target == -1:
        assert not _accepts_consistency(size1, size2, proof, r1, flip_bit(r2, bit))
    else:
        bad = list(proof)
        bad[target] = flip_bit(bad[target], bit)
        assert not _accepts_consistency(size1, size2, bad, r1, r2)
        assert not rfc_consistency_ok(size1, size2, bad, r1, r2)
    assert not _accepts_consistency(size1, size2, proof[:-1], r1, r2)
    assert not _accepts_consistency(size1, size2, [*proof, r1], r1, r2)


@RELAXED
@given(consistency_case(), st.integers(1, 600), st.integers(1, 600))
def test_consistency_other_sizes_accept_only_their_own_proof(case: Any, s1: int, s2: int) -> None:
    proof = case[2]
    if s1 > s2:
        s1, s2 = s2, s1
    r1, r2 = log_root(s1), log_root(s2)
    own = consistency_proof(s1, s2, getter(log_nodes(600)))
    assert _accepts_consistency(s1, s2, proof, r1, r2) == (own == proof)
    if s1 < s2:
        assert rfc_consistency_ok(s1, s2, proof, r1, r2) == (own == proof)
