"""verify_checkpoint: the log signature, then cosignatures against a 2-of-3 witness quorum."""

from __future__ import annotations

import pytest

from cityhub.trace.note import (
    Checkpoint,
    NoteError,
    NoteSignature,
    NoteSigner,
    Policy,
    add_signatures,
    parse_note,
    parse_policy,
    sign_checkpoint,
    sign_note,
    verify_checkpoint,
)
from tests.trace.note.conftest import LOG_NAME, make_signer

CP = Checkpoint(LOG_NAME, 42, bytes(range(32)))
T = 1_750_000_000


def _policy(log: NoteSigner, cosigners: list[NoteSigner], quorum: str = "g") -> Policy:
    lines = [f"log {log.verifier().vkey()}"]
    lines += [f"witness w{i} {c.verifier().vkey()}" for i, c in enumerate(cosigners, start=1)]
    lines += ["group g 2 w1 w2 w3", f"quorum {quorum}"]
    return parse_policy("\n".join(lines))


def _cosign(note: str, cosigner: NoteSigner, timestamp: int = T) -> str:
    body = parse_note(note).text.encode()
    sig = NoteSignature(cosigner.name, cosigner.key_id, cosigner.sign(body, timestamp=timestamp))
    return add_signatures(note, [sig.line()])


def _note(log: NoteSigner, cosigners: list[NoteSigner], cp: Checkpoint = CP) -> str:
    note = sign_checkpoint(cp, log)
    for cosigner in cosigners:
        note = _cosign(note, cosigner)
    return note


@pytest.mark.parametrize(("count", "names"), [(2, ["w1", "w2"]), (3, ["w1", "w2", "w3"])])
def test_quorum_met(
    log_signer: NoteSigner, cosigners: list[NoteSigner], count: int, names: list[str]
) -> None:
    checkpoint, cosigned = verify_checkpoint(
        _note(log_signer, cosigners[:count]), _policy(log_signer, cosigners)
    )
    assert checkpoint == CP and cosigned == names


def test_witness_names_come_in_policy_order(
    log_signer: NoteSigner, cosigners: list[NoteSigner]
) -> None:
    note = _note(log_signer, [cosigners[2], cosigners[0]])
    assert verify_checkpoint(note, _policy(log_signer, cosigners))[1] == ["w1", "w3"]


@pytest.mark.parametrize(("count", "have"), [(0, 0), (1, 1)])
def test_quorum_not_met(
    log_signer: NoteSigner, cosigners: list[NoteSigner], count: int, have: int
) -> None:
    with pytest.raises(NoteError) as caught:
        verify_checkpoint(_note(log_signer, cosigners[:count]), _policy(log_signer, cosigners))
    assert caught.value.message == f"witness quorum not met: {have} of 2 needed (w1, w2, w3)"
    assert caught.value.details == {"quorum": "g", "cosigned": ["w1"][:count]}


def test_a_single_witness_quorum_names_it(
    log_signer: NoteSigner, cosigners: list[NoteSigner]
) -> None:
    with pytest.raises(NoteError, match=r"witness quorum not met: 0 of 1 needed \(w3\)"):
        verify_checkpoint(_note(log_signer, cosigners[:2]), _policy(log_signer, cosigners, "w3"))


def test_quorum_none_accepts_the_log_signature_alone(
    log_signer: NoteSigner, cosigners: list[NoteSigner]
) -> None:
    policy = _policy(log_signer, cosigners, "none")
    assert verify_checkpoint(_note(log_signer, []), policy) == (CP, [])
    assert verify_checkpoint(_note(log_signer, cosigners[1:2]), policy) == (CP, ["w2"])


def test_a_forged_cosignature_rejects_the_note(
    log_signer: NoteSigner, cosigners: list[NoteSigner]
) -> None:
    # Someone signs with their own key but w3's name and key id.
    forger = make_signer("forger.example", 99, 0x04)
    body = parse_note(sign_checkpoint(CP, log_signer)).text.encode()
    forged = NoteSignature(cosigners[2].name, cosigners[2].key_id, forger.sign(body, timestamp=T))
    note = add_signatures(_note(log_signer, cosigners[:2]), [forged.line()])
    with pytest.raises(NoteError, match="invalid cosignature from witness w3") as caught:
        verify_checkpoint(note, _policy(log_signer, cosigners))
    assert caught.value.details["witness"] == "w3" and caught.value.details["line"] == 8


def test_a_cosignature_of_another_checkpoint_is_refused(
    log_signer: NoteSigner, cosigners: list[NoteSigner]
) -> None:
    old = _note(log_signer, cosigners, Checkpoint(LOG_NAME, 41, bytes(32)))
    replayed = "".join(sig.line() for sig in parse_note(old).signatures[1:])
    note = add_signatures(sign_checkpoint(CP, log_signer), replayed)
    with pytest.raises(NoteError, match="invalid cosignature from witness w1"):
        verify_checkpoint(note, _policy(log_signer, cosigners))


def test_unknown_cosigners_are_ignored(log_signer: NoteSigner, cosigners: list[NoteSigner]) -> None:
    stranger = make_signer("stranger.example", 77, 0x04)
    note = _cosign(_note(log_signer, cosigners[:2]), stranger)
    assert verify_checkpoint(note, _policy(log_signer, cosigners))[1] == ["w1", "w2"]


def test_a_missing_log_signature_is_refused(
    log_signer: NoteSigner, cosigners: list[NoteSigner]
) -> None:
    other_log = make_signer(LOG_NAME, 2)  # same name, different key: an unknown signature
    with pytest.raises(NoteError, match="checkpoint signature invalid"):
        verify_checkpoint(_note(other_log, cosigners), _policy(log_signer, cosigners))


def test_a_bad_log_signature_is_refused(
    log_signer: NoteSigner, cosigners: list[NoteSigner]
) -> None:
    note = _note(log_signer, cosigners)
    log_line = parse_note(note).signatures[0]
    bad = NoteSignature(log_line.name, log_line.key_id, bytes(64)).line()
    with pytest.raises(NoteError, match="checkpoint signature invalid") as caught:
        verify_checkpoint(note.replace(log_line.line(), bad), _policy(log_signer, cosigners))
    assert caught.value.details["line"] == 5


def test_a_tampered_checkpoint_is_refused(
    log_signer: NoteSigner, cosigners: list[NoteSigner]
) -> None:
    note = _note(log_signer, cosigners).replace("\n42\n", "\n43\n", 1)
    with pytest.raises(NoteError, match="checkpoint signature invalid"):
        verify_checkpoint(note, _policy(log_signer, cosigners))


def test_the_origin_must_be_the_log_s_name(cosigners: list[NoteSigner]) -> None:
    log = make_signer("other.example/log", 3)
    note = sign_note(CP.body(), [log])  # CP's origin is LOG_NAME (sign_checkpoint refuses)
    for cosigner in cosigners:
        note = _cosign(note, cosigner)
    with pytest.raises(NoteError, match="is not the log's name"):
        verify_checkpoint(note, _policy(log, cosigners))


def test_a_malformed_note_or_body_is_refused(
    log_signer: NoteSigner, cosigners: list[NoteSigner]
) -> None:
    with pytest.raises(NoteError):
        verify_checkpoint("garbage", _policy(log_signer, cosigners))
    # Validly signed text that is not a checkpoint: refused after the signature check.
    with pytest.raises(NoteError, match="checkpoint"):
        verify_checkpoint(
            sign_note(f"{LOG_NAME}\n042\nAA==\n", [log_signer]), _policy(log_signer, cosigners)
        )
