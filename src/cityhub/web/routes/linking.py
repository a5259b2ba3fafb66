"""The record-linking API: ``/api/linking`` (runs, their review pairs, decisions)."""

from __future__ import annotations

from fastapi import APIRouter

from cityhub import linking
from cityhub.web.deps import ApiActor, DatabaseDep, Id, PoolDep
from cityhub.web.linking_schemas import (
    DecisionCreate,
    PairPublic,
    RunPublic,
    pair_public,
    run_public,
)
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/linking", tags=["linking"], responses=ERROR_RESPONSES)


@router.post("/runs", status_code=201)
def start_run(body: linking.LinkSpec, db: DatabaseDep, pool: PoolDep, actor: ApiActor) -> RunPublic:
    """Link the sources and write the link table's next version (stewards, admins).

    Runs to the end before answering: seconds for thousands of records, minutes for millions
    (the CLI suits those better).
    """
    return run_public(linking.run_linking(db, actor, pool, body))


@router.get("/runs")
def read_runs(db: DatabaseDep, actor: ApiActor) -> list[RunPublic]:
    """Runs, newest first: the steward's department's, or all for admins."""
    return [run_public(run) for run in linking.list_runs(db, actor)]


@router.get("/runs/{run_id}")
def read_run(run_id: Id, db: DatabaseDep, actor: ApiActor) -> RunPublic:
    """One run with its figures and timings."""
    return run_public(linking.get_run(db, actor, run_id))


@router.get("/runs/{run_id}/pairs")
def read_pairs(
    run_id: Id, db: DatabaseDep, actor: ApiActor, undecided: bool = False
) -> list[PairPublic]:
    """The run's pairs in its review band, most uncertain first (``undecided=true``: open ones)."""
    pairs = linking.pairs_for_review(db, actor, run_id, undecided_only=undecided)
    return [pair_public(pair) for pair in pairs]


@router.post("/pairs/{pair_id}/decision")
def decide_pair(pair_id: Id, body: DecisionCreate, db: DatabaseDep, actor: ApiActor) -> PairPublic:
    """Decide that a pair is the same entity or not; the next run applies it."""
    return pair_public(linking.decide(db, actor, pair_id, body.decision))
