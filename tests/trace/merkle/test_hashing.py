"""RFC 6962 hasher known answers (reference §1.4 A) and the 8-leaf tree roots (§1.4 B)."""

from __future__ import annotations

import pytest

from cityhub.trace.merkle import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash, root_of
from cityhub.trace.merkle.hashing import largest_pow2_below
from tests.trace.merkle.support import KAT_LEAVES, KAT_ROOTS, VECTORS, ref_mth


def test_empty_root() -> None:
    assert HASH_SIZE == 32
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_of([]) == EMPTY_ROOT


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        (b"L123456", "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"),
        (
            bytes.fromhex("101112131415161718191a1b1c1d1e1f"),
            "3bfb960453ebaebf33727da7a1f4db38acc051d381b6da20d6d4e88f0eabfd7a",
        ),
        # Go sumdb/tlog note_test.go FormatTree vector: TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=
        (b"hello world", "4eccf34608d31bac5c7becf6006df59005d828181056d092084e341e6bb005bd"),
    ],
)
def test_leaf_hash(data: bytes, expected: str) -> None:
    assert leaf_hash(data).hex() == expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (b"N123", b"N456", "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"),
        (
            bytes(range(0x20)),
            bytes(range(0x20, 0x40)),
            "1a378704c17da31e2d05b6d121c2bb2c7d76f6ee6fa8f983e596c2d034963c57",
        ),
    ],
)
def test_node_hash(left: bytes, right: bytes, expected: str) -> None:
    assert node_hash(left, right).hex() == expected


def test_leaf_and_node_are_domain_separated() -> None:
    a, b = b"\x11" * 32, b"\x22" * 32
    assert leaf_hash(b"\x01" + a + b) != node_hash(a, b)


def test_8_leaf_hashes() -> None:
    assert [h.hex() for h in KAT_LEAVES] == VECTORS["leaf_hashes"]


@pytest.mark.parametrize("size", range(9))
def test_8_leaf_roots(size: int) -> None:
    assert root_of(KAT_LEAVES[:size]) == KAT_ROOTS[size]


@pytest.mark.parametrize(
    ("n", "k"), [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (2**40 + 1, 2**40)]
)
def test_largest_pow2_below(n: int, k: int) -> None:
    assert largest_pow2_below(n) == k


def test_root_of_matches_reference_for_odd_sizes() -> None:
    hashes = [leaf_hash(b"%d" % i) for i in range(37)]
    for n in range(1, 38):
        assert root_of(hashes[:n]) == ref_mth(hashes[:n])
