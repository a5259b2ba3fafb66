"""The Witness itself: the compare-and-swap under concurrency, persistence, configuration."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from cityhub.errors import ConfigurationError
from cityhub.trace.note import NoteSigner, generate_signer, open_note
from cityhub.trace.witness import (
    MalformedRequest,
    OldSizeMismatch,
    UnknownLog,
    UntrustedCheckpoint,
    Witness,
)
from tests.trace.witness.conftest import ToyLog, advance


class SlowSigner:
    """Wraps the witness key and sleeps while signing: the window between check and write."""

    def __init__(self, inner: NoteSigner, delay: float) -> None:
        self.inner, self.delay = inner, delay
        self.name, self.key_id, self.kind = inner.name, inner.key_id, inner.kind

    def verifier(self):
        return self.inner.verifier()

    def sign(self, message: bytes) -> bytes:
        time.sleep(self.delay)
        return self.inner.sign(message)


def test_same_old_size_race_has_one_winner(witness: Witness, log: ToyLog) -> None:
    """The spec's rollback race: requests from old size 4 to 5..10 at once; one may win."""
    advance(witness, log, 4)
    witness.signer = SlowSigner(witness.signer, 0.05)  # type: ignore[assignment]
    sizes = list(range(5, 11))
    barrier = threading.Barrier(len(sizes))
    results: dict[int, object] = {}

    def submit(size: int) -> None:
        barrier.wait()
        try:
            results[size] = witness.add_checkpoint(4, log.proof(4, size), log.checkpoint(size))
        except Exception as exc:
            results[size] = exc

    threads = [threading.Thread(target=submit, args=(size,)) for size in sizes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winners = [size for size, result in results.items() if isinstance(result, str)]
    assert len(winners) == 1, results
    losers = [r for s, r in results.items() if s != winners[0]]
    assert all(isinstance(r, OldSizeMismatch) and r.size == winners[0] for r in losers), results
    [latest] = witness.latest()
    assert (latest.size, latest.root) == (winners[0], log.root(winners[0]))


def test_race_between_growing_and_shrinking_requests(witness: Witness, log: ToyLog) -> None:
    """B (4→12) and A (4→6) race: whatever the order, the stored size never goes back."""
    advance(witness, log, 4)
    witness.signer = SlowSigner(witness.signer, 0.05)  # type: ignore[assignment]
    barrier = threading.Barrier(2)
    outcome: list[int] = []

    def submit(size: int) -> None:
        barrier.wait()
        try:
            witness.add_checkpoint(4, log.proof(4, size), log.checkpoint(size))
            outcome.append(size)
        except OldSizeMismatch:
            pass

    threads = [threading.Thread(target=submit, args=(s,)) for s in (12, 6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcome) == 1
    assert witness.latest()[0].size == outcome[0]


def test_state_survives_a_new_witness(
    witness: Witness, witness_signer: NoteSigner, state_dir: Path, log: ToyLog
) -> None:
    advance(witness, log, 3, 11)
    note = witness.latest()[0].note
    witness.close()
    again = Witness(witness_signer, state_dir)  # logs omitted: the stored ones
    try:
        assert again.origins() == [log.origin]
        with pytest.raises(OldSizeMismatch) as caught:
            again.add_checkpoint(0, [], log.checkpoint(12))
        assert caught.value.size == 11
        assert again.latest()[0].note == note
        again.add_checkpoint(11, log.proof(11, 12), log.checkpoint(12))
        assert again.latest()[0].size == 12
    finally:
        again.close()


def test_configured_logs_replace_the_stored_ones(
    witness: Witness, witness_signer: NoteSigner, state_dir: Path, log: ToyLog
) -> None:
    advance(witness, log, 3)
    witness.close()
    other = ToyLog(generate_signer("other.example/log"))
    again = Witness(witness_signer, state_dir, [other.vkey()])
    try:
        assert again.origins() == [other.origin]
        with pytest.raises(UnknownLog):
            again.add_checkpoint(3, log.proof(3, 4), log.checkpoint(4))
        again.add_checkpoint(0, [], other.checkpoint(2))
    finally:
        again.close()


def test_rotated_log_key_both_trusted(
    witness_signer: NoteSigner, state_dir: Path, log: ToyLog
) -> None:
    """Two keys for one origin (a rotation): either signature is enough, both are kept."""
    new_key = ToyLog(generate_signer(log.origin), log.leaves)
    w = Witness(witness_signer, state_dir, [log.vkey(), new_key.vkey()])
    try:
        w.add_checkpoint(0, [], log.checkpoint(2))
        w.add_checkpoint(2, log.proof(2, 5), new_key.checkpoint(5))
        verifiers = [log.signer.verifier(), new_key.signer.verifier()]
        _, verified = open_note(w.latest()[0].note, [*verifiers, witness_signer.verifier()])
        assert verified == [new_key.signer.verifier(), witness_signer.verifier()]
    finally:
        w.close()


def test_stored_note_keeps_only_trusted_signatures(
    witness: Witness, witness_signer: NoteSigner, log: ToyLog
) -> None:
    # An unknown key's line is ignored (not even verified) and not stored.
    note = log.checkpoint(3) + "— someone.else/key AAAAAAAAAAAAAAAAAAAAAAA=\n"
    witness.add_checkpoint(0, [], note)
    stored = witness.latest()[0].note
    assert "someone.else" not in stored
    assert stored.count("\n— ") == 2  # the log's signature and the cosignature


@pytest.mark.parametrize(
    ("old", "proof", "error"),
    [
        (-1, [], MalformedRequest),
        (0, [b"short"], MalformedRequest),
        (0, [bytes(32)] * 64, MalformedRequest),
    ],
)
def test_direct_calls_check_their_arguments(
    witness: Witness, log: ToyLog, old: int, proof: list[bytes], error: type[Exception]
) -> None:
    with pytest.raises(error):
        witness.add_checkpoint(old, proof, log.checkpoint(4))


def test_note_without_trusted_signature_is_untrusted(witness: Witness, log: ToyLog) -> None:
    with pytest.raises(UntrustedCheckpoint):
        witness.add_checkpoint(0, [], log.checkpoint(4).split("\n\n")[0] + "\n")


def test_witness_key_must_be_a_cosignature_key(state_dir: Path, log: ToyLog) -> None:
    with pytest.raises(ConfigurationError):
        Witness(generate_signer("witness.example/w1"), state_dir, [log.vkey()])


def test_bad_log_vkey_is_a_configuration_error(witness_signer: NoteSigner, state_dir: Path) -> None:
    with pytest.raises(ConfigurationError):
        Witness(witness_signer, state_dir, ["example.com/log+00000000+AAAA"])
