"""Read access to the public log: checkpoints, keys, tiles and proofs, each behind TRACE_READ."""

from __future__ import annotations

from cityhub.audit import service as audit
from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.trace.log import TraceLog
from cityhub.trace.merkle import parse_tile_path


def _allow(db: Database, actor: Actor, action: str) -> None:
    audit.require(db, actor, Permission.TRACE_READ, action, object_type="trace_log")


def checkpoint(db: Database, log: TraceLog, actor: Actor, size: int | None = None) -> str:
    _allow(db, actor, "trace.log.checkpoint")
    return log.checkpoint(size)


def vkeys(db: Database, log: TraceLog, actor: Actor) -> str:
    _allow(db, actor, "trace.log.vkeys")
    policy = log.identity.policy
    lines = [policy.log.vkey()]
    lines += [verifier.vkey() for _name, (verifier, _url) in sorted(policy.witnesses.items())]
    return "".join(line + "\n" for line in lines)


def policy(db: Database, log: TraceLog, actor: Actor) -> str:
    _allow(db, actor, "trace.log.policy")
    return log.policy_text()


def tile(db: Database, log: TraceLog, actor: Actor, path: str) -> bytes:
    _allow(db, actor, "trace.log.tile")
    ref, is_entries = parse_tile_path(path)
    if is_entries:
        return log.entry_bundle(ref.index, ref.width)
    return log.tile(ref.level, ref.index, ref.width)


def inclusion(
    db: Database, log: TraceLog, actor: Actor, index: int, size: int | None
) -> tuple[int, list[bytes]]:
    _allow(db, actor, "trace.log.inclusion")
    tree = log.published_size() if size is None else size
    return tree, log.inclusion(index, tree)


def consistency(
    db: Database, log: TraceLog, actor: Actor, first: int, second: int | None
) -> tuple[int, list[bytes]]:
    _allow(db, actor, "trace.log.consistency")
    tree = log.published_size() if second is None else second
    return tree, log.consistency(first, tree)


def bundle(db: Database, log: TraceLog, actor: Actor, index: int) -> str:
    _allow(db, actor, "trace.log.bundle")
    return log.proof_bundle(index)


__all__ = ["checkpoint", "consistency", "inclusion", "policy", "tile", "vkeys"]
