"""Key statements: the signed JSON by which an actor registers, rotates or revokes a key.

A statement is RFC 8785 canonical JSON in a DSSE envelope of type ``KEY_PAYLOAD_TYPE``::

    register  {"action", "actor", "vkey", "time"}               signed by the new key
    rotate    {"action", "actor", "vkey", "previous", "time"}   signed by the old key and the new
    revoke    {"action", "actor", "key", "time", "reason"}      signed by the key itself, or
              {…, "by": "admin:<user>"}                         unsigned, by a TRACE_MANAGE admin

Signing with the new key proves possession of it; the old key's signature on a rotation proves
the actor, not just someone holding an account, wants the change. This module is pure: parsing,
checking signatures, and building statements for clients (the CLI, tests, the demo).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cityhub.errors import InvalidInput
from cityhub.trace.epcis import KEY_PAYLOAD_TYPE, canonical_json, pae
from cityhub.trace.leaves import VKEY
from cityhub.trace.note import ED25519, NoteError, NoteSigner, NoteVerifier, verifier_from_vkey

FIELDS = {
    "register": {"action", "actor", "vkey", "time"},
    "rotate": {"action", "actor", "vkey", "previous", "time"},
    "revoke": {"action", "actor", "key", "time", "reason"},
}


def _bad(message: str, path: str, **details: Any) -> InvalidInput:
    return InvalidInput(message, details={"path": path, **details})


@dataclass(frozen=True)
class Statement:
    """A parsed key statement and the key ids that signed its envelope (signatures not yet
    checked: the service knows which keys must have signed)."""

    action: str
    actor: str
    time: datetime
    body: dict[str, Any]
    signatures: tuple[tuple[str, bytes], ...]  # (hex8 key id, 64-byte signature)
    payload: bytes

    def verified_by(self, verifier: NoteVerifier) -> bool:
        """Whether ``verifier``'s key signed the envelope, validly."""
        kid = verifier.key_id.hex()
        message = pae(KEY_PAYLOAD_TYPE, self.payload)
        return any(k == kid and verifier.verify(message, sig) for k, sig in self.signatures)


def parse_vkey(vkey: Any, path: str) -> NoteVerifier:
    """An actor's Ed25519 note verifier key; refused unless printable ASCII (leaf-safe)."""
    if not isinstance(vkey, str) or VKEY.fullmatch(vkey) is None:
        raise _bad("vkey must be <name>+<hex8>+<base64>, printable ASCII", path)
    try:
        verifier = verifier_from_vkey(vkey)
    except NoteError as exc:
        raise _bad(f"invalid vkey: {exc.message}", path) from exc
    if verifier.kind != ED25519:
        raise _bad("an actor key is an Ed25519 note key (type 0x01)", path)
    return verifier


def _signatures(raw: Any) -> tuple[tuple[str, bytes], ...]:
    if not isinstance(raw, list) or len(raw) > 2:
        raise _bad("signatures must be a list of at most two", "$.signatures")
    out = []
    for position, entry in enumerate(raw):
        path = f"$.signatures[{position}]"
        if not isinstance(entry, Mapping) or set(entry) != {"keyid", "sig"}:
            raise _bad("a signature has exactly keyid and sig", path)
        keyid, sig = entry["keyid"], entry["sig"]
        if not isinstance(keyid, str) or len(keyid) != 8 or set(keyid) - set("0123456789abcdef"):
            raise _bad("keyid must be 8 lower-case hex digits", f"{path}.keyid")
        try:
            signature = base64.b64decode(str(sig), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _bad("sig is not base64", f"{path}.sig") from exc
        if len(signature) != 64:
            raise _bad("an Ed25519 signature is 64 bytes", f"{path}.sig")
        out.append((keyid, signature))
    if len({k for k, _ in out}) != len(out):
        raise _bad("one key signs once", "$.signatures")
    return tuple(out)


def parse_statement(envelope: Any) -> Statement:
    """Parse a key statement envelope strictly; InvalidInput with the JSON path otherwise."""
    if not isinstance(envelope, Mapping) or set(envelope) != {
        "payload",
        "payloadType",
        "signatures",
    }:
        raise _bad("an envelope has exactly payload, payloadType and signatures", "$")
    if envelope["payloadType"] != KEY_PAYLOAD_TYPE:
        raise _bad(f"payloadType must be {KEY_PAYLOAD_TYPE}", "$.payloadType")
    try:
        payload = base64.b64decode(str(envelope["payload"]), validate=True)
        body = json.loads(payload)
    except (binascii.Error, ValueError) as exc:
        raise _bad("payload is not base64 of JSON", "$.payload") from exc
    if not isinstance(body, dict) or canonical_json(body) != payload:
        raise _bad("payload must be a JSON object in RFC 8785 canonical form", "$.payload")
    action = body.get("action")
    if action not in FIELDS:
        raise _bad("action must be register, rotate or revoke", "$.payload.action")
    expected = FIELDS[action] | ({"by"} if action == "revoke" and "by" in body else set())
    if set(body) != expected:
        raise _bad(f"a {action} statement has exactly {sorted(expected)}", "$.payload")
    for name, value in body.items():
        if not isinstance(value, str) or not value or len(value) > 500:
            raise _bad(f"{name} must be a non-empty string", f"$.payload.{name}")
    try:
        moment = datetime.fromisoformat(body["time"])
    except ValueError as exc:
        raise _bad("time must be an ISO 8601 timestamp", "$.payload.time") from exc
    if moment.tzinfo is None:
        raise _bad("time needs a UTC offset", "$.payload.time")
    signatures = _signatures(envelope["signatures"])
    return Statement(action, body["actor"], moment, body, signatures, payload)


def key_statement(
    action: str, actor: str, *, time: datetime | None = None, **fields: str
) -> dict[str, Any]:
    """A statement body: ``key_statement("register", ref, vkey=…)``; time defaults to now."""
    moment = (time or datetime.now(UTC)).astimezone(UTC)
    return {
        "action": action,
        "actor": actor,
        "time": moment.isoformat(timespec="seconds"),
        **fields,
    }


def sign_statement(statement: Mapping[str, Any], signers: Sequence[NoteSigner]) -> dict[str, Any]:
    """The DSSE envelope of ``statement`` signed by each of ``signers`` (none: unsigned)."""
    payload = canonical_json(statement)
    message = pae(KEY_PAYLOAD_TYPE, payload)
    return {
        "payload": base64.b64encode(payload).decode("ascii"),
        "payloadType": KEY_PAYLOAD_TYPE,
        "signatures": [
            {"keyid": s.key_id.hex(), "sig": base64.b64encode(s.sign(message)).decode("ascii")}
            for s in signers
        ],
    }
