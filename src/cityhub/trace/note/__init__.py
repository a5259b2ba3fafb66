"""C2SP signed notes, checkpoints, cosignatures, tlog-proof bundles and tlog-policy.

Pure functions over text and Ed25519 keys: no database, no web. The log core signs
checkpoints with a :class:`NoteSigner`, witnesses cosign with a 0x04 signer, and
verifiers (``cityhub trace verify``, the evidence document) use :func:`verify_checkpoint`
with a :class:`Policy`.
"""

from cityhub.trace.note.checkpoint import (
    Checkpoint,
    cosignature_timestamp,
    parse_checkpoint,
    sign_checkpoint,
)
from cityhub.trace.note.errors import NoteError
from cityhub.trace.note.keys import (
    COSIGNATURE_V1,
    ED25519,
    NoteSigner,
    NoteVerifier,
    generate_signer,
    key_id,
    signer_from_skey,
    validate_key_name,
    verifier_from_vkey,
)
from cityhub.trace.note.policy import Policy, parse_policy
from cityhub.trace.note.proof import ProofBundle, format_proof_bundle, parse_proof_bundle
from cityhub.trace.note.signed import (
    Note,
    NoteSignature,
    add_signatures,
    open_note,
    parse_note,
    sign_note,
)
from cityhub.trace.note.verify import verify_checkpoint

__all__ = [
    "COSIGNATURE_V1",
    "ED25519",
    "Checkpoint",
    "Note",
    "NoteError",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "Policy",
    "ProofBundle",
    "add_signatures",
    "cosignature_timestamp",
    "format_proof_bundle",
    "generate_signer",
    "key_id",
    "open_note",
    "parse_checkpoint",
    "parse_note",
    "parse_policy",
    "parse_proof_bundle",
    "sign_checkpoint",
    "sign_note",
    "signer_from_skey",
    "validate_key_name",
    "verifier_from_vkey",
    "verify_checkpoint",
]
