"""Reading and writing the tree in the metadata database: leaves, tiles and the tree head.

The writer keeps the right edge of the tree (a compact range) and the last tile of each level in
memory; a batch of leaves updates copies of both, and the copies replace the originals only after
the transaction that stored them has committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cityhub.db.base import utcnow
from cityhub.trace.log.models import TraceLeaf, TraceTile, TraceTree
from cityhub.trace.merkle import EMPTY_ROOT, HASH_SIZE, TILE_HEIGHT, TILE_WIDTH, CompactRange

TREE_ROW = 1


@dataclass
class Edge:
    """The writer's view of the tree: its right edge and the growing last tile of each level."""

    range: CompactRange = field(default_factory=CompactRange)
    tiles: dict[int, tuple[int, bytearray]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return self.range.size

    def copy(self) -> Edge:
        tiles = {level: (index, bytearray(data)) for level, (index, data) in self.tiles.items()}
        return Edge(CompactRange(self.range.size, list(self.range.hashes)), tiles)

    def extend(self, leaf_hashes: Sequence[bytes]) -> dict[tuple[int, int], bytes]:
        """Append leaf hashes; return the tiles that changed, keyed by (tile level, index)."""
        touched: dict[tuple[int, int], bytearray] = {}

        def on_node(level: int, index: int, node: bytes) -> None:
            if level % TILE_HEIGHT:
                return
            tile_level = level // TILE_HEIGHT
            tile_index, position = divmod(index, TILE_WIDTH)
            current = self.tiles.get(tile_level)
            if current is None or current[0] != tile_index:
                current = (tile_index, bytearray())
                self.tiles[tile_level] = current
            if len(current[1]) != position * HASH_SIZE:
                raise AssertionError(f"tile {tile_level}/{tile_index} out of step at {position}")
            current[1].extend(node)
            touched[(tile_level, tile_index)] = current[1]

        for leaf in leaf_hashes:
            self.range.append(leaf, on_node)
        return {key: bytes(data) for key, data in touched.items()}


def load_edge(session: Session) -> Edge:
    """The tree head and last tiles as stored; an empty edge for a new log."""
    tree = session.get(TraceTree, TREE_ROW)
    if tree is None:
        return Edge()
    hashes = [tree.edge[i : i + HASH_SIZE] for i in range(0, len(tree.edge), HASH_SIZE)]
    edge = Edge(CompactRange(tree.size, hashes))
    level = 0
    while (count := tree.size >> (TILE_HEIGHT * level)) > 0:
        index, width = divmod(count, TILE_WIDTH)
        if width:
            data = session.scalar(
                select(TraceTile.data).where(TraceTile.level == level, TraceTile.idx == index)
            )
            if data is None or len(data) < width * HASH_SIZE:
                raise AssertionError(f"tile {level}/{index} missing or short for size {tree.size}")
            edge.tiles[level] = (index, bytearray(data[: width * HASH_SIZE]))
        level += 1
    return edge


def lock_size(session: Session) -> int:
    """Lock the tree head for this transaction (PostgreSQL) and return the stored size."""
    query = select(TraceTree.size).where(TraceTree.id == TREE_ROW)
    if session.get_bind().dialect.name == "postgresql":
        # An empty log has no head row to lock: two processes' first appends would both take
        # leaf 0. Make the row (size 0) first; of two such inserts one waits, then does nothing.
        session.execute(
            postgresql.insert(TraceTree)
            .values(id=TREE_ROW, size=0, root=EMPTY_ROOT, edge=b"", updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=["id"])
        )
        query = query.with_for_update()
    size = session.scalar(query)
    return 0 if size is None else int(size)


def store_batch(
    session: Session,
    first_index: int,
    leaves: Sequence[bytes],
    edge: Edge,
    tiles: dict[tuple[int, int], bytes],
) -> None:
    """Write the leaves, the changed tiles and the new tree head in the caller's transaction."""
    if leaves:
        session.execute(
            insert(TraceLeaf),
            [{"idx": first_index + i, "data": data} for i, data in enumerate(leaves)],
        )
    if tiles:
        _upsert_tiles(session, tiles)
    edge_bytes = b"".join(edge.range.hashes)
    tree = session.get(TraceTree, TREE_ROW)
    if tree is None:
        session.add(TraceTree(id=TREE_ROW, size=edge.size, root=edge.range.root(), edge=edge_bytes))
    else:
        tree.size = edge.size
        tree.root = edge.range.root()
        tree.edge = edge_bytes
        tree.updated_at = utcnow()
    session.flush()


def _upsert_tiles(session: Session, tiles: dict[tuple[int, int], bytes]) -> None:
    rows = [{"level": level, "idx": index, "data": data} for (level, index), data in tiles.items()]
    if session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(TraceTile)
        session.execute(
            pg.on_conflict_do_update(
                index_elements=["level", "idx"], set_={"data": pg.excluded.data}
            ),
            rows,
        )
    else:
        lite = sqlite.insert(TraceTile)
        session.execute(
            lite.on_conflict_do_update(
                index_elements=["level", "idx"], set_={"data": lite.excluded.data}
            ),
            rows,
        )


def read_tile(session: Session, level: int, index: int) -> bytes | None:
    """The stored hashes of one tile (maybe partial), or None."""
    return session.scalar(
        select(TraceTile.data).where(TraceTile.level == level, TraceTile.idx == index)
    )


def read_leaves(session: Session, first: int, count: int) -> list[bytes]:
    """Leaves ``first`` … ``first + count - 1`` in order (fewer if the log is shorter)."""
    rows = session.execute(
        select(TraceLeaf.data)
        .where(TraceLeaf.idx >= first, TraceLeaf.idx < first + count)
        .order_by(TraceLeaf.idx)
    )
    return [bytes(data) for (data,) in rows]
