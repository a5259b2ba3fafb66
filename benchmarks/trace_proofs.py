"""Inclusion proofs at 10M leaves: the trace log against pymerkle, in the same run.

    python benchmarks/trace_proofs.py                    # 10,000,000 leaves, SQLite
    python benchmarks/trace_proofs.py --leaves 1000000   # smaller

Builds a log of N leaves in a fresh SQLite metadata database the way the sequencer stores it
(tiles and tree head; the leaf rows themselves are not needed for proofs and are left out to keep
the build short), publishes a signed checkpoint over it, and times ``TraceLog.inclusion`` for
random leaves: first cold (tiles read from the database), then warm (tiles cached). The baseline
is pymerkle's ``SqliteTree`` holding the same N leaves, timing ``prove_inclusion``. Each proof is
checked against the published root. Target: under 1 ms per proof at 10M leaves.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from pymerkle import SqliteTree

from cityhub.config import Settings
from cityhub.db import Database, upgrade
from cityhub.trace.log import TraceLog
from cityhub.trace.log.models import TraceCheckpoint
from cityhub.trace.log.store import Edge, store_batch
from cityhub.trace.merkle import leaf_hash, verify_inclusion
from cityhub.trace.note import Checkpoint, generate_signer, sign_checkpoint

ORIGIN = "bench.example/trace/log"
CHUNK = 200_000


def entry(i: int) -> bytes:
    return b"leaf %d" % i


def build_log(db: Database, leaves: int) -> bytes:
    edge = Edge()
    started = time.perf_counter()
    for first in range(0, leaves, CHUNK):
        count = min(CHUNK, leaves - first)
        tiles = edge.extend([leaf_hash(entry(i)) for i in range(first, first + count)])
        with db.transaction() as session:
            store_batch(session, first, [], edge, tiles)
    print(f"  built {leaves:,} leaves in {time.perf_counter() - started:.1f} s")
    return edge.range.root()


def time_ours(data_dir: Path, leaves: int, samples: list[int]) -> tuple[float, float]:
    url = f"sqlite:///{data_dir / 'trace.db'}"
    db = Database(url)
    upgrade(db)
    root = build_log(db, leaves)
    signer = generate_signer(ORIGIN)
    key = data_dir / "log.skey"
    key.write_text(signer.skey() + "\n")
    note = sign_checkpoint(Checkpoint(ORIGIN, leaves, root), signer)
    with db.transaction() as session:
        session.add(TraceCheckpoint(size=leaves, root=root, note=note, cosigners=[]))
    settings = Settings(
        data_dir=data_dir, database_url=url, trace_origin=ORIGIN, trace_log_key_file=key
    )
    with TraceLog(db, settings) as log:
        timings = []
        for warm in (False, True):
            started = time.perf_counter()
            for index in samples:
                proof = log.inclusion(index, leaves)
            timings.append((time.perf_counter() - started) / len(samples))
            if not warm:
                for index in samples[:50]:
                    proof = log.inclusion(index, leaves)
                    verify_inclusion(leaf_hash(entry(index)), index, leaves, proof, root)
    db.dispose()
    return timings[0], timings[1]


def time_pymerkle(data_dir: Path, leaves: int, samples: list[int]) -> float:
    tree = SqliteTree(str(data_dir / "pymerkle.db"))
    started = time.perf_counter()
    tree.append_entries([entry(i) for i in range(leaves)])
    print(f"  pymerkle SqliteTree built in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    for index in samples:
        tree.prove_inclusion(index + 1, leaves)  # pymerkle counts from 1
    elapsed = (time.perf_counter() - started) / len(samples)
    tree.con.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leaves", type=int, default=10_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument(
        "--pymerkle-proofs",
        type=int,
        default=5,
        help="pymerkle's proofs at 10M leaves take seconds each: time only the first few",
    )
    args = parser.parse_args()
    rng = random.Random(9162)
    samples = [rng.randrange(args.leaves) for _ in range(args.proofs)]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"cityhub trace log, {args.leaves:,} leaves:")
        cold, warm = time_ours(Path(tmp), args.leaves, samples)
        print(f"  inclusion proof: {cold * 1e3:.3f} ms cold, {warm * 1e3:.3f} ms warm")
        print(f"pymerkle {getattr(SqliteTree, '__module__', '')} SqliteTree:")
        theirs = time_pymerkle(Path(tmp), args.leaves, samples[: args.pymerkle_proofs])
        print(f"  inclusion proof: {theirs * 1e3:.3f} ms (first {args.pymerkle_proofs} samples)")
    print(f"ratio pymerkle / cityhub: {theirs / cold:.1f}x cold, {theirs / warm:.1f}x warm")
    print(f"target < 1 ms at 10M leaves: {'met' if cold < 1e-3 else 'NOT met'} (cold)")


if __name__ == "__main__":
    main()
