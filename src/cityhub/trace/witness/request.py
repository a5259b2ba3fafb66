"""The add-checkpoint request body of C2SP tlog-witness, parsed exactly as the spec words it.

::

    old <size>\\n
    <base64 hash>\\n        (0 to 63 consistency proof lines)
    \\n
    <signed checkpoint note>
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from cityhub.trace.merkle import HASH_SIZE
from cityhub.trace.witness.errors import MalformedRequest

MAX_PROOF_LINES = 63  # "The client MUST NOT send more than 63 consistency proof lines."
_DECIMAL = re.compile(r"0|[1-9][0-9]*")  # no leading zeroes, except the size zero itself


@dataclass(frozen=True)
class AddCheckpointRequest:
    """A parsed add-checkpoint body: what ``Witness.add_checkpoint`` takes."""

    old_size: int
    proof: list[bytes]
    checkpoint_note: str


def parse_size(text: str, *, where: str) -> int:
    """An ASCII decimal tree size without leading zeroes; ``where`` names it in the error."""
    if not _DECIMAL.fullmatch(text):
        raise MalformedRequest(f"{where} is not a decimal size", details={where: text[:40]})
    size = int(text)
    if size >= 1 << 63:  # sizes are u64 on the wire; keep clear of signed overflow elsewhere
        raise MalformedRequest(f"{where} is too large", details={where: text[:40]})
    return size


def decode_hash(line: str, *, number: int) -> bytes:
    """One base64 proof line: canonical standard base64 of exactly one hash."""
    try:
        raw = base64.b64decode(line, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedRequest("proof line is not base64", details={"line": number}) from exc
    if len(raw) != HASH_SIZE or base64.b64encode(raw).decode() != line:
        raise MalformedRequest(
            f"proof line is not a {HASH_SIZE}-byte hash", details={"line": number}
        )
    return raw


def parse_add_checkpoint(body: bytes) -> AddCheckpointRequest:
    """Parse a request body; raise ``MalformedRequest`` (400) for anything off-spec."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedRequest("body is not UTF-8", details={"offset": exc.start}) from exc
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise MalformedRequest("no empty line before the checkpoint")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old "):
        raise MalformedRequest("first line is not 'old <size>'", details={"line": 1})
    old_size = parse_size(first[len("old ") :], where="old")
    proof_lines = lines[1:]
    if len(proof_lines) > MAX_PROOF_LINES:
        raise MalformedRequest(
            f"more than {MAX_PROOF_LINES} proof lines", details={"lines": len(proof_lines)}
        )
    proof = [decode_hash(line, number=i) for i, line in enumerate(proof_lines, start=2)]
    if not note:
        raise MalformedRequest("no checkpoint after the empty line")
    return AddCheckpointRequest(old_size=old_size, proof=proof, checkpoint_note=note)
