"""Verifying a signed checkpoint against a tlog-policy: log signature, then witness quorum."""

from __future__ import annotations

from cityhub.trace.note._text import require
from cityhub.trace.note.checkpoint import Checkpoint, parse_checkpoint
from cityhub.trace.note.errors import NoteError
from cityhub.trace.note.policy import Policy
from cityhub.trace.note.signed import parse_note


def verify_checkpoint(note: str, policy: Policy) -> tuple[Checkpoint, list[str]]:
    """The checkpoint and the names of the witnesses whose cosignatures verified.

    The log's signature must verify and its key name must be the origin. Signatures
    from keys the policy does not know are ignored; a known witness key with a bad
    cosignature rejects the note, as signed-note asks (it means the note was tampered
    with). Raises NoteError when the cosignatures do not meet the quorum.
    """
    parsed = parse_note(note)
    body = parsed.text.encode("utf-8")
    log = policy.log
    witness_of = {(v.name, v.key_id): name for name, (v, _url) in policy.witnesses.items()}
    log_signed = False
    cosigned: set[str] = set()
    first = parsed.text.count("\n") + 2
    for number, sig in enumerate(parsed.signatures, start=first):
        ident = (sig.name, sig.key_id)
        if ident == (log.name, log.key_id):
            if not log.verify(body, sig.signature):
                raise NoteError(
                    "checkpoint signature invalid", details={"key": sig.key(), "line": number}
                )
            log_signed = True
        elif ident in witness_of:
            name = witness_of[ident]
            if not policy.witnesses[name][0].verify(body, sig.signature):
                raise NoteError(
                    f"invalid cosignature from witness {name}",
                    details={"witness": name, "key": sig.key(), "line": number},
                )
            cosigned.add(name)
    key = f"{log.name}+{log.key_id.hex()}"
    require(log_signed, "checkpoint signature invalid", key=key, reason="no signature by the log")
    checkpoint = parse_checkpoint(parsed.text)
    require(
        checkpoint.origin == log.name,
        f"checkpoint origin {checkpoint.origin!r} is not the log's name {log.name!r}",
        line=1,
    )
    names = [name for name in policy.witnesses if name in cosigned]
    if policy.quorum is not None and not policy.satisfied(names):
        have, need = policy.count(policy.quorum, names)
        members = policy.groups[policy.quorum][1] if policy.quorum in policy.groups else ()
        listed = ", ".join(members or (policy.quorum,))
        raise NoteError(
            f"witness quorum not met: {have} of {need} needed ({listed})",
            details={"quorum": policy.quorum, "cosigned": names},
        )
    return checkpoint, names
