"""The review loop: uncertain pairs for a person to judge, and the decisions they make.

A decision is about two records (each dataset + key), not about a run: it is stored on the pair
of the run where it was made, and every later run of the same kind over those datasets applies
the newest decision on each pair — ``same`` links the two records whatever the model says,
``different`` takes the model's link between them away (they may still meet in one cluster
through other records).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission, Role
from cityhub.catalog import Dataset, PersonalKind
from cityhub.db import Database, utcnow
from cityhub.errors import InvalidInput, NotFound
from cityhub.linking.features import Kind
from cityhub.linking.models import LinkPair, LinkRun
from cityhub.linking.pipeline import Decision
from cityhub.pool.masking import mask_value

Records = tuple[tuple[str, str], tuple[str, str]]
# A pair's detail field → the role of the source column it came from.
FIELD_ROLES = {
    "name": ("name",),
    "address": ("address",),
    "rep": ("legal_rep",),
    "phone": ("phone",),
    "code": ("credit_code", "id_number"),
    "key": ("key",),
}


class Verdict(StrEnum):
    """What a reviewer says about a pair."""

    SAME = "same"  # 是同一主体
    DIFFERENT = "different"  # 不是同一主体


def carried(session: Session, kind: str, datasets: list[str]) -> dict[Records, LinkPair]:
    """The newest decided pair for each pair of records among ``datasets``."""
    query = (
        select(LinkPair)
        .join(LinkRun, LinkRun.id == LinkPair.run_id)
        .where(
            LinkRun.kind == kind,
            LinkPair.decision.is_not(None),
            LinkPair.left_dataset.in_(datasets),
            LinkPair.right_dataset.in_(datasets),
        )
        .order_by(LinkPair.decided_at, LinkPair.id)
    )
    newest: dict[Records, LinkPair] = {}
    for pair in session.scalars(query):
        newest[((pair.left_dataset, pair.left_key), (pair.right_dataset, pair.right_key))] = pair
    return newest


def earlier_decisions(db: Database, kind: Kind, datasets: list[str]) -> list[Decision]:
    """The decisions a run over ``datasets`` applies."""
    with db.reading() as session:
        decided = carried(session, kind.value, datasets)
    return [
        Decision(left, right, pair.decision == Verdict.SAME.value)
        for (left, right), pair in decided.items()
    ]


@dataclass(frozen=True)
class ReviewPair:
    """A pair as a reviewer sees it: personal values masked unless the viewer may see them."""

    id: int
    run_id: int
    left_dataset: str
    left_key: str
    right_dataset: str
    right_key: str
    match_probability: float
    match_weight: float
    detail: dict[str, Any]
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None


def _masked_fields(session: Session, actor: Actor, run: LinkRun) -> dict[str, dict[str, str]]:
    """Per source dataset, the detail fields the actor sees masked, with their personal class.

    Linking reads personal columns in the clear (owner department or admin only); whoever
    reviews the run later sees them as the catalogue would show them: masked outside the owner
    department, clear for admins.
    """
    if actor.role is Role.ADMIN:
        return {}
    masked: dict[str, dict[str, str]] = {}
    for source in run.sources:
        dataset = session.scalar(select(Dataset).where(Dataset.name == source["dataset"]))
        if dataset is not None and dataset.department.code == actor.department_code:
            continue
        personal = {c.name: c.personal for c in dataset.columns if c.personal} if dataset else {}
        columns = source["columns"]
        masked[source["dataset"]] = {
            field: personal.get(columns.get(role, "")) or PersonalKind.OTHER.value
            for field, roles in FIELD_ROLES.items()
            for role in roles
            if columns.get(role) and (dataset is None or columns[role] in personal)
        }
    return masked


def _view(pair: LinkPair, masked: dict[str, dict[str, str]]) -> ReviewPair:
    def side(dataset: str, values: dict[str, Any]) -> dict[str, Any]:
        rules = masked.get(dataset, {})
        return {
            k: mask_value(None if v is None else str(v), PersonalKind(rules[k]))
            if k in rules
            else v
            for k, v in values.items()
        }

    detail = dict(pair.detail)
    if "left" in detail:
        detail["left"] = side(pair.left_dataset, detail["left"])
    if "right" in detail:
        detail["right"] = side(pair.right_dataset, detail["right"])

    def key(dataset: str, value: str) -> str:
        rules = masked.get(dataset, {})
        return mask_value(value, PersonalKind(rules["key"])) or "" if "key" in rules else value

    return ReviewPair(
        pair.id, pair.run_id, pair.left_dataset, key(pair.left_dataset, pair.left_key),
        pair.right_dataset, key(pair.right_dataset, pair.right_key), pair.match_probability,
        pair.match_weight, detail, pair.decision, pair.decided_by, pair.decided_at,
    )  # fmt: skip


def _run_of(db: Database, actor: Actor, run_id: int, action: str) -> LinkRun:
    audit.require(
        db,
        actor,
        Permission.DATASETS_PUBLISH,
        action,
        object_type="link_run",
        object_id=str(run_id),
    )
    with db.reading() as session:
        run = session.get(LinkRun, run_id)
    if run is None or (actor.role is not Role.ADMIN and run.department != actor.department_code):
        raise NotFound(f"no linking run {run_id}", details={"run": run_id})
    return run


def pairs_for_review(
    db: Database, actor: Actor, run_id: int, *, undecided_only: bool = False, limit: int = 500
) -> list[ReviewPair]:
    """The run's pairs in its review band, most uncertain first; stewards of its department."""
    run = _run_of(db, actor, run_id, "linking.review")
    query = select(LinkPair).where(LinkPair.run_id == run.id)
    if undecided_only:
        query = query.where(LinkPair.decision.is_(None))
    with db.reading() as session:
        masked = _masked_fields(session, actor, run)
        pairs = session.scalars(query.order_by(LinkPair.id).limit(limit))
        return [_view(pair, masked) for pair in pairs]


def decide(db: Database, actor: Actor, pair_id: int, decision: str) -> ReviewPair:
    """Record that a pair is the same entity or not; applied from the next run on. Audited."""
    try:
        verdict = Verdict(decision)
    except ValueError:
        raise InvalidInput(
            "decision is 'same' or 'different'", details={"field": "decision", "value": decision}
        ) from None
    audit.require(
        db, actor, Permission.DATASETS_PUBLISH, "linking.decide", object_type="link_pair",
        object_id=str(pair_id),
    )  # fmt: skip
    with db.reading() as session:
        found = session.get(LinkPair, pair_id)
    if found is None:
        raise NotFound(f"no pair {pair_id}", details={"pair": pair_id})
    run = _run_of(db, actor, found.run_id, "linking.decide")
    with db.transaction() as session:
        pair = session.get(LinkPair, pair_id)
        assert pair is not None
        before = pair.decision
        pair.decision, pair.decided_by, pair.decided_at = verdict.value, actor.username, utcnow()
        audit.record(
            session,
            actor,
            "linking.decide",
            object_type="link_pair",
            object_id=str(pair_id),
            details={
                "run": pair.run_id,
                "left": [pair.left_dataset, pair.left_key],
                "right": [pair.right_dataset, pair.right_key],
                "from": before,
                "to": verdict.value,
            },
        )
        masked = _masked_fields(session, actor, run)
        return _view(pair, masked)
