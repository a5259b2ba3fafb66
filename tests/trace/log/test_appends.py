"""Appending: sequencing, checkpoints, proofs against them, failure of one group only."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotFound
from cityhub.trace.log import Pending, TraceLog
from cityhub.trace.merkle import (
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from cityhub.trace.note import open_note, parse_checkpoint, parse_note, parse_proof_bundle


def _leaves(n: int, tag: str = "x") -> list[Pending]:
    return [Pending(f"leaf {tag} {i}\n".encode()) for i in range(n)]


def _checkpoint_of(log: TraceLog, note: str) -> tuple[int, bytes]:
    opened, _ = open_note(note, [log.identity.signer.verifier()])
    cp = parse_checkpoint(opened.text)
    assert cp.origin == "test.example/log"
    return cp.size, cp.root


def test_a_new_log_publishes_the_empty_tree(trace_log: TraceLog) -> None:
    _wait_for(lambda: trace_log.published_size() == 0 and _has_checkpoint(trace_log))
    size, root = _checkpoint_of(trace_log, trace_log.checkpoint())
    assert (size, root) == (0, root_of([]))


def test_append_returns_indices_covered_by_a_signed_checkpoint(trace_log: TraceLog) -> None:
    indices = trace_log.append_blocking(_leaves(5))
    assert indices == [0, 1, 2, 3, 4]
    size, _root = _checkpoint_of(trace_log, trace_log.checkpoint())
    assert size >= 5
    for index in indices:
        bundle = parse_proof_bundle(trace_log.proof_bundle(index))
        assert bundle.index == index
        cp = parse_checkpoint(parse_note(bundle.checkpoint).text)
        verify_inclusion(
            leaf_hash(f"leaf x {index}\n".encode()), index, cp.size, list(bundle.path), cp.root
        )


def test_the_root_is_the_rfc_9162_root_of_every_leaf(trace_log: TraceLog) -> None:
    for round_ in range(4):
        trace_log.append_blocking(_leaves(97, f"r{round_}"))
    size, root = _checkpoint_of(trace_log, trace_log.checkpoint())
    leaves = [trace_log.leaf(i) for i in range(size)]
    assert size == 4 * 97
    assert root == root_of([leaf_hash(leaf) for leaf in leaves])


def test_concurrent_appends_get_distinct_indices(trace_log: TraceLog) -> None:
    results: list[list[int]] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        got = trace_log.append_blocking(_leaves(20, f"w{n}"))
        with lock:
            results.append(got)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = sorted(i for group in results for i in group)
    assert every == list(range(160))
    for group in results:  # a group is contiguous: one submission, one run of indices
        assert group == list(range(group[0], group[0] + 20))


def test_consistency_between_any_two_published_sizes(trace_log: TraceLog) -> None:
    notes = []
    for round_ in range(5):
        trace_log.append_blocking(_leaves(13 + round_, f"c{round_}"))
        notes.append(trace_log.checkpoint())
    heads = [_checkpoint_of(trace_log, note) for note in notes]
    for size1, root1 in heads:
        for size2, root2 in heads:
            if 0 < size1 <= size2:
                verify_consistency(size1, size2, trace_log.consistency(size1, size2), root1, root2)


def test_a_failing_write_fails_only_its_own_group(trace_log: TraceLog) -> None:
    def refuse(_session: Session, _index: int) -> None:
        raise Conflict("duplicate event")

    good = trace_log.submit(_leaves(3, "good"))
    bad = trace_log.submit([Pending(b"bad\n", refuse)])
    also_good = trace_log.submit(_leaves(2, "also"))
    with pytest.raises(Conflict):
        bad.result(timeout=30)
    assert len(good.result(timeout=30)) == 3
    assert len(also_good.result(timeout=30)) == 2
    assert trace_log.published_size() == 5


def test_writes_run_in_the_sequencing_transaction(trace_log: TraceLog, bare_db: Database) -> None:
    with bare_db.transaction() as session:
        session.execute(text("CREATE TABLE side (idx INTEGER PRIMARY KEY, note TEXT)"))

    def store(session: Session, index: int) -> None:
        session.execute(text("INSERT INTO side VALUES (:i, 'x')"), {"i": index})

    [index] = trace_log.append_blocking([Pending(b"with rows\n", store)])
    with bare_db.reading() as session:
        assert session.execute(text("SELECT idx FROM side")).scalars().all() == [index]


@pytest.mark.parametrize(
    ("index", "size"),
    [(-1, 3), (3, 3), (0, 99), (5, 2)],
)
def test_proofs_outside_the_published_tree_are_refused(
    trace_log: TraceLog, index: int, size: int
) -> None:
    trace_log.append_blocking(_leaves(3))
    with pytest.raises(InvalidInput):
        trace_log.inclusion(index, size)


def test_nothing_to_append_is_refused(trace_log: TraceLog) -> None:
    with pytest.raises(InvalidInput):
        trace_log.submit([])


def test_a_restarted_log_continues_the_same_tree(bare_db: Database, settings: Settings) -> None:
    config = settings.model_copy(update={"trace_origin": "test.example/log"})
    with TraceLog(bare_db, config) as first:
        first.append_blocking(_leaves(300, "a"))
        before = first.checkpoint()
    with TraceLog(bare_db, config) as second:
        second.append_blocking(_leaves(50, "b"))
        after = second.checkpoint()
        size1, root1 = _checkpoint_of(second, before)
        size2, root2 = _checkpoint_of(second, after)
        assert (size1, size2) == (300, 350)
        verify_consistency(300, 350, second.consistency(300, 350), root1, root2)
        with pytest.raises(NotFound):
            second.checkpoint(size=7)


def _has_checkpoint(log: TraceLog) -> bool:
    try:
        log.checkpoint()
    except NotFound:
        return False
    return True


def _wait_for(condition: object, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached")


def test_a_group_writer_sees_every_index_in_the_same_transaction(
    trace_log: TraceLog, bare_db: Database
) -> None:
    with bare_db.transaction() as session:
        session.execute(text("CREATE TABLE grouped (idx INTEGER PRIMARY KEY)"))
    seen: list[list[int]] = []

    def store_all(session: Session, indices: list[int]) -> None:
        seen.append(indices)
        session.execute(text("INSERT INTO grouped VALUES (:i)"), [{"i": i} for i in indices])

    def refuse(_session: Session, _indices: list[int]) -> None:
        raise Conflict("changed meanwhile")

    failing = trace_log.submit(_leaves(2, "no"), refuse)
    indices = trace_log.append_blocking(_leaves(4, "g"), store_all)
    with pytest.raises(Conflict):
        failing.result(timeout=30)
    assert seen == [indices]
    with bare_db.reading() as session:
        assert session.execute(text("SELECT idx FROM grouped")).scalars().all() == indices
    assert trace_log.published_size() == 4  # the refused group left no leaf behind
