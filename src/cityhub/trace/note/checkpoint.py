"""C2SP tlog-checkpoint bodies: origin, tree size, base64 root hash, optional extensions.

The origin is only required to be non-empty: the spec recommends a schema-less URL
but tells clients not to assume one (Go's ``go.sum database tree`` has spaces).
"""

from __future__ import annotations

from dataclasses import dataclass

from cityhub.trace.note._text import (
    U64_MAX,
    b64decode,
    b64encode,
    first_bad_line,
    is_note_text,
    parse_decimal,
    require,
)
from cityhub.trace.note.errors import NoteError
from cityhub.trace.note.keys import ED25519, NoteSigner
from cityhub.trace.note.signed import NoteSignature, sign_note

HASH_SIZE = 32


def _check_line(value: str, what: str) -> None:
    require(value != "", f"checkpoint {what} is empty")
    require("\n" not in value and is_note_text(value), f"checkpoint {what} has control characters")


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: ``size`` leaves with RFC 6962 root hash ``root``."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        require(0 <= self.size <= U64_MAX, "checkpoint size out of range", size=self.size)
        require(len(self.root) == HASH_SIZE, f"checkpoint root must be {HASH_SIZE} bytes")
        for extension in self.extensions:
            _check_line(extension, "extension line")

    def body(self) -> str:
        lines = [self.origin, str(self.size), b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(body: str) -> Checkpoint:
    """Parse a checkpoint note text (the part before the signatures), strictly."""
    require(is_note_text(body), "checkpoint has control characters", line=first_bad_line(body))
    require(body.endswith("\n"), "checkpoint must end with a newline")
    lines = body[:-1].split("\n")
    require(len(lines) >= 3, "checkpoint needs origin, size and root lines", line=len(lines))
    for number, line in enumerate(lines, start=1):
        require(line != "", "checkpoint lines must not be empty", line=number)
    size = parse_decimal(lines[1])
    if size is None:
        raise NoteError("checkpoint size must be decimal, no leading zeros", details={"line": 2})
    root = b64decode(lines[2])
    if root is None or len(root) != HASH_SIZE:
        raise NoteError(f"checkpoint root must be base64 of {HASH_SIZE} bytes", details={"line": 3})
    return Checkpoint(lines[0], size, root, tuple(lines[3:]))


def sign_checkpoint(cp: Checkpoint, signer: NoteSigner) -> str:
    """The checkpoint as a note signed by ``signer``.

    A log key (0x01) must be named as the origin: verifiers find the log's signature by
    that name (tlog-policy), so any other name would only fail later, far from the cause.
    """
    if signer.kind == ED25519:
        require(
            signer.name == cp.origin,
            f"log key name {signer.name!r} is not the origin {cp.origin!r}",
            name=signer.name,
        )
    return sign_note(cp.body(), [signer])


def cosignature_timestamp(sig: NoteSignature) -> int:
    """The POSIX time a tlog-cosignature was made (first 8 bytes, big-endian)."""
    require(len(sig.signature) >= 8 + 64, "not a timestamped cosignature", key=sig.key())
    return int.from_bytes(sig.signature[:8], "big")
