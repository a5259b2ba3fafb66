"""C2SP signed notes: text, a blank line, then lines ``— <key name> <base64(key id || sig)>``.

Parsing follows Go's sumdb/note.Open: valid UTF-8, no control characters but newline,
the text ends at the *last* blank line, every later line is a signature line, at most
100 signatures. Verification follows the spec: signatures from unknown (name, key id)
pairs are ignored, a known key whose signature fails rejects the whole note, and at
least one known key must verify.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cityhub.trace.note._text import (
    b64decode,
    b64encode,
    first_bad_line,
    is_note_text,
    is_valid_key_name,
    require,
)
from cityhub.trace.note.errors import NoteError
from cityhub.trace.note.keys import NoteSigner, NoteVerifier

SIGNATURE_PREFIX = "— "  # em dash U+2014, space
MAX_SIGNATURES = 100  # as Go; the spec asks verifiers to accept at least 16


@dataclass(frozen=True)
class NoteSignature:
    """One signature line; ``signature`` excludes the 4-byte key id."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {b64encode(self.key_id + self.signature)}\n"

    def key(self) -> str:
        """``name+hex8``, how errors and logs name the key."""
        return f"{self.name}+{self.key_id.hex()}"


@dataclass(frozen=True)
class Note:
    """A parsed (not yet verified) note; ``text`` includes its final newline."""

    text: str
    signatures: tuple[NoteSignature, ...]


def _decode(message: str | bytes) -> str:
    if isinstance(message, str):
        return message
    try:
        return message.decode("utf-8")
    except UnicodeDecodeError as error:
        line = message[: error.start].count(b"\n") + 1
        raise NoteError("note is not valid UTF-8", details={"line": line}) from None


def parse_signature_line(line: str, number: int = 1) -> NoteSignature:
    """Parse one signature line (without its newline); ``number`` goes into error details."""
    require(line.startswith(SIGNATURE_PREFIX), "signature line must start with '— '", line=number)
    name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    require(is_valid_key_name(name), f"invalid key name {name!r} in signature", line=number)
    raw = b64decode(encoded)
    if raw is None or len(raw) < 5:
        raise NoteError("signature is not base64 of key id and signature", details={"line": number})
    return NoteSignature(name, raw[:4], raw[4:])


def parse_note(message: str | bytes) -> Note:
    """Split a signed note into text and signature lines, strictly; verifies nothing."""
    text = _decode(message)
    require(
        is_note_text(text),
        "note must be UTF-8 without control characters other than newline",
        line=first_bad_line(text),
    )
    split = text.rfind("\n\n")
    require(split >= 0, "note has no blank line before its signatures")
    body, block = text[: split + 1], text[split + 2 :]
    first = body.count("\n") + 2  # line number of the first signature line
    require(block.endswith("\n"), "note has no signature lines ending in a newline", line=first)
    lines = block[:-1].split("\n")
    require(len(lines) <= MAX_SIGNATURES, f"more than {MAX_SIGNATURES} signatures", line=first)
    signatures = tuple(parse_signature_line(line, first + i) for i, line in enumerate(lines))
    return Note(body, signatures)


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """``text`` signed by each signer, in order (a repeated key signs once)."""
    require(text.endswith("\n"), "note text must end with a newline")
    require(is_note_text(text), "note text has control characters", line=first_bad_line(text))
    require(len(signers) > 0, "a note needs at least one signer")
    message = text.encode("utf-8")
    seen: set[tuple[str, bytes]] = set()
    lines = []
    for signer in signers:
        if (signer.name, signer.key_id) in seen:
            continue
        seen.add((signer.name, signer.key_id))
        lines.append(NoteSignature(signer.name, signer.key_id, signer.sign(message)).line())
    require(len(lines) <= MAX_SIGNATURES, f"more than {MAX_SIGNATURES} signatures")
    return text + "\n" + "".join(lines)


def _split_lines(lines: Sequence[str]) -> list[str]:
    # A witness answers with a body of one or more lines; accept that string as well
    # as a list of lines, with or without their newlines.
    items = [lines] if isinstance(lines, str) else list(lines)
    out: list[str] = []
    for item in items:
        pieces = item.split("\n")
        if pieces[-1] == "" and len(pieces) > 1:
            pieces.pop()
        out.extend(pieces)
    return out


def add_signatures(note: str, lines: Sequence[str]) -> str:
    """Append signature lines (e.g. cosignatures) to a signed note.

    A line whose (name, key id) is already on the note is dropped, the first one wins.
    Nothing is verified here.
    """
    parsed = parse_note(note)
    signatures = list(parsed.signatures)
    have = {(sig.name, sig.key_id) for sig in signatures}
    for number, line in enumerate(_split_lines(lines), start=1):
        sig = parse_signature_line(line, number)
        if (sig.name, sig.key_id) not in have:
            have.add((sig.name, sig.key_id))
            signatures.append(sig)
    require(len(signatures) <= MAX_SIGNATURES, f"more than {MAX_SIGNATURES} signatures")
    return parsed.text + "\n" + "".join(sig.line() for sig in signatures)


def open_note(
    message: str | bytes, verifiers: Sequence[NoteVerifier]
) -> tuple[Note, list[NoteVerifier]]:
    """Parse and verify a note; returns it with the verifiers whose signatures verified.

    Every signature from a known key is checked (not only the first), so a bad line
    cannot hide behind a good one.
    """
    note = parse_note(message)
    known: dict[tuple[str, bytes], list[NoteVerifier]] = {}
    for verifier in verifiers:
        same = known.setdefault((verifier.name, verifier.key_id), [])
        if verifier not in same:
            same.append(verifier)
    body = note.text.encode("utf-8")
    first = note.text.count("\n") + 2
    verified: list[NoteVerifier] = []
    for number, sig in enumerate(note.signatures, start=first):
        candidates = known.get((sig.name, sig.key_id))
        if not candidates:
            continue
        # Two different keys with one name and id: the verifier list itself is wrong.
        require(len(candidates) == 1, f"ambiguous key {sig.key()}", key=sig.key(), line=number)
        verifier = candidates[0]
        if not verifier.verify(body, sig.signature):
            raise NoteError(
                f"invalid signature for key {sig.key()}", details={"key": sig.key(), "line": number}
            )
        if verifier not in verified:
            verified.append(verifier)
    require(bool(verified), "note has no verifiable signatures")
    return note, verified
