"""The witness of C2SP tlog-witness: verify a log's checkpoint, check consistency, cosign.

A witness trusts a set of log keys (vkeys; the key name is the log's origin) and remembers, per
log, the last checkpoint it cosigned. It cosigns a new checkpoint only if the log signed it and
it extends the remembered tree (a verified consistency proof), so two clients holding
checkpoints it cosigned have seen the same log. A log that signs two different trees of the same
size is caught red-handed: both notes are kept as evidence, logged at CRITICAL and, if
configured, POSTed to an alarm URL.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cityhub.errors import CityhubError, ConfigurationError, NotFound
from cityhub.trace.merkle import EMPTY_ROOT, HASH_SIZE, ProofError, verify_consistency
from cityhub.trace.note import (
    COSIGNATURE_V1,
    Checkpoint,
    Note,
    NoteError,
    NoteSignature,
    NoteSigner,
    NoteVerifier,
    open_note,
    parse_checkpoint,
    verifier_from_vkey,
)
from cityhub.trace.witness import alarm, store
from cityhub.trace.witness.errors import (
    Equivocation,
    InconsistentCheckpoint,
    MalformedRequest,
    OldSizeMismatch,
    UnknownLog,
    UntrustedCheckpoint,
)
from cityhub.trace.witness.request import MAX_PROOF_LINES

log = logging.getLogger(__name__)

COSIGNATURE_KIND = COSIGNATURE_V1  # timestamped Ed25519 cosignature (C2SP tlog-cosignature)


@dataclass
class _Outcome:
    """What the compare-and-swap decided: a cosignature, or an error (and maybe evidence)."""

    lines: str = ""
    error: CityhubError | None = None
    evidence_id: int | None = None


class Witness:
    """A tlog-witness over a state directory.

    ``logs`` are the trusted log vkeys; given, they replace the stored set, omitted (None), the
    stored set stays (e.g. for ``status``)::

        witness = Witness(generate_signer("witness.example/w1", 0x04), Path("state"), [log_vkey])
        lines = witness.add_checkpoint(0, [], signed_checkpoint)   # "— witness.example/w1 …\\n"
    """

    def __init__(
        self,
        signer: NoteSigner,
        state_dir: Path,
        logs: Sequence[str] | None = None,
        *,
        alarm_url: str | None = None,
    ) -> None:
        if signer.verifier().kind != COSIGNATURE_KIND:
            raise ConfigurationError("a witness key must be a cosignature (0x04) key")
        self.signer = signer
        self.state_dir = state_dir
        self.alarm_url = alarm_url
        self._pool = store.ConnectionPool(state_dir)
        with self._pool.connection() as conn:
            if logs is not None:
                verifiers = [_log_verifier(vkey) for vkey in logs]
                store.replace_logs(conn, [(v.name, v.vkey()) for v in verifiers])
            stored = store.log_vkeys(conn)
        self._verifiers = {
            origin: [verifier_from_vkey(vkey) for vkey in vkeys] for origin, vkeys in stored.items()
        }
        self._origins = {hashlib.sha256(o.encode()).hexdigest(): o for o in self._verifiers}

    @property
    def name(self) -> str:
        """The witness's name: the key name of its cosignatures."""
        return self.signer.name

    def vkey(self) -> str:
        """The cosignature verifier key clients put in their trust policy."""
        return self.signer.verifier().vkey()

    def origins(self) -> list[str]:
        """The origins of the logs this witness follows."""
        return sorted(self._verifiers)

    def add_checkpoint(self, old_size: int, proof: Sequence[bytes], checkpoint_note: str) -> str:
        """Cosign ``checkpoint_note`` if it extends the stored tree; return the cosignature line(s).

        Raises, per the spec's status codes: ``UnknownLog`` (404), ``UntrustedCheckpoint`` (403),
        ``MalformedRequest`` (400), ``OldSizeMismatch`` (409), ``InconsistentCheckpoint`` and
        ``Equivocation`` (422).
        """
        _check_shape(old_size, proof)
        origin = checkpoint_note.split("\n", 1)[0]
        verifiers = self._verifiers.get(origin)
        if verifiers is None:
            raise UnknownLog("unknown log origin", details={"origin": origin[:200]})
        try:
            note, verified = open_note(checkpoint_note, verifiers)
        except NoteError as exc:
            raise UntrustedCheckpoint(
                "checkpoint not validly signed by a trusted log key", details={"origin": origin}
            ) from exc
        try:
            checkpoint = parse_checkpoint(note.text)
        except NoteError as exc:
            raise MalformedRequest("not a checkpoint", details=exc.details) from exc
        with self._pool.connection() as conn:
            with store.transaction(conn):
                outcome = self._decide(conn, old_size, list(proof), checkpoint, note, verified)
            if outcome.evidence_id is not None:
                self._publish_evidence(conn, outcome.evidence_id)
        if outcome.error is not None:
            raise outcome.error
        return outcome.lines

    def _decide(
        self,
        conn: sqlite3.Connection,
        old_size: int,
        proof: list[bytes],
        cp: Checkpoint,
        note: Note,
        verified: list[NoteVerifier],
    ) -> _Outcome:
        # Runs inside BEGIN IMMEDIATE: nobody else can change `latest` until we commit.
        stored = store.read_latest(conn, cp.origin)
        stored_size = stored.size if stored is not None else 0
        if stored is not None and cp.size == stored.size and cp.root != stored.root:
            # Evidence whatever the old size says: the log signed two trees of one size.
            evidence_id = store.add_evidence(conn, stored, cp.root, _signed_text(note, verified))
            error = _size_error(old_size, cp.size, stored_size) or Equivocation(
                "log signed a different tree of the same size", details={"size": cp.size}
            )
            return _Outcome(error=error, evidence_id=evidence_id)
        size_error = _size_error(old_size, cp.size, stored_size)
        if size_error is not None:
            return _Outcome(error=size_error)
        if cp.size == 0 and cp.root != EMPTY_ROOT:
            return _Outcome(error=InconsistentCheckpoint("size 0 with a non-empty root"))
        if (old_size == 0 or old_size == cp.size) and proof:
            return _Outcome(error=InconsistentCheckpoint("proof must be empty for this old size"))
        if stored is not None and 0 < old_size < cp.size:
            try:
                verify_consistency(old_size, cp.size, proof, stored.root, cp.root)
            except ProofError as exc:
                return _Outcome(
                    error=InconsistentCheckpoint("consistency proof fails", details=exc.details)
                )
        cosignature = self.signer.sign(note.text.encode("utf-8"))
        line = _line(NoteSignature(self.signer.name, self.signer.key_id, cosignature).line())
        latest = store.Latest(cp.origin, cp.size, cp.root, _signed_text(note, verified) + line)
        store.write_latest(conn, latest)
        return _Outcome(lines=line)

    def _publish_evidence(self, conn: sqlite3.Connection, evidence_id: int) -> None:
        # The evidence row is committed already; the file and the alarm are extra copies, so
        # their failure must not turn the 422 into a 500.
        evidence = store.read_evidence(conn, evidence_id)
        try:
            where = str(alarm.write_evidence_file(self.state_dir, self.name, evidence))
        except OSError:
            log.exception("could not write the evidence file")
            where = f"table evidence, id {evidence_id}"
        log.critical(
            "EQUIVOCATION by log %s at size %d: two roots signed; evidence in %s",
            evidence.origin,
            evidence.size,
            where,
        )
        if self.alarm_url:
            alarm.raise_alarm(self.alarm_url, alarm.evidence_payload(self.name, evidence))

    def checkpoint(self, origin_hash: str) -> str:
        """The latest cosigned checkpoint of the log whose SHA-256(origin) hex is given."""
        origin = self._origins.get(origin_hash)
        latest = None
        if origin is not None:
            with self._pool.connection() as conn:
                latest = store.read_latest(conn, origin)
        if latest is None:
            raise NotFound("no checkpoint cosigned for this log", details={"log": origin_hash})
        return latest.note

    def latest(self) -> list[store.Latest]:
        """The latest cosigned checkpoint of every log."""
        with self._pool.connection() as conn:
            return store.all_latest(conn)

    def evidence(self) -> list[store.Evidence]:
        """Every recorded equivocation, oldest first."""
        with self._pool.connection() as conn:
            return store.list_evidence(conn)

    def close(self) -> None:
        """Close the state database's connections."""
        self._pool.close()


def _log_verifier(vkey: str) -> NoteVerifier:
    try:
        return verifier_from_vkey(vkey)
    except NoteError as exc:
        raise ConfigurationError(f"bad log vkey: {exc.message}", details={"vkey": vkey}) from exc


def _check_shape(old_size: int, proof: Sequence[bytes]) -> None:
    if old_size < 0:
        raise MalformedRequest("old size is negative")
    if len(proof) > MAX_PROOF_LINES:
        raise MalformedRequest(f"more than {MAX_PROOF_LINES} proof hashes")
    if any(len(h) != HASH_SIZE for h in proof):
        raise MalformedRequest(f"a proof hash is not {HASH_SIZE} bytes")


def _size_error(old_size: int, size: int, stored_size: int) -> CityhubError | None:
    """The 400 and 409 checks, in the spec's order."""
    if old_size > size:
        return MalformedRequest("old size exceeds the checkpoint size", details={"old": old_size})
    if old_size != stored_size:
        return OldSizeMismatch(
            "old size is not the latest cosigned size", size=stored_size, details={"old": old_size}
        )
    return None


def _line(line: str) -> str:
    return line.rstrip("\n") + "\n"


def _signed_text(note: Note, verified: list[NoteVerifier]) -> str:
    """The note with only the signatures the witness verified (from trusted log keys)."""
    trusted = {(v.name, v.key_id) for v in verified}
    lines = [_line(s.line()) for s in note.signatures if (s.name, s.key_id) in trusted]
    return note.text + "\n" + "".join(lines)
