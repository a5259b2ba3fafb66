"""RFC 6962 / RFC 9162 §2.1.1 hashing: leaf and interior node hashes, and the reference MTH."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

# Bound once: these run millions of times per second in the appender and verifiers.
_sha256 = hashlib.sha256
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the domain-separated hash of one log entry."""
    return _sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): an interior node."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def largest_pow2_below(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n`` ≥ 2): RFC 9162's ``k``."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over already-hashed leaves, by the RFC's recursive definition.

    The reference implementation: O(n) and recursive, for tests and small trees only. The
    log itself uses ``CompactRange`` or ``tree_root`` over stored nodes.
    """
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = largest_pow2_below(n)
    return node_hash(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))
