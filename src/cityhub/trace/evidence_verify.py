"""Verifying a batch evidence document offline, naming every failure precisely.

What is checked, in order: the policy parses; every bundle is against one checkpoint, signed by
the policy's log key and cosigned by a witness quorum; each key's registration leaf names its
vkey, hashes its statement, is included, and the statement is signed by that key; each event's
envelope is signed by its signer's key, its payload's eventID is the event's hash ID, the leaf
names that event ID, that envelope hash and that signer, the leaf is included at the bundle's
index, the key was registered before and not retired by then; the events are in log order; and
the ``batch <lot> <prev>`` chain of the document's batch is complete — a prev that points to an
index missing from the document is a dropped event.

What a document cannot show: events recorded after its checkpoint, and a revocation the
document omits (``revoked_at_index``); a verifier that needs those asks the log itself.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cityhub.errors import InvalidInput
from cityhub.trace.epcis import envelope_hash, event_hash_id, verify_envelope
from cityhub.trace.leaves import EventLeaf, KeyLeaf, parse_leaf
from cityhub.trace.merkle import leaf_hash, verify_inclusion
from cityhub.trace.note import (
    Checkpoint,
    Policy,
    parse_checkpoint,
    parse_note,
    parse_policy,
    parse_proof_bundle,
    verify_checkpoint,
)
from cityhub.trace.statements import parse_statement, parse_vkey

FORMAT = "cityhub.trace/evidence/v1"


@dataclass
class VerificationReport:
    """The outcome: ``ok`` only when every check ran and passed; ``failures`` name what failed."""

    batch: str
    events: int = 0
    checkpoint_size: int | None = None
    witnesses: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and bool(self.passed)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``ok`` included)."""
        return {**vars(self), "ok": self.ok}


@dataclass(frozen=True)
class _Proof:
    index: int
    path: tuple[bytes, ...]
    checkpoint: str


class _Verifier:
    def __init__(self, doc: Mapping[str, Any], report: VerificationReport) -> None:
        self.doc, self.report = doc, report
        self.checkpoint: Checkpoint | None = None
        self.note: str | None = None
        self.keys: dict[
            str, tuple[bytes, int, int | None]
        ] = {}  # kid → (public key, registered, revoked)

    def fail(self, message: str) -> None:
        self.report.failures.append(message)

    def proof(self, bundle: Any, where: str) -> _Proof | None:
        try:
            parsed = parse_proof_bundle(str(bundle))
        except InvalidInput as exc:
            self.fail(f"{where}: proof bundle malformed: {exc.message}")
            return None
        if self.note is None:
            self.note = parsed.checkpoint
        elif parsed.checkpoint != self.note:
            self.fail(f"{where}: proof bundle is against a different checkpoint")
            return None
        return _Proof(parsed.index, parsed.path, parsed.checkpoint)

    def included(self, leaf: bytes, proof: _Proof, where: str) -> bool:
        if self.checkpoint is None:
            return False
        try:
            verify_inclusion(
                leaf_hash(leaf), proof.index, self.checkpoint.size, proof.path, self.checkpoint.root
            )
        except InvalidInput as exc:
            self.fail(f"{where}: leaf not included in the log ({exc.message})")
            return False
        return True

    def verify_checkpoint(self, policy: Policy) -> None:
        if self.note is None:
            return
        try:
            self.checkpoint, witnesses = verify_checkpoint(self.note, policy)
        except InvalidInput as exc:
            self.fail(f"checkpoint: {exc.message}")
            try:  # go on against the root it states, so inclusion failures are named too
                self.checkpoint = parse_checkpoint(parse_note(self.note).text)
            except InvalidInput:
                return
            return
        self.report.checkpoint_size = self.checkpoint.size
        self.report.witnesses = list(witnesses)
        self.report.passed.append(
            f"checkpoint of size {self.checkpoint.size} signed; "
            f"witnesses {witnesses or 'none needed'}"
        )

    def key(self, kid: str, entry: Any) -> None:
        where = f"key {kid}"
        if not isinstance(entry, Mapping):
            self.fail(f"{where}: not an object")
            return
        try:
            verifier = parse_vkey(entry.get("vkey"), "vkey")
            leaf = parse_leaf(str(entry.get("leaf", "")).encode("utf-8"))
            statement = parse_statement(entry.get("envelope"))
        except InvalidInput as exc:
            self.fail(f"{where}: {exc.message}")
            return
        proof = self.proof(entry.get("bundle"), where)
        problems = []
        if verifier.key_id.hex() != kid:
            problems.append("key ID does not match the vkey")
        if (
            not isinstance(leaf, KeyLeaf)
            or leaf.action not in ("register", "rotate")
            or leaf.key != verifier.vkey()
        ):
            problems.append("registration leaf does not name this vkey")
        elif leaf.envelope != base64.b64encode(envelope_hash(entry["envelope"])).decode("ascii"):
            problems.append("statement hash differs from the registration leaf")
        elif leaf.actor != statement.actor or statement.body.get("vkey") != verifier.vkey():
            problems.append("statement does not register this key for the leaf's actor")
        if not statement.verified_by(verifier):
            problems.append("statement not signed by the key (no proof of possession)")
        for problem in problems:
            self.fail(f"{where}: {problem}")
        if (
            proof is None
            or not self.included(str(entry["leaf"]).encode("utf-8"), proof, where)
            or problems
        ):
            return
        revoked = entry.get("revoked_at_index")
        self.keys[kid] = (
            verifier.public_key,
            proof.index,
            revoked if isinstance(revoked, int) else None,
        )
        self.report.passed.append(f"{where}: registered at log index {proof.index}")

    def event(self, number: int, entry: Any, seen: dict[str, int]) -> tuple[int, EventLeaf] | None:
        where = f"event {number}"
        if not isinstance(entry, Mapping):
            self.fail(f"{where}: not an object")
            return None
        proof = self.proof(entry.get("bundle"), where)
        if proof is None:
            return None
        where = f"event {number} (log index {proof.index})"
        signer, envelope = str(entry.get("signer")), entry.get("envelope")
        try:
            leaf = parse_leaf(str(entry.get("leaf", "")).encode("utf-8"))
        except InvalidInput as exc:
            self.fail(f"{where}: leaf malformed: {exc.message}")
            return None
        problems = self._event_problems(signer, envelope, leaf, proof.index, seen)
        included = self.included(str(entry["leaf"]).encode("utf-8"), proof, where)
        for problem in problems:
            self.fail(f"{where}: {problem}")
        if isinstance(leaf, EventLeaf) and included and not problems:
            self.report.passed.append(f"{where}: signed by {signer}, included")
        return (proof.index, leaf) if isinstance(leaf, EventLeaf) else None

    def _event_problems(
        self, signer: str, envelope: Any, leaf: Any, index: int, seen: dict[str, int]
    ) -> list[str]:
        if not isinstance(leaf, EventLeaf):
            return ["leaf is not an event leaf"]
        if (
            leaf.event in seen
            and isinstance(envelope, Mapping)
            and leaf.event != _event_id(envelope)
        ):
            return [f"the leaf at this index is event {seen[leaf.event]}'s: events reordered"]
        problems = []
        key = self.keys.get(signer)
        if key is None:
            return [f"signer {signer} is not among the document's verified keys"]
        try:
            payload = verify_envelope(envelope, key[0])
            if envelope["signatures"][0]["keyid"] != signer:
                problems.append("envelope names another key than the signer")
        except InvalidInput:
            return ["signature invalid"]
        try:
            event = json.loads(payload)
            event_id = event_hash_id(event)
        except (ValueError, InvalidInput, AttributeError):
            return ["payload is not an EPCIS event"]
        if event.get("eventID") != event_id:
            problems.append("eventID is not the event's hash")
        if leaf.event != event_id:
            problems.append("event ID differs from the leaf")
        if leaf.envelope != base64.b64encode(envelope_hash(envelope)).decode("ascii"):
            problems.append("envelope hash differs from the leaf")
        if leaf.signer != signer:
            problems.append("signer differs from the leaf")
        if index <= key[1]:
            problems.append(
                f"signed with key {signer} before its registration at log index {key[1]}"
            )
        if key[2] is not None and index > key[2]:
            problems.append(f"signed with key {signer} after its revocation at log index {key[2]}")
        return problems


def _event_id(envelope: Mapping[str, Any]) -> str | None:
    try:
        value = json.loads(base64.b64decode(str(envelope.get("payload")))).get("eventID")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _chain(verifier: _Verifier, batch: str, leaves: list[tuple[int, int, EventLeaf]]) -> None:
    indices = {index: number for number, index, _ in leaves}
    previous: int | None = None
    for number, index, leaf in leaves:
        where = f"event {number} (log index {index})"
        line = next((b for b in leaf.batches if b.lot == batch), None)
        if line is None:
            verifier.fail(f"{where}: leaf does not name batch {batch}")
        elif line.prev != previous:
            if line.prev is None:
                verifier.fail(f"{where}: leaf says it is the batch's first event, but it is not")
            elif line.prev not in indices:
                verifier.fail(
                    f"{where}: the batch's previous event at log index {line.prev} "
                    "is missing from the document (dropped event)"
                )
            else:
                verifier.fail(
                    f"{where}: previous event should be at log index {line.prev} "
                    f"(event {indices[line.prev]}), events out of order"
                )
        previous = index
    if leaves and not verifier.report.failures:
        verifier.report.passed.append(f"batch chain complete: {len(leaves)} events")


def verify_evidence(doc: Any) -> VerificationReport:
    """Verify an evidence document completely; see the module docstring for what is checked."""
    batch = str(doc.get("batch")) if isinstance(doc, Mapping) else "?"
    report = VerificationReport(batch)
    verifier = _Verifier(doc if isinstance(doc, Mapping) else {}, report)
    if not isinstance(doc, Mapping) or doc.get("format") != FORMAT:
        verifier.fail(f"document: format is not {FORMAT}")
        return report
    try:
        policy = parse_policy(str(doc.get("policy", "")))
    except InvalidInput as exc:
        verifier.fail(f"policy: {exc.message}")
        return report
    events, keys = doc.get("events"), doc.get("keys")
    if not isinstance(events, list) or not isinstance(keys, Mapping) or not events:
        verifier.fail("document: events must be a non-empty list and keys an object")
        return report
    # Parse every bundle first so the one checkpoint is known and verified before inclusion.
    for entry in [*keys.values(), *events]:
        if isinstance(entry, Mapping) and verifier.note is None:
            verifier.proof(entry.get("bundle"), "document")
    verifier.verify_checkpoint(policy)
    for kid, entry in keys.items():
        verifier.key(str(kid), entry)
    seen = {
        eid: n
        for n, e in enumerate(events, 1)
        if isinstance(e, Mapping)
        and isinstance(e.get("envelope"), Mapping)
        and (eid := _event_id(e["envelope"]))
    }
    leaves: list[tuple[int, int, EventLeaf]] = []
    for number, entry in enumerate(events, 1):
        result = verifier.event(number, entry, seen)
        if result is not None:
            if leaves and result[0] <= leaves[-1][1]:
                verifier.fail(
                    f"event {number} (log index {result[0]}): "
                    f"not in log order after log index {leaves[-1][1]}"
                )
            leaves.append((number, result[0], result[1]))
    report.events = len(events)
    _chain(verifier, batch, leaves)
    return report
