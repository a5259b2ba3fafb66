"""JSON shapes of the record-linking API: runs, review pairs, decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from cityhub import linking


class RunPublic(BaseModel):
    """A linking run: what it linked, its settings, state, figures and output."""

    id: int
    kind: str
    status: str
    error: str | None
    sources: list[dict[str, Any]]
    threshold: float
    review_lower: float
    review_upper: float
    figures: dict[str, Any]
    department: str
    output_dataset: str
    output_version: int | None
    created_by: str
    started_at: datetime
    finished_at: datetime | None


class RecordRef(BaseModel):
    """One record: its dataset and key."""

    dataset: str
    key: str


class PairPublic(BaseModel):
    """A pair of records in a run's review band, and the decision on it if any."""

    id: int
    run_id: int
    left: RecordRef
    right: RecordRef
    match_probability: float
    match_weight: float
    detail: dict[str, Any]
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None


class DecisionCreate(BaseModel):
    """是同一主体 (same) or 不是同一主体 (different)."""

    decision: Literal["same", "different"]


def run_public(run: linking.LinkRun) -> RunPublic:
    """The API form of a run."""
    fields = RunPublic.model_fields
    return RunPublic(**{name: getattr(run, name) for name in fields})


def pair_public(pair: linking.ReviewPair) -> PairPublic:
    """The API form of a pair."""
    return PairPublic(
        id=pair.id,
        run_id=pair.run_id,
        left=RecordRef(dataset=pair.left_dataset, key=pair.left_key),
        right=RecordRef(dataset=pair.right_dataset, key=pair.right_key),
        match_probability=pair.match_probability,
        match_weight=pair.match_weight,
        detail=pair.detail,
        decision=pair.decision,
        decided_by=pair.decided_by,
        decided_at=pair.decided_at,
    )
