"""Shared test helpers: independent reference trees and the RFC 9162 recursive definitions.

Nothing here uses the code under test except the two primitive hashes, so comparisons
against it are meaningful.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import settings

from cityhub.trace.merkle import NodeGetter, leaf_hash, node_hash

# Hypothesis tests here check results, not speed; the shared 2-core machine makes the
# default 200 ms deadline flaky (first examples also fill the caches below).
RELAXED = settings(deadline=None)

DATA = Path(__file__).parent / "data"
VECTORS: dict[str, Any] = json.loads((DATA / "rfc9162-8leaf-vectors.json").read_text())
KAT_LEAVES: list[bytes] = [leaf_hash(bytes.fromhex(x)) for x in VECTORS["leaves_hex"]]
KAT_ROOTS: dict[int, bytes] = {
    int(k): bytes.fromhex(v) for k, v in VECTORS["roots_by_size"].items()
}


@cache
def leaves(n: int) -> tuple[bytes, ...]:
    """Leaf hashes of entries ``b"leaf 0"`` … ``b"leaf n-1"`` (a prefix of one infinite log)."""
    return tuple(leaf_hash(b"leaf %d" % i) for i in range(n))


def complete_nodes(hashes: tuple[bytes, ...] | list[bytes]) -> dict[tuple[int, int], bytes]:
    """Every complete node of the tree over ``hashes``, built level by level."""
    nodes: dict[tuple[int, int], bytes] = {}
    level_hashes = list(hashes)
    level = 0
    while level_hashes:
        for i, h in enumerate(level_hashes):
            nodes[(level, i)] = h
        level_hashes = [
            node_hash(level_hashes[i], level_hashes[i + 1])
            for i in range(0, len(level_hashes) - 1, 2)
        ]
        level += 1
    return nodes


@cache
def log_nodes(n: int) -> dict[tuple[int, int], bytes]:
    return complete_nodes(leaves(n))


def getter(nodes: dict[tuple[int, int], bytes]) -> NodeGetter:
    """A NodeGetter over a dict; KeyError shows a lookup of a node that is not complete."""
    return lambda level, index: nodes[(level, index)]


def ref_mth(d: list[bytes] | tuple[bytes, ...]) -> bytes:
    n = len(d)
    if n == 1:
        return d[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return node_hash(ref_mth(d[:k]), ref_mth(d[k:]))


@cache
def log_root(n: int) -> bytes:
    """Reference root of the first ``n`` entries of the ``leaves`` log (n ≥ 1)."""
    return ref_mth(leaves(n))


def ref_path(m: int, d: list[bytes] | tuple[bytes, ...]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(m, D[n]), literally."""
    n = len(d)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes] | tuple[bytes, ...], b: bool) -> list[bytes]:
    """RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b), literally."""
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def ref_proof(m: int, d: list[bytes] | tuple[bytes, ...]) -> list[bytes]:
    return ref_subproof(m, d, True)


def flip_bit(value: bytes, bit: int) -> bytes:
    buf = bytearray(value)
    buf[bit // 8] ^= 1 << (bit % 8)
    return bytes(buf)
