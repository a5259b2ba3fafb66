"""Compact range: the right edge of a growing tree in O(log n) hashes.

``hashes`` are the roots of the perfect subtrees that tile [0, size), largest first: one
per set bit of ``size``. Appending a leaf merges equal-sized neighbours like a binary
counter increment, so each append costs one SHA-256 per trailing 1-bit of the old size
(amortised < 2), with no recursion.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from cityhub.trace.merkle.errors import ProofError
from cityhub.trace.merkle.hashing import EMPTY_ROOT, HASH_SIZE, node_hash
from cityhub.trace.merkle.proofs import NodeGetter

NodeCallback = Callable[[int, int, bytes], None]
"""``on_node(level, index, hash)``: told about each complete node as it comes into being."""

_sha256 = hashlib.sha256


class CompactRange:
    """The perfect-subtree roots of [0, size); enough to append and to compute the root."""

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if size < 0:
            raise ProofError("negative tree size", details={"reason": "bad_sizes", "size": size})
        if len(hashes) != size.bit_count():
            raise ProofError(
                f"a tree of size {size} has {size.bit_count()} edge hashes, got {len(hashes)}",
                details={"reason": "wrong_length", "field": "hashes"},
            )
        for i, h in enumerate(hashes):
            if len(h) != HASH_SIZE:
                raise ProofError(f"hashes[{i}] is {len(h)} bytes", details={"reason": "hash_size"})
        self.size: int = size
        self.hashes: list[bytes] = list(hashes)

    @classmethod
    def from_nodes(cls, size: int, node: NodeGetter) -> CompactRange:
        """The compact range of a stored tree, e.g. to resume appending after a restart."""
        hashes: list[bytes] = []
        pos = 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                hashes.append(node(level, pos >> level))
                pos += 1 << level
        return cls(size, hashes)

    def append(self, leaf_hash: bytes, on_node: NodeCallback | None = None) -> None:
        """Add one leaf (its hash) at index ``size``.

        ``on_node`` sees the leaf as (0, size, leaf_hash) and then every interior node the
        append completes, bottom-up; a tile writer stores exactly these.
        """
        if len(leaf_hash) != HASH_SIZE:
            raise ProofError("leaf hash must be 32 bytes", details={"reason": "hash_size"})
        index = self.size
        h = leaf_hash
        if on_node is not None:
            on_node(0, index, h)
        hashes = self.hashes
        level = 0
        while index & 1:
            h = _sha256(b"\x01" + hashes.pop() + h).digest()
            index >>= 1
            level += 1
            if on_node is not None:
                on_node(level, index, h)
        hashes.append(h)
        self.size += 1

    def root(self) -> bytes:
        """MTH of [0, size): the edge hashes folded right to left."""
        hashes = self.hashes
        if not hashes:
            return EMPTY_ROOT
        root = hashes[-1]
        for h in reversed(hashes[:-1]):
            root = node_hash(h, root)
        return root

    def __repr__(self) -> str:
        return f"CompactRange(size={self.size}, root={self.root().hex()[:16]}…)"
