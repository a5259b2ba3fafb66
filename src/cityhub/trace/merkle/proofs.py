"""RFC 9162 proofs built from stored complete-subtree hashes.

The tree is addressed by (level, index) nodes: node (l, i) is the root of the *complete*
subtree over leaves [i·2^l, (i+1)·2^l). Storage (a dict, tiles, a database) only ever
holds complete nodes; the ragged right edge of a tree that is not a power of two is
folded on the fly from the complete nodes it decomposes into (``range_root``).

Proof shapes follow transparency-dev/merkle ``proof/proof.go``: an inclusion path is the
siblings up to the level where the leaf's path and the tree's last leaf's path fork
("inner"), then the left siblings above it ("border"). A consistency proof is the
inclusion path of the largest complete node ending at ``size1``, preceded by that node
unless ``size1`` is a power of two (the verifier already holds it as ``root1``).
"""

from __future__ import annotations

from collections.abc import Callable

from cityhub.trace.merkle.errors import ProofError
from cityhub.trace.merkle.hashing import EMPTY_ROOT, node_hash

NodeGetter = Callable[[int, int], bytes]
"""``(level, index) -> hash`` of the complete subtree over [index·2^level, (index+1)·2^level)."""


def range_root(begin: int, end: int, node: NodeGetter) -> bytes:
    """MTH(D[begin:end]) from complete nodes.

    ``end - begin`` is split into its binary digits, largest first; each digit is one
    complete node, and they are folded right to left, which is exactly the RFC recursion
    (left part = largest power of two below the size). ``begin`` must be a multiple of the
    largest digit, as it always is for the subtrees the RFC recursion visits.
    """
    n = end - begin
    if n < 0 or begin < 0:
        raise ProofError(
            f"range [{begin}, {end}) is empty or negative",
            details={"reason": "bad_range", "begin": begin, "end": end},
        )
    if n == 0:
        return EMPTY_ROOT
    top = n.bit_length() - 1
    if begin & ((1 << top) - 1):
        raise ProofError(
            f"range [{begin}, {end}) does not start on a {1 << top}-leaf boundary",
            details={"reason": "misaligned_range", "begin": begin, "end": end},
        )
    hashes: list[bytes] = []
    pos = begin
    for level in range(top, -1, -1):
        if n >> level & 1:
            hashes.append(node(level, pos >> level))
            pos += 1 << level
    root = hashes[-1]
    for h in reversed(hashes[:-1]):
        root = node_hash(h, root)
    return root


def tree_root(size: int, node: NodeGetter) -> bytes:
    """MTH of the first ``size`` leaves (EMPTY_ROOT for 0)."""
    return range_root(0, size, node)


def _path(level: int, index: int, size: int, node: NodeGetter) -> list[bytes]:
    """Audit path of complete node (level, index) in a tree of ``size`` leaves, bottom-up."""
    inner = (index ^ ((size - 1) >> level)).bit_length()
    out: list[bytes] = []
    for j in range(inner):
        lvl = level + j
        sibling = (index >> j) ^ 1
        if (sibling + 1) << lvl <= size:
            out.append(node(lvl, sibling))
        else:
            # Only the highest inner sibling can hang over the right edge; fold it.
            out.append(range_root(sibling << lvl, size, node))
    # Above the fork the path only has left siblings: one per set bit of the index.
    hi = index >> inner
    lvl = level + inner
    while hi:
        if hi & 1:
            out.append(node(lvl, hi ^ 1))
        hi >>= 1
        lvl += 1
    return out


def inclusion_proof(index: int, size: int, node: NodeGetter) -> list[bytes]:
    """RFC 9162 PATH(index, D[size]): leaf-sibling first, root-child last."""
    if not 0 <= index < size:
        raise ProofError(
            f"leaf index {index} is not in a tree of size {size}",
            details={"reason": "index_out_of_range", "index": index, "size": size},
        )
    return _path(0, index, size, node)


def consistency_proof(size1: int, size2: int, node: NodeGetter) -> list[bytes]:
    """RFC 9162 PROOF(size1, D[size2]); [] when the sizes are equal.

    ``size1`` = 0 is refused: a proof from the empty tree proves nothing, and verifiers
    (transparency-dev, ours) reject it; the witness protocol sends no proof for old = 0.
    """
    if not 0 < size1 <= size2:
        raise ProofError(
            f"no consistency proof from size {size1} to size {size2}",
            details={"reason": "bad_sizes", "size1": size1, "size2": size2},
        )
    if size1 == size2:
        return []
    level = (size1 & -size1).bit_length() - 1
    index = (size1 - 1) >> level
    proof = _path(level, index, size2, node)
    if index != 0:  # size1 is not a power of two: the verifier needs the seed node
        proof.insert(0, node(level, index))
    return proof
