"""The transparency log over HTTP: C2SP tlog-tiles under ``/trace/log/``, and JSON proofs.

The tiles layout is what independent C2SP clients read (checkpoint, tiles, entry bundles, the
verifier keys); ``/api/trace/log/…`` adds proofs between any two sizes for clients that do not
walk tiles themselves. Everything here is public: the log holds no personal data.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.trace import logview
from cityhub.trace.log import TraceLog
from cityhub.web.deps import Index, get_db
from cityhub.web.routes.validators import caller
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(tags=["trace log"], responses=ERROR_RESPONSES)
Caller = Annotated[Actor, Depends(caller)]
Db = Annotated[Database, Depends(get_db)]
TEXT = "text/plain; charset=utf-8"
IMMUTABLE = "public, max-age=31536000, immutable"


def get_log(request: Request) -> TraceLog:
    log: TraceLog = request.app.state.trace.log
    return log


Log = Annotated[TraceLog, Depends(get_log)]


@router.get("/trace/log/checkpoint", response_class=Response, summary="Latest checkpoint")
def checkpoint(db: Db, log: Log, actor: Caller) -> Response:
    """The latest published checkpoint (C2SP signed note with the witnesses' cosignatures)."""
    note = logview.checkpoint(db, log, actor)
    return Response(note, media_type=TEXT, headers={"Cache-Control": "no-cache"})


@router.get("/trace/log/vkeys", response_class=Response, summary="Verifier keys")
def vkeys(db: Db, log: Log, actor: Caller) -> Response:
    """The log's verifier key, then each witness's, one C2SP vkey per line."""
    return Response(logview.vkeys(db, log, actor), media_type=TEXT)


@router.get("/trace/log/policy", response_class=Response, summary="Trust policy")
def policy(db: Db, log: Log, actor: Caller) -> Response:
    """The C2SP tlog-policy a checkpoint must satisfy to count as published."""
    return Response(logview.policy(db, log, actor), media_type=TEXT)


@router.get("/trace/log/tile/{path:path}", response_class=Response, summary="A tile")
def tile(path: str, db: Db, log: Log, actor: Caller) -> Response:
    """A hash tile ``tile/<L>/<N>[.p/<W>]`` or an entry bundle ``tile/entries/<N>[.p/<W>]``."""
    data = logview.tile(db, log, actor, "tile/" + path)
    return Response(
        data, media_type="application/octet-stream", headers={"Cache-Control": IMMUTABLE}
    )


class InclusionProof(BaseModel):
    """An RFC 9162 inclusion proof: the audit path of leaf ``index`` in the tree of ``size``."""

    index: int
    size: int
    proof: list[str] = Field(description="Base64 hashes, leaf's sibling first.")


class ConsistencyProof(BaseModel):
    """An RFC 9162 consistency proof between two tree sizes."""

    first: int
    second: int
    proof: list[str] = Field(description="Base64 hashes.")


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


@router.get("/api/trace/log/proofs/inclusion", summary="Inclusion proof")
def inclusion(
    db: Db,
    log: Log,
    actor: Caller,
    index: Annotated[int, Query(ge=0, description="Leaf index, from 0.")],
    size: Annotated[int | None, Query(ge=1, description="Tree size; default latest.")] = None,
) -> InclusionProof:
    """The audit path of one leaf in a published tree."""
    tree, proof = logview.inclusion(db, log, actor, index, size)
    return InclusionProof(index=index, size=tree, proof=_b64(proof))


@router.get("/api/trace/log/proofs/consistency", summary="Consistency proof")
def consistency(
    db: Db,
    log: Log,
    actor: Caller,
    first: Annotated[int, Query(ge=1, description="The older tree size.")],
    second: Annotated[
        int | None, Query(ge=1, description="The newer size; default latest.")
    ] = None,
) -> ConsistencyProof:
    """Proof that the tree of ``second`` extends the tree of ``first``."""
    tree, proof = logview.consistency(db, log, actor, first, second)
    return ConsistencyProof(first=first, second=tree, proof=_b64(proof))


@router.get("/api/trace/log/bundles/{index}", response_class=Response, summary="Proof bundle")
def bundle(index: Index, db: Db, log: Log, actor: Caller) -> Response:
    """A C2SP tlog-proof for one leaf against the latest checkpoint: verifiable offline."""
    return Response(logview.bundle(db, log, actor, index), media_type=TEXT)


@router.get("/api/trace/log/checkpoints/{size}", response_class=Response, summary="Checkpoint")
def checkpoint_at(size: Index, db: Db, log: Log, actor: Caller) -> Response:
    """The checkpoint published at one tree size."""
    return Response(logview.checkpoint(db, log, actor, size), media_type=TEXT)
