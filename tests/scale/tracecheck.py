"""Checking the shared trace log after two processes appended to it, independently of them.

The test recomputes what the log must hold from the leaves in the database (RFC 9162 roots with
``cityhub.trace.merkle``) and checks what the processes answered with the project's verifiers:
each append's C2SP proof bundle, each stored checkpoint's signature and root, and consistency
proofs from every stored checkpoint to the newest, as each process serves them.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass

import httpx2
from sqlalchemy import select

from cityhub.db import Database
from cityhub.trace.bundles import verify_bundle
from cityhub.trace.log.models import TraceCheckpoint, TraceLeaf, TraceTree
from cityhub.trace.log.store import TREE_ROW
from cityhub.trace.merkle import (
    TileReader,
    entries_path,
    leaf_hash,
    root_of,
    tile_path,
    tiles_for_size,
    tree_root,
    verify_consistency,
)
from cityhub.trace.note import Policy, parse_proof_bundle, verify_checkpoint

# Many checkpoint periods (0.05 s here): how long a process may serve an older checkpoint than
# another process published.
CATCH_UP_SECONDS = 3.0


@dataclass(frozen=True)
class Stored:
    """The log as the database holds it."""

    leaves: list[bytes]  # by index
    tree_size: int
    checkpoints: dict[int, tuple[bytes, str]]  # size -> (root, note)


def stored_log(db: Database) -> Stored:
    """Leaves, tree head and published checkpoints; the leaf indices must be 0..N-1."""
    with db.reading() as session:
        rows = session.execute(select(TraceLeaf.idx, TraceLeaf.data).order_by(TraceLeaf.idx)).all()
        tree = session.get(TraceTree, TREE_ROW)
        checkpoints = {
            int(row.size): (bytes(row.root), row.note)
            for row in session.scalars(select(TraceCheckpoint))
        }
    indices = [int(idx) for idx, _ in rows]
    assert indices == list(range(len(rows))), f"leaf indices are not 0..N-1: {indices}"
    size = 0 if tree is None else int(tree.size)  # a new log has no tree head yet
    assert size == len(rows), f"the tree head says {size} leaves, the log holds {len(rows)}"
    return Stored([bytes(data) for _, data in rows], size, checkpoints)


def check_bundle(leaf: bytes, index: int, bundle: str, policy: Policy, stored: Stored) -> None:
    """The append's bundle proves ``leaf`` at ``index`` under a checkpoint the log published."""
    included = verify_bundle(leaf, bundle, policy)
    assert included.index == index
    size = included.checkpoint.size
    assert size in stored.checkpoints, f"bundle of leaf {index} cites unpublished size {size}"
    assert stored.checkpoints[size][1] == parse_proof_bundle(bundle).checkpoint


def check_checkpoints(stored: Stored, policy: Policy) -> int:
    """Every stored checkpoint is signed, and its root is that of the first ``size`` leaves;
    the newest covers every leaf. Returns the newest size."""
    hashes = [leaf_hash(leaf) for leaf in stored.leaves]
    for size, (root, note) in sorted(stored.checkpoints.items()):
        checkpoint, _ = verify_checkpoint(note, policy)
        assert (checkpoint.size, checkpoint.root) == (size, root)
        assert root_of(hashes[:size]) == root, f"checkpoint {size}: root is not the leaves'"
    newest = max(stored.checkpoints)
    assert newest == stored.tree_size, "the newest checkpoint does not cover every leaf"
    return newest


def check_consistency(client: httpx2.Client, stored: Stored, newest: int) -> None:
    """The process proves every stored checkpoint consistent with the newest."""
    root2 = stored.checkpoints[newest][0]
    for size, (root1, _) in sorted(stored.checkpoints.items()):
        if size == 0:  # the empty tree's checkpoint: nothing to prove (its root was checked)
            continue
        answer = client.get(
            "/api/trace/log/proofs/consistency", params={"first": size, "second": newest}
        )
        assert answer.status_code == 200, answer.text
        proof = [base64.b64decode(h) for h in answer.json()["proof"]]
        verify_consistency(size, newest, proof, root1, root2)


def served_checkpoint(client: httpx2.Client, policy: Policy, newest: int) -> tuple[int, bytes]:
    """The size and root of the checkpoint a process serves at /trace/log/checkpoint, once it
    serves ``newest`` or ``CATCH_UP_SECONDS`` have passed."""
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while True:
        answer = client.get("/trace/log/checkpoint")
        assert answer.status_code == 200, answer.text
        checkpoint, _ = verify_checkpoint(answer.text, policy)
        if checkpoint.size >= newest or time.monotonic() > deadline:
            return checkpoint.size, checkpoint.root
        time.sleep(0.05)


def check_tiles(client: httpx2.Client, size: int, root: bytes, leaves: list[bytes]) -> None:
    """A C2SP tiles client of this process rebuilds the tree of ``size`` to ``root``, and its
    entry bundles hold ``leaves``."""
    tiles: dict[tuple[int, int], bytes] = {}
    for ref in tiles_for_size(size):
        answer = client.get(f"/trace/log/{tile_path(ref.level, ref.index, ref.width)}")
        assert answer.status_code == 200, f"tile {ref} of size {size}: {answer.text}"
        tiles[(ref.level, ref.index)] = answer.content
    reader = TileReader(lambda level, index: tiles[(level, index)])
    assert tree_root(size, reader.node) == root, f"the tiles of size {size} give another root"
    served: list[bytes] = []
    for ref in (t for t in tiles_for_size(size) if t.level == 0):
        answer = client.get(f"/trace/log/{entries_path(ref.index, ref.width)}")
        assert answer.status_code == 200, f"entries {ref} of size {size}: {answer.text}"
        data, at = answer.content, 0
        while at < len(data):
            length = int.from_bytes(data[at : at + 2], "big")
            served.append(data[at + 2 : at + 2 + length])
            at += 2 + length
    assert served == leaves[:size], f"the entry bundles of size {size} are not the leaves"
