"""The checkpoint publisher: signs the sequenced tree, gathers witness cosignatures, publishes.

A checkpoint counts as published once the policy's quorum of witnesses has cosigned it; only
then are the appends it covers acknowledged. Witnesses are asked in parallel; one that answers
409 is asked again from the size it says it has.

Several processes may append to one log (issue 8): each has its own publisher, and before it
publishes it looks at what the others did. A checkpoint another process published that covers
its entries is adopted as it is; otherwise it publishes the tree head as stored, which is at
least as large as its own, so publishers never fight witnesses over a smaller size.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cityhub.db.database import Database
from cityhub.errors import InvalidInput
from cityhub.trace.log.identity import LogIdentity, Witness
from cityhub.trace.log.models import TraceCheckpoint, TraceTree, TraceWitnessSize
from cityhub.trace.log.sequencer import Group
from cityhub.trace.log.store import TREE_ROW
from cityhub.trace.note import (
    Checkpoint,
    add_signatures,
    open_note,
    sign_checkpoint,
    verify_checkpoint,
)
from cityhub.trace.witness.client import request_cosignature
from cityhub.trace.witness.errors import WitnessUnreachable

log = logging.getLogger(__name__)
ConsistencyProver = Callable[[int, int], list[bytes]]


class Publisher:
    """A thread that publishes a checkpoint whenever the sequenced tree has grown."""

    def __init__(
        self,
        db: Database,
        identity: LogIdentity,
        prove: ConsistencyProver,
        *,
        min_gap: float,
        witness_timeout: float,
    ) -> None:
        self._db = db
        self._identity = identity
        self._prove = prove
        self._min_gap = min_gap
        self._timeout = witness_timeout
        self._cond = threading.Condition()
        self._target: tuple[int, bytes] | None = None
        self._waiting: list[Group] = []
        self._stopping = False
        self._pool = ThreadPoolExecutor(max(1, len(identity.witnesses)), "trace-witness")
        self._thread = threading.Thread(target=self._run, name="trace-publisher", daemon=True)
        self._witness_sizes: dict[str, int] = {}
        self.published_size = -1
        self.published_note = ""

    def start(self) -> None:
        with self._db.reading() as session:
            latest = session.scalars(
                select(TraceCheckpoint).order_by(TraceCheckpoint.size.desc()).limit(1)
            ).first()
            self._witness_sizes = {
                row.witness: row.size for row in session.scalars(select(TraceWitnessSize))
            }
        self.published_size = latest.size if latest else -1
        self.published_note = latest.note if latest else ""
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout=30)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def integrated(self, size: int, root: bytes, groups: list[Group]) -> None:
        """The sequencer stored a tree of ``size``; ``groups`` wait for a checkpoint over it."""
        with self._cond:
            if self._target is None or size > self._target[0]:
                self._target = (size, root)
            self._waiting.extend(groups)
            self._cond.notify_all()
        self._resolve()  # a checkpoint read from the database may cover them already

    def _run(self) -> None:
        last = 0.0
        while True:
            with self._cond:
                while not self._stopping and (
                    self._target is None or self._target[0] <= self.published_size
                ):
                    self._cond.wait()
                if self._stopping:
                    return
                assert self._target is not None
                size, root = self._target
            time.sleep(max(0.0, last + self._min_gap - time.monotonic()))
            last = time.monotonic()
            try:
                wanted = self._catch_up(size, root)
                if wanted is not None:
                    self._publish(*wanted)
            except Exception:  # keep publishing later; appends wait meanwhile
                log.exception("trace log: checkpoint at size %d not published", size)
                time.sleep(1.0)

    def _publish(self, size: int, root: bytes) -> None:
        note = sign_checkpoint(Checkpoint(self._identity.origin, size, root), self._identity.signer)
        answers = list(
            self._pool.map(lambda w: self._cosign(w, note, size), self._identity.witnesses)
        )
        lines = [line for answer in answers for line in answer]
        if lines:
            note = add_signatures(note, lines)
        try:
            _, cosigners = verify_checkpoint(note, self._identity.policy)
        except InvalidInput as exc:
            log.warning("trace log: checkpoint at size %d not published: %s", size, exc.message)
            time.sleep(1.0)
            return
        try:
            self._store(size, root, note, cosigners)
        except IntegrityError:  # another process published this size first: adopt theirs
            log.info("trace log: size %d was published by another process", size)
            return
        self._published(size, note)

    def _store(self, size: int, root: bytes, note: str, cosigners: list[str]) -> None:
        with self._db.transaction() as session:
            session.add(TraceCheckpoint(size=size, root=root, note=note, cosigners=cosigners))
            for name in cosigners:
                row = session.get(TraceWitnessSize, name)
                if row is None:
                    session.add(TraceWitnessSize(witness=name, size=size))
                else:
                    row.size = size

    def _catch_up(self, size: int, root: bytes) -> tuple[int, bytes] | None:
        """What to publish for the sequenced ``size``: None when a checkpoint another process
        published covers it (adopted here), else the stored tree head if it has grown past it."""
        tree = self.adopt_latest()
        if self.published_size >= size:
            return None
        if tree is not None and tree.size > size:
            return tree.size, tree.root
        return size, root

    def adopt_latest(self) -> TraceTree | None:
        """Take the newest checkpoint in the database as published here (another process may
        have published it); the stored tree head."""
        with self._db.reading() as session:
            latest = session.scalars(
                select(TraceCheckpoint).order_by(TraceCheckpoint.size.desc()).limit(1)
            ).first()
            tree = session.get(TraceTree, TREE_ROW)
        if latest is not None and latest.size > self.published_size:
            self._published(latest.size, latest.note)
        return tree

    def _published(self, size: int, note: str) -> None:
        with self._cond:
            if size > self.published_size:
                self.published_size, self.published_note = size, note
        self._resolve()

    def _resolve(self) -> None:
        """Acknowledge the waiting groups the published checkpoint covers."""
        with self._cond:
            size = self.published_size
            done = [g for g in self._waiting if g.indices and g.indices[-1] < size]
            self._waiting = [g for g in self._waiting if not (g.indices and g.indices[-1] < size)]
        for group in done:
            if not group.future.done():
                group.future.set_result(list(group.indices))

    def _cosign(self, witness: Witness, note: str, size: int) -> list[str]:
        old = self._witness_sizes.get(witness.name, 0)
        for _attempt in range(2):
            if old > size:
                log.error("witness %s claims size %d beyond the log's %d", witness.name, old, size)
                return []
            proof = self._prove(old, size) if 0 < old < size else []
            try:
                reply = request_cosignature(witness.url, old, proof, note, timeout=self._timeout)
            except (OSError, WitnessUnreachable) as exc:
                log.warning("witness %s unreachable: %s", witness.name, exc)
                return []
            if reply.status == 200:
                self._witness_sizes[witness.name] = size
                return self._checked(witness, note, reply.lines)
            if reply.status == 409 and reply.witness_size is not None:
                old = reply.witness_size
                continue
            log.warning("witness %s refused size %d: HTTP %d", witness.name, size, reply.status)
            return []
        return []

    def _checked(self, witness: Witness, note: str, lines: list[str]) -> list[str]:
        """The witness's lines if they verify: one bad cosignature must not sink the rest."""
        verifier, _url = self._identity.policy.witnesses[witness.name]
        try:
            open_note(add_signatures(note, lines), [self._identity.policy.log, verifier])
        except InvalidInput as exc:
            log.error("witness %s sent an invalid cosignature: %s", witness.name, exc.message)
            return []
        return lines
