"""The three kinds of log leaf: text formats, formatted and parsed strictly.

Every leaf is UTF-8 text, one field per line, each line ending in ``\\n``, first line
``cityhub.trace/leaf/v1``. Parsing is strict so that one leaf has exactly one byte form:
``format_leaf(parse_leaf(data)) == data`` for every accepted ``data`` (a property test checks it),
which is what lets a verifier compare leaves byte for byte. No leaf carries personal data: actors
appear as credit codes or hashes, events and envelopes as hashes.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Literal

from cityhub.errors import InvalidInput

HEADER = "cityhub.trace/leaf/v1"
MAX_LEAF_BYTES = 64 * 1024

KeyAction = Literal["register", "rotate", "revoke"]
KEY_ACTIONS: tuple[KeyAction, ...] = ("register", "rotate", "revoke")

EVENT_ID = re.compile(r"ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0")
KEY_ID = re.compile(r"[0-9a-f]{8}")
# An index: "0" or a decimal without leading zeros (one spelling per number).
INDEX = re.compile(r"0|[1-9][0-9]{0,18}")
# Lot URIs and key names: printable ASCII without spaces; vkey names additionally without '+'.
TOKEN = re.compile(r"[\x21-\x7e]+")
VKEY = re.compile(r"([\x21-\x2a\x2c-\x7e]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})")
CREDIT_CODE = re.compile(r"[0-9A-HJ-NP-RTUW-Y]{18}")
HASHED_REF = re.compile(r"sha256:[0-9a-f]{64}")


class LeafError(InvalidInput):
    """A leaf that is not in the exact form; ``details['line']`` is the 1-based line number."""

    code = "invalid_leaf"


@dataclass(frozen=True, order=True)
class BatchLine:
    """``batch <lot> <prev>``: a lot the event refers to and its previous event leaf's index."""

    lot: str
    prev: int | None


@dataclass(frozen=True)
class EventLeaf:
    """The leaf of a recorded EPCIS event."""

    event: str  # CBV 2.0 event hash ID
    envelope: str  # base64 SHA-256 of the envelope's JCS bytes
    signer: str  # hex8 key ID
    batches: tuple[BatchLine, ...] = ()


@dataclass(frozen=True)
class KeyLeaf:
    """The leaf of a key statement: register, rotate (``key`` is the new key) or revoke."""

    action: KeyAction
    actor: str
    key: str  # vkey
    envelope: str


@dataclass(frozen=True)
class AuditAnchorLeaf:
    """The leaf committing to the audit rows ``first``..``last`` by their chain hash."""

    first: int
    last: int
    hash: str


Leaf = EventLeaf | KeyLeaf | AuditAnchorLeaf


def b64_sha256(digest: bytes) -> str:
    """The leaf spelling of a SHA-256 digest: standard base64 with padding."""
    if len(digest) != 32:
        raise ValueError("a SHA-256 digest is 32 bytes")
    return base64.b64encode(digest).decode("ascii")


def format_leaf(leaf: Leaf) -> bytes:
    """The leaf's bytes; refuses values the parser would refuse, so no bad leaf is appended."""
    lines = [HEADER]
    if isinstance(leaf, EventLeaf):
        lines += [
            "kind event",
            f"event {leaf.event}",
            f"envelope {leaf.envelope}",
            f"signer {leaf.signer}",
        ]
        lines += [f"batch {b.lot} {'-' if b.prev is None else b.prev}" for b in leaf.batches]
    elif isinstance(leaf, KeyLeaf):
        lines += [
            "kind key",
            f"action {leaf.action}",
            f"actor {leaf.actor}",
            f"key {leaf.key}",
            f"envelope {leaf.envelope}",
        ]
    else:
        lines += ["kind audit-anchor", f"audit {leaf.first} {leaf.last}", f"hash {leaf.hash}"]
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    parsed = parse_leaf(data)  # the one place the rules live
    if parsed != leaf:
        raise LeafError("leaf does not round-trip", details={"line": 0})
    return data


def parse_leaf(data: bytes) -> Leaf:
    """Parse leaf bytes, refusing anything but the exact form; errors name the line."""
    if len(data) > MAX_LEAF_BYTES:
        raise LeafError(f"leaf is longer than {MAX_LEAF_BYTES} bytes", details={"line": 0})
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LeafError("leaf is not UTF-8", details={"line": 0}) from exc
    if not text.endswith("\n"):
        raise LeafError("leaf must end with a newline", details={"line": text.count("\n") + 1})
    lines = text[:-1].split("\n")
    reader = _Lines(lines)
    reader.expect_exact(HEADER)
    kind = reader.field("kind")
    if kind == "event":
        return _event(reader)
    if kind == "key":
        return _key(reader)
    if kind == "audit-anchor":
        return _anchor(reader)
    raise reader.error(f"unknown leaf kind {kind!r}")


class _Lines:
    """A cursor over leaf lines that names the line in every error."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.number = 0  # 1-based number of the line last read

    def error(self, message: str) -> LeafError:
        text = self.lines[self.number - 1] if 0 < self.number <= len(self.lines) else ""
        return LeafError(
            f"leaf line {self.number}: {message}", details={"line": self.number, "text": text}
        )

    def next(self, what: str) -> str:
        self.number += 1
        if self.number > len(self.lines):
            raise self.error(f"missing line: {what}")
        return self.lines[self.number - 1]

    def expect_exact(self, expected: str) -> None:
        if self.next(expected) != expected:
            raise self.error(f"expected {expected!r}")

    def field(self, name: str) -> str:
        line = self.next(name)
        prefix = name + " "
        if not line.startswith(prefix):
            raise self.error(f"expected a {name!r} line")
        return line[len(prefix) :]

    def at_end(self) -> bool:
        return self.number >= len(self.lines)

    def end(self) -> None:
        if not self.at_end():
            self.number += 1
            raise self.error("unexpected extra line")


def _match(reader: _Lines, pattern: re.Pattern[str], value: str, what: str) -> str:
    if pattern.fullmatch(value) is None:
        raise reader.error(f"{what} is malformed: {value!r}")
    return value


def _index(reader: _Lines, value: str, what: str) -> int:
    return int(_match(reader, INDEX, value, what))


def _digest(reader: _Lines, value: str, what: str) -> str:
    """Standard padded base64 of exactly 32 bytes, in its one canonical spelling."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise reader.error(f"{what} is not base64") from exc
    if len(raw) != 32 or base64.b64encode(raw).decode("ascii") != value:
        raise reader.error(f"{what} must be the base64 of 32 bytes")
    return value


def _event(reader: _Lines) -> EventLeaf:
    event = _match(reader, EVENT_ID, reader.field("event"), "event hash ID")
    envelope = _digest(reader, reader.field("envelope"), "envelope hash")
    signer = _match(reader, KEY_ID, reader.field("signer"), "signer key ID")
    batches: list[BatchLine] = []
    while not reader.at_end():
        lot, _, prev = reader.field("batch").partition(" ")
        _match(reader, TOKEN, lot, "batch lot")
        if batches and lot <= batches[-1].lot:
            raise reader.error("batch lines must be sorted by lot, without duplicates")
        batches.append(BatchLine(lot, None if prev == "-" else _index(reader, prev, "batch prev")))
    return EventLeaf(event, envelope, signer, tuple(batches))


def _key(reader: _Lines) -> KeyLeaf:
    spelled = reader.field("action")
    action = next((a for a in KEY_ACTIONS if a == spelled), None)
    if action is None:
        raise reader.error(f"action must be one of {', '.join(KEY_ACTIONS)}")
    actor = reader.field("actor")
    if CREDIT_CODE.fullmatch(actor) is None and HASHED_REF.fullmatch(actor) is None:
        raise reader.error("actor must be a 统一社会信用代码 or sha256:<hex> of a 主体码")
    key = reader.field("key")
    match = VKEY.fullmatch(key)
    if match is None:
        raise reader.error("key must be a vkey <name>+<hex8>+<base64>")
    try:
        raw = base64.b64decode(match.group(3), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise reader.error("key material is not base64") from exc
    if len(raw) != 33 or raw[0] != 0x01 or base64.b64encode(raw).decode("ascii") != match.group(3):
        raise reader.error("key must be an Ed25519 vkey (type 0x01, 32-byte public key)")
    envelope = _digest(reader, reader.field("envelope"), "envelope hash")
    reader.end()
    return KeyLeaf(action, actor, key, envelope)


def _anchor(reader: _Lines) -> AuditAnchorLeaf:
    first, _, last = reader.field("audit").partition(" ")
    first_id = _index(reader, first, "first audit id")
    last_id = _index(reader, last, "last audit id")
    if first_id > last_id:
        raise reader.error("first audit id is after the last")
    digest = _digest(reader, reader.field("hash"), "audit hash")
    reader.end()
    return AuditAnchorLeaf(first_id, last_id, digest)
