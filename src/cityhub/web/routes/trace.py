"""The traceability API, ``/api/trace``: actors and their accounts, recall, audit anchors.

Thin routes: each parses, calls one service function (which checks the permission and audits)
and formats. Keys, events and batches are in ``trace_records``; the log itself (tiles, proofs)
in ``trace_log``. ``router`` includes them all but ``trace_log``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from cityhub.trace import actors, recall
from cityhub.trace.actors import ActorIn
from cityhub.web.deps import DatabaseDep
from cityhub.web.routes import trace_anchors, trace_records
from cityhub.web.routes.trace_deps import Caller, LotQuery, canonical_lot
from cityhub.web.schemas import ERROR_RESPONSES
from cityhub.web.trace_schemas import (
    AccountLink,
    ActorCreate,
    ActorPublic,
    RecallGraphPublic,
)

api = APIRouter(prefix="/api/trace", tags=["trace"], responses=ERROR_RESPONSES)


@api.post("/actors", status_code=201, summary="Register an actor")
def create_actor(body: ActorCreate, db: DatabaseDep, actor: Caller) -> ActorPublic:
    """Register a producer, processor, carrier, shop or lab (stewards, admins)."""
    view = actors.register_actor(db, actor, ActorIn(**body.model_dump()))
    return ActorPublic.model_validate(view)


@api.get("/actors", summary="List actors")
def read_actors(
    db: DatabaseDep,
    actor: Caller,
    kind: Annotated[str | None, Query(description="Only actors of this kind.")] = None,
) -> list[ActorPublic]:
    """Every registered actor; natural persons masked unless the caller manages actors."""
    return [ActorPublic.model_validate(v) for v in actors.list_actors(db, actor, kind=kind)]


@api.get("/actors/{ref}", summary="Show an actor")
def read_actor(ref: str, db: DatabaseDep, actor: Caller) -> ActorPublic:
    """One actor by its public ref (managers may also give the 主体码)."""
    return ActorPublic.model_validate(actors.show_actor(db, actor, ref))


@api.post("/actors/{ref}/accounts", status_code=204, summary="Link an account")
def link_account(ref: str, body: AccountLink, db: DatabaseDep, actor: Caller) -> Response:
    """Let a user account (role recorder) record events and keys for the actor."""
    actors.link_account(db, actor, ref, body.username)
    return Response(status_code=204)


@api.delete("/actors/{ref}/accounts/{username}", status_code=204, summary="Unlink an account")
def unlink_account(ref: str, username: str, db: DatabaseDep, actor: Caller) -> Response:
    """Stop a user account recording for the actor."""
    actors.unlink_account(db, actor, ref, username)
    return Response(status_code=204)


@api.get("/recall", summary="Recall graph")
def read_recall(
    db: DatabaseDep,
    actor: Caller,
    lot: LotQuery,
    direction: Annotated[
        Literal["forward", "back"],
        Query(description="forward: where the lot went; back: where it came from."),
    ] = "forward",
) -> RecallGraphPublic:
    """Trace a lot forward to every product and retailer it reached, or back to every farm and
    input it came from, through transformations and aggregations."""
    trace = recall.trace_forward if direction == "forward" else recall.trace_back
    return RecallGraphPublic.model_validate(trace(db, actor, canonical_lot(lot)).as_json())


router = APIRouter()
router.include_router(api)
router.include_router(trace_records.router)
router.include_router(trace_anchors.router)
