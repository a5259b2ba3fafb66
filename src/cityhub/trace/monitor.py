"""A monitor of the trace log: every entry read, checked against a signed checkpoint, and each
batch's served history compared with the events the log holds for it.

Verifying a batch's evidence proves that what it shows was logged, in its order; it cannot show
an event that the platform leaves out at the end (a withheld tail: say, the inspection that
failed). The log can: every event leaf names its lots (``batch`` lines), so anyone who reads all
entry bundles knows each lot's events and can ask the platform for its history and compare. A
department, a regulator or a consumer group runs it (``cityhub trace monitor``); nothing here
trusts the platform beyond the checkpoint's log signature and witness quorum.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from cityhub.errors import InvalidInput
from cityhub.trace.leaves import EventLeaf, parse_leaf
from cityhub.trace.merkle import TILE_WIDTH, leaf_hash, root_of
from cityhub.trace.note import Checkpoint


def bundle_widths(size: int) -> list[tuple[int, int]]:
    """(tile index, width) of the entry bundles that hold a tree of ``size`` leaves."""
    full, rest = divmod(size, TILE_WIDTH)
    return [(i, TILE_WIDTH) for i in range(full)] + ([(full, rest)] if rest else [])


def split_bundle(data: bytes, width: int, tile: int) -> list[bytes]:
    """The ``width`` leaves of a C2SP entry bundle (each a big-endian uint16 length, its bytes)."""
    leaves, offset = [], 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise InvalidInput(f"entry bundle {tile} ends inside a length", details={"tile": tile})
        length = int.from_bytes(data[offset : offset + 2], "big")
        leaves.append(data[offset + 2 : offset + 2 + length])
        offset += 2 + length
        if offset > len(data):
            raise InvalidInput(f"entry bundle {tile} ends inside a leaf", details={"tile": tile})
    if len(leaves) != width:
        raise InvalidInput(
            f"entry bundle {tile} holds {len(leaves)} leaves, not {width}",
            details={"tile": tile, "leaves": len(leaves), "width": width},
        )
    return leaves


@dataclass(frozen=True)
class LogContents:
    """What a checked log holds: for each lot, the indexes of the event leaves naming it."""

    size: int
    lots: dict[str, list[int]]


def read_log(checkpoint: Checkpoint, leaves: Sequence[bytes]) -> LogContents:
    """Index the leaves by lot, once they hash to the checkpoint's root (RFC 9162 MTH)."""
    if len(leaves) != checkpoint.size:
        raise InvalidInput(
            f"{len(leaves)} entries for a checkpoint of size {checkpoint.size}",
            details={"entries": len(leaves), "size": checkpoint.size},
        )
    if checkpoint.size and root_of([leaf_hash(leaf) for leaf in leaves]) != checkpoint.root:
        raise InvalidInput(
            "the entries do not hash to the signed checkpoint's root",
            details={"size": checkpoint.size},
        )
    lots: dict[str, list[int]] = {}
    for index, data in enumerate(leaves):
        leaf = parse_leaf(data)
        if isinstance(leaf, EventLeaf):
            for line in leaf.batches:
                lots.setdefault(line.lot, []).append(index)
    return LogContents(checkpoint.size, lots)


def left_out(logged: Sequence[int], served: Collection[int]) -> list[int]:
    """The logged event indexes that the served history does not show."""
    shown = set(served)
    return [index for index in logged if index not in shown]
