"""The overview's log status, read from a checkpoint and a 2-of-3 witness policy."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import NotFound
from cityhub.trace.note import COSIGNATURE_V1, Checkpoint, NoteSigner, sign_note
from cityhub.web.pages.trace_status import log_status

ORIGIN = "trace.liaocheng.example/log"
LOG = NoteSigner(ORIGIN, bytes(32))
WITNESSES = [NoteSigner(f"witness.{n}", bytes([n]) * 32, COSIGNATURE_V1) for n in (1, 2, 3)]
POLICY = (
    f"log {LOG.verifier().vkey()}\n"
    + "".join(f"witness w{n} {w.verifier().vkey()}\n" for n, w in enumerate(WITNESSES, 1))
    + "group departments 2 w1 w2 w3\nquorum departments\n"
)
BODY = Checkpoint(ORIGIN, 42, bytes(range(32))).body()


@dataclass
class FakeLog:
    """What ``log_status`` reads of a TraceLog: its policy and latest checkpoint."""

    note: str | None

    def policy_text(self) -> str:
        return POLICY

    def checkpoint(self, size: int | None = None) -> str:
        if self.note is None:
            raise NotFound("no checkpoint published")
        return self.note


def test_a_checkpoint_cosigned_by_two_of_three_meets_the_quorum(db: Database) -> None:
    before = int(time.time())
    note = sign_note(BODY, [LOG, WITNESSES[0], WITNESSES[2]])
    status = log_status(db, FakeLog(note), Actor.public())  # type: ignore[arg-type]
    assert status is not None
    assert (status.origin, status.size, status.problem) == (ORIGIN, 42, None)
    assert status.witnesses == ("w1", "w2", "w3") and status.cosigned == ("w1", "w3")
    assert (status.quorum, status.quorum_met) == ("departments: 2 / 3", True)
    assert status.cosigned_at is not None
    assert before <= status.cosigned_at.timestamp() <= time.time()
    assert status.cosigned_at.tzinfo == UTC


def test_one_cosignature_is_shown_as_a_problem(db: Database) -> None:
    note = sign_note(BODY, [LOG, WITNESSES[1]])
    status = log_status(db, FakeLog(note), Actor.public())  # type: ignore[arg-type]
    assert status is not None
    assert (status.size, status.quorum_met, status.cosigned) == (42, False, ())
    assert status.problem is not None and "quorum" in status.problem


def test_no_checkpoint_yet_is_no_status(db: Database) -> None:
    assert log_status(db, FakeLog(None), Actor.public()) is None  # type: ignore[arg-type]


def test_a_checkpoint_time_is_never_made_up(db: Database) -> None:
    # Quorum none: the log's own signature carries no time, so none is shown.
    policy = f"log {LOG.verifier().vkey()}\nquorum none\n"
    log = FakeLog(sign_note(BODY, [LOG]))
    log.policy_text = lambda: policy  # type: ignore[method-assign]
    status = log_status(db, log, Actor.public())  # type: ignore[arg-type]
    assert status is not None and status.cosigned_at is None and status.quorum == "none"
    assert status.quorum_met
