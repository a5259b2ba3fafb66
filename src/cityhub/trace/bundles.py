"""Checking a leaf against a C2SP tlog-proof bundle and a trust policy, in one call."""

from __future__ import annotations

from dataclasses import dataclass

from cityhub.trace.merkle import leaf_hash, verify_inclusion
from cityhub.trace.note import Checkpoint, Policy, parse_proof_bundle, verify_checkpoint


@dataclass(frozen=True)
class Included:
    """What a verified bundle shows: leaf ``index`` is in ``checkpoint``, cosigned by
    ``witnesses`` (names from the policy)."""

    index: int
    checkpoint: Checkpoint
    note: str
    witnesses: tuple[str, ...]


def verify_bundle(leaf: bytes, bundle: str, policy: Policy) -> Included:
    """Verify the bundle's checkpoint (log signature, witness quorum) and the leaf's inclusion.

    Raises ``NoteError`` for a bad bundle or checkpoint, ``ProofError`` when the leaf is not at
    the bundle's index under the checkpoint's root (both ``InvalidInput``).
    """
    parsed = parse_proof_bundle(bundle)
    checkpoint, witnesses = verify_checkpoint(parsed.checkpoint, policy)
    verify_inclusion(leaf_hash(leaf), parsed.index, checkpoint.size, parsed.path, checkpoint.root)
    return Included(parsed.index, checkpoint, parsed.checkpoint, tuple(witnesses))
