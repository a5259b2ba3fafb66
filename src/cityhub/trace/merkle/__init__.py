"""RFC 9162 Merkle tree: hashing, proofs, verification, compact ranges and C2SP tiles.

Pure computation over 32-byte SHA-256 hashes: no database, no I/O. Storage is reached only
through a ``NodeGetter`` (``(level, index) -> hash`` of a complete subtree), e.g.
``TileReader.node``.
"""

from cityhub.trace.merkle.compact import CompactRange, NodeCallback
from cityhub.trace.merkle.errors import ProofError, TileMissing, TilePathError
from cityhub.trace.merkle.hashing import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash, root_of
from cityhub.trace.merkle.proofs import (
    NodeGetter,
    consistency_proof,
    inclusion_proof,
    range_root,
    tree_root,
)
from cityhub.trace.merkle.reader import TileFetcher, TileReader, expand_tile
from cityhub.trace.merkle.tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    TileRef,
    entries_path,
    new_tiles,
    parse_tile_path,
    tile_path,
    tiles_for_size,
)
from cityhub.trace.merkle.verify import root_from_inclusion, verify_consistency, verify_inclusion

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "CompactRange",
    "NodeCallback",
    "NodeGetter",
    "ProofError",
    "TileFetcher",
    "TileMissing",
    "TilePathError",
    "TileReader",
    "TileRef",
    "consistency_proof",
    "entries_path",
    "expand_tile",
    "inclusion_proof",
    "leaf_hash",
    "new_tiles",
    "node_hash",
    "parse_tile_path",
    "range_root",
    "root_from_inclusion",
    "root_of",
    "tile_path",
    "tiles_for_size",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]
