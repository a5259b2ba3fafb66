"""What the traceability routes share: who calls, the app's log, the public base URL.

Other systems call ``/api/trace`` with a bearer token; the platform's own pages call it with the
session cookie. A change made with the session (the key page registers a key from the browser)
must also carry the page's CSRF token in ``X-CSRF-Token``, or another site could make a logged-in
recorder's browser post for it.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Query, Request

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import PermissionDenied
from cityhub.trace.epcis import EpcisError, normalise_id
from cityhub.trace.log import TraceLog
from cityhub.web.csrf import CSRF_COOKIE, CSRF_HEADER, token_for
from cityhub.web.deps import api_actor, get_db, page_actor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def trace_caller(request: Request, db: Annotated[Database, Depends(get_db)]) -> Actor:
    """The bearer token's holder, else the session's user (with CSRF on changes), else public."""
    if request.headers.get("authorization"):
        return api_actor(request, db)
    actor = page_actor(request, db)
    if actor.is_authenticated and request.method not in SAFE_METHODS:
        nonce = request.cookies.get(CSRF_COOKIE)
        sent = request.headers.get(CSRF_HEADER)
        key: bytes = request.app.state.settings.signing_key()
        if not nonce or not sent or not hmac.compare_digest(sent, token_for(key, nonce)):
            raise PermissionDenied(
                "send the page's CSRF token in X-CSRF-Token, or use a bearer token",
                details={"reason": "csrf", "header": "X-CSRF-Token"},
            )
    return actor


def trace_log(request: Request) -> TraceLog:
    """The app's transparency log."""
    log: TraceLog = request.app.state.trace.log
    return log


def public_base(request: Request) -> str:
    """The platform's public base URL without a trailing slash: the setting, else the request's."""
    base = request.app.state.settings.public_url or str(request.base_url)
    return str(base).rstrip("/")


def canonical_lot(value: str, field: str = "lot") -> str:
    """A lot or container in canonical Digital Link form (any accepted spelling in); the error
    names ``field``."""
    try:
        return normalise_id(value.strip())
    except EpcisError as error:
        error.details["field"] = field
        raise


Caller = Annotated[Actor, Depends(trace_caller)]
LotQuery = Annotated[
    str,
    Query(
        min_length=1,
        max_length=300,
        description="The lot: GS1 Digital Link URI (https://id.gs1.org/01/<GTIN>/10/<lot>), "
        "our resolver's URL, or an EPC class URN.",
    ),
]
LogDep = Annotated[TraceLog, Depends(trace_log)]
