"""C2SP tlog-proof: an offline inclusion proof bundled with its signed checkpoint.

::

    c2sp.org/tlog-proof@v1
    [extra <base64>]
    index <n>
    <base64 hash>            (zero or more, leaf's sibling first)

    <signed checkpoint note, verbatim>

Parsing is strict, and also checks what the text alone can show: the checkpoint note
is well formed, the index lies inside its tree and the path has the length RFC 9162
gives for that index and size. Signatures and the path's hashes are checked later,
against a policy and the leaf.
"""

from __future__ import annotations

from dataclasses import dataclass

from cityhub.trace.note._text import U64_MAX, b64decode, b64encode, parse_decimal, require
from cityhub.trace.note.checkpoint import HASH_SIZE, parse_checkpoint
from cityhub.trace.note.errors import NoteError
from cityhub.trace.note.signed import parse_note

HEADER = "c2sp.org/tlog-proof@v1"


def inclusion_path_length(index: int, size: int) -> int:
    """Number of hashes in the inclusion proof of leaf ``index`` in a tree of ``size``."""
    # The bits below the highest bit where index and size-1 differ are the inner part
    # of the path (full subtrees); the set bits above it are the left border hashes.
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


@dataclass(frozen=True)
class ProofBundle:
    """Leaf ``index``, its inclusion ``path`` and the signed ``checkpoint`` note it is against."""

    index: int
    path: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def __post_init__(self) -> None:
        require(0 <= self.index <= U64_MAX, "index out of range", index=self.index)
        for position, node in enumerate(self.path):
            require(len(node) == HASH_SIZE, f"path hashes must be {HASH_SIZE} bytes", at=position)
        # Empty extra data would print as "extra " and read back ambiguously.
        require(self.extra is None or len(self.extra) > 0, "extra data must not be empty")
        tree = parse_checkpoint(parse_note(self.checkpoint).text)
        require(
            self.index < tree.size,
            f"index {self.index} is outside the checkpoint's tree of size {tree.size}",
        )
        want = inclusion_path_length(self.index, tree.size)
        require(
            len(self.path) == want,
            f"inclusion path has {len(self.path)} hashes, index {self.index} "
            f"in size {tree.size} needs {want}",
        )


def format_proof_bundle(b: ProofBundle) -> str:
    lines = [HEADER]
    if b.extra is not None:
        lines.append(f"extra {b64encode(b.extra)}")
    lines.append(f"index {b.index}")
    lines.extend(b64encode(node) for node in b.path)
    return "\n".join(lines) + "\n\n" + b.checkpoint


def parse_proof_bundle(text: str) -> ProofBundle:
    """Parse a tlog-proof; any deviation from the format raises NoteError."""
    # The proof part has no empty lines, so the first blank line ends it and the
    # rest (which has its own blank line before the signatures) is the checkpoint.
    head, separator, checkpoint = text.partition("\n\n")
    require(separator != "", "proof has no blank line before the checkpoint")
    lines = head.split("\n")
    require(lines[0] == HEADER, f"proof must start with {HEADER}", line=1)
    number = 2
    extra = None
    if len(lines) > 1 and lines[1].startswith("extra "):
        extra = b64decode(lines[1].removeprefix("extra "))
        if not extra:
            raise NoteError("extra must be non-empty base64", details={"line": 2})
        number = 3
    require(len(lines) >= number, "proof has no index line", line=number)
    index_line = lines[number - 1]
    require(index_line.startswith("index "), "expected 'index <n>'", line=number)
    index = parse_decimal(index_line.removeprefix("index "))
    if index is None:
        raise NoteError("index must be decimal without leading zeros", details={"line": number})
    path = []
    for offset, line in enumerate(lines[number:], start=number + 1):
        node = b64decode(line)
        if node is None or len(node) != HASH_SIZE:
            raise NoteError("path hash must be base64 of 32 bytes", details={"line": offset})
        path.append(node)
    try:
        return ProofBundle(index, tuple(path), checkpoint, extra)
    except NoteError as error:
        # Line numbers from the checkpoint note count from the checkpoint's first line.
        details = dict(error.details)
        if "line" in details:
            details["line"] = int(details["line"]) + len(lines) + 1
        raise NoteError(error.message, details=details) from None
