"""The log's state for the overview page, read from its public checkpoint and trust policy.

Everything here is what any client of ``/trace/log/checkpoint`` and ``/trace/log/policy`` could
work out: the size, the witnesses whose cosignatures verify, whether they meet the quorum, and
when the checkpoint was cosigned (the log's own signature carries no time).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import InvalidInput, NotFound
from cityhub.trace import logview
from cityhub.trace.log import TraceLog
from cityhub.trace.note import (
    COSIGNATURE_V1,
    Policy,
    cosignature_timestamp,
    parse_note,
    parse_policy,
    verify_checkpoint,
)


@dataclass(frozen=True)
class LogStatus:
    """The latest published checkpoint as a reader sees it."""

    origin: str
    size: int
    root: str
    witnesses: tuple[str, ...]  # every witness of the policy
    cosigned: tuple[str, ...]  # those whose cosignatures verify
    quorum: str  # "none", a witness, or "<group>: k of n"
    quorum_met: bool
    cosigned_at: datetime | None  # the latest cosignature's time
    problem: str | None = None  # why the checkpoint did not verify, if it did not


def _quorum(policy: Policy) -> str:
    if policy.quorum is None:
        return "none"
    if policy.quorum in policy.groups:
        k, members = policy.groups[policy.quorum]
        return f"{policy.quorum}: {k} / {len(members)}"
    return policy.quorum


def _cosigned_at(note: str, policy: Policy) -> datetime | None:
    keys = {(v.name, v.key_id) for v, _url in policy.witnesses.values() if v.kind == COSIGNATURE_V1}
    times = [
        cosignature_timestamp(sig)
        for sig in parse_note(note).signatures
        if (sig.name, sig.key_id) in keys
    ]
    return datetime.fromtimestamp(max(times), UTC) if times else None


def log_status(db: Database, log: TraceLog, actor: Actor) -> LogStatus | None:
    """The status of the latest checkpoint; None while the log has published none."""
    policy = parse_policy(logview.policy(db, log, actor))
    try:
        note = logview.checkpoint(db, log, actor)
    except NotFound:
        return None
    witnesses = tuple(policy.witnesses)
    try:
        checkpoint, cosigned = verify_checkpoint(note, policy)
    except InvalidInput as error:  # shown, so that an operator sees a broken checkpoint
        origin, size, root = ([*note.split("\n"), "", "", ""])[:3]
        return LogStatus(
            origin,
            int(size) if size.isdigit() else 0,
            root,
            witnesses,
            (),
            _quorum(policy),
            False,
            None,
            problem=error.message,
        )
    return LogStatus(
        origin=checkpoint.origin,
        size=checkpoint.size,
        root=base64.b64encode(checkpoint.root).decode("ascii"),
        witnesses=witnesses,
        cosigned=tuple(cosigned),
        quorum=_quorum(policy),
        quorum_met=policy.satisfied(cosigned),
        cosigned_at=_cosigned_at(note, policy),
    )
