"""Checking the trace log held by a database: leaves, tiles, tree head and checkpoints agree.

Run on the snapshot when a backup is taken (so a backup of a broken log is refused, and the
manifest records what the log was) and on the target after a restore (so a restore that lost or
changed an entry is refused).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Table, select

import cityhub.models  # noqa: F401  (registers the trace tables on Base.metadata)
from cityhub.backup.manifest import BackupCorrupt, LogSummary
from cityhub.db.base import Base
from cityhub.trace.merkle import CompactRange, TileReader, leaf_hash, tree_root

_BATCH = 4096


def check_log(engine: Engine) -> LogSummary:
    """Recompute the tree from its leaves and compare it with every checkpoint and the tiles."""
    leaves = Base.metadata.tables["trace_leaves"]
    checkpoints = Base.metadata.tables["trace_checkpoints"]
    tree = Base.metadata.tables["trace_tree"]
    with engine.connect() as connection:
        published = connection.execute(
            select(checkpoints.c.size, checkpoints.c.root, checkpoints.c.note).order_by(
                checkpoints.c.size
            )
        ).all()
        head = connection.execute(select(tree.c.size, tree.c.root)).first()
        size = int(head.size) if head is not None else 0
        roots = _roots_at(connection, leaves, size, {int(row.size) for row in published})
        for row in published:
            if roots.get(int(row.size)) != bytes(row.root):
                raise BackupCorrupt(
                    f"the trace log's leaves do not give the root of the checkpoint at size "
                    f"{row.size}",
                    details={"checkpoint_size": int(row.size)},
                )
        if head is not None:
            if roots.get(size) != bytes(head.root):
                raise BackupCorrupt(f"the trace log's leaves do not give its head at size {size}")
            _check_tiles(connection, size, bytes(head.root))
    latest = published[-1] if published else None
    return LogSummary(
        size=size,
        checkpoints=len(published),
        latest_checkpoint_size=int(latest.size) if latest else 0,
        latest_checkpoint_root=bytes(latest.root).hex() if latest else "",
        origin=str(latest.note).split("\n", 1)[0] if latest else "",
    )


def _roots_at(
    connection: Connection, leaves: Table, size: int, sizes: set[int]
) -> dict[int, bytes]:
    wanted = sizes | {size}
    edge = CompactRange()
    roots: dict[int, bytes] = {}
    if 0 in wanted:
        roots[0] = edge.root()
    query = select(leaves.c.idx, leaves.c.data).where(leaves.c.idx < size).order_by(leaves.c.idx)
    result = connection.execution_options(stream_results=True, yield_per=_BATCH).execute(query)
    for index, data in result:
        if index != edge.size:
            raise BackupCorrupt(f"the trace log is missing leaf {edge.size}")
        edge.append(leaf_hash(bytes(data)))
        if edge.size in wanted:
            roots[edge.size] = edge.root()
    if edge.size != size:
        raise BackupCorrupt(f"the trace log holds {edge.size} leaves, its head says {size}")
    return roots


def _check_tiles(connection: Connection, size: int, root: bytes) -> None:
    tiles = Base.metadata.tables["trace_tiles"]

    def fetch(level: int, index: int) -> bytes:
        data = connection.scalar(
            select(tiles.c.data).where(tiles.c.level == level, tiles.c.idx == index)
        )
        if data is None:
            raise BackupCorrupt(f"the trace log's tile {level}/{index} is missing")
        return bytes(data)

    if size and tree_root(size, TileReader(fetch).node) != root:
        raise BackupCorrupt(f"the trace log's tiles do not give its head at size {size}")
