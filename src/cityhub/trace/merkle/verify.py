"""RFC 9162 §2.1.3.2 / §2.1.4.2 verifiers, in the decomposed form of transparency-dev/merkle.

``inner`` = bit length of (index XOR (size-1)) levels where the sibling side follows the
index bits, then ``border`` left siblings (one per set bit above). This is equivalent to the
RFC step list including step 4.b.ii (skipping levels where the node has no right sibling),
which naive ports forget. Policy choices, all matching transparency-dev's probe files:
hashes must be 32 bytes; size1 = 0 is rejected; equal sizes need an empty proof and equal
roots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from cityhub.trace.merkle.errors import ProofError
from cityhub.trace.merkle.hashing import HASH_SIZE

_sha256 = hashlib.sha256


def _fail(message: str, reason: str, **details: object) -> ProofError:
    return ProofError(message, details={"reason": reason, **details})


def _check_hash(value: bytes, field: str) -> None:
    if len(value) != HASH_SIZE:
        raise _fail(f"{field} is {len(value)} bytes, not {HASH_SIZE}", "hash_size", field=field)


def _check_proof(proof: Sequence[bytes]) -> None:
    for i, h in enumerate(proof):
        _check_hash(h, f"proof[{i}]")


def _decompose(index: int, size: int) -> tuple[int, int]:
    inner = (index ^ (size - 1)).bit_length()
    return inner, (index >> inner).bit_count()


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        if index >> i & 1:
            seed = _sha256(b"\x01" + h + seed).digest()
        else:
            seed = _sha256(b"\x01" + seed + h).digest()
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    # Only the left siblings: what the old tree's root is made of.
    for i, h in enumerate(proof):
        if index >> i & 1:
            seed = _sha256(b"\x01" + h + seed).digest()
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = _sha256(b"\x01" + h + seed).digest()
    return seed


def root_from_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` implies for ``leaf_hash`` at ``index`` in a tree of ``size``."""
    if not 0 <= index < size:
        raise _fail(
            f"leaf index {index} is not in a tree of size {size}",
            "index_out_of_range",
            index=index,
            size=size,
        )
    _check_hash(leaf_hash, "leaf_hash")
    _check_proof(proof)
    inner, border = _decompose(index, size)
    if len(proof) != inner + border:
        raise _fail(
            f"inclusion proof has {len(proof)} hashes, expected {inner + border}",
            "wrong_length",
            field="proof",
        )
    root = _chain_inner(leaf_hash, proof[:inner], index)
    return _chain_border_right(root, proof[inner:])


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless ``proof`` shows ``leaf_hash`` at ``index`` under ``root``."""
    _check_hash(root, "root")
    if root_from_inclusion(leaf_hash, index, size, proof) != root:
        raise _fail("inclusion proof does not lead to the root", "root_mismatch", field="root")


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Raise ProofError unless ``proof`` shows tree (size1, root1) is a prefix of (size2, root2)."""
    if size2 < size1:
        raise _fail(f"size2 {size2} < size1 {size1}", "bad_sizes", size1=size1, size2=size2)
    if size1 <= 0:
        raise _fail("consistency from the empty tree is meaningless", "bad_sizes", size1=size1)
    if size1 == size2:
        # Like transparency-dev, no hash-size check here: nothing is hashed, and the
        # probe file "sizes are equal (one) and proof is empty" expects short roots to pass.
        if proof:
            raise _fail("equal sizes need an empty proof", "wrong_length", field="proof")
        if root1 != root2:
            raise _fail("equal sizes but different roots", "root_mismatch", field="root2")
        return
    if not proof:
        raise _fail("empty consistency proof", "wrong_length", field="proof")
    _check_hash(root1, "root1")
    _check_hash(root2, "root2")
    _check_proof(proof)
    inner, border = _decompose(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1
    inner -= shift  # the proof starts at the level of the largest complete node ending at size1
    if size1 == 1 << shift:
        seed, start = root1, 0  # that node is the whole old tree: the verifier holds it
    else:
        seed, start = proof[0], 1
    if len(proof) != start + inner + border:
        raise _fail(
            f"consistency proof has {len(proof)} hashes, expected {start + inner + border}",
            "wrong_length",
            field="proof",
        )
    rest = proof[start:]
    mask = (size1 - 1) >> shift
    hash1 = _chain_border_right(_chain_inner_right(seed, rest[:inner], mask), rest[inner:])
    if hash1 != root1:
        raise _fail("consistency proof does not lead to root1", "root_mismatch", field="root1")
    hash2 = _chain_border_right(_chain_inner(seed, rest[:inner], mask), rest[inner:])
    if hash2 != root2:
        raise _fail("consistency proof does not lead to root2", "root_mismatch", field="root2")
