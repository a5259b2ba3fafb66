"""``/api/validators/{kind}``: the identifier validators as a service (GET one, POST a batch)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.registry import service
from cityhub.registry.validators import Verdict
from cityhub.web.deps import api_actor, get_db, page_actor
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/validators", tags=["validators"], responses=ERROR_RESPONSES)


def caller(request: Request, db: Annotated[Database, Depends(get_db)]) -> Actor:
    """The holder of the bearer token if one is sent, else the user of the session cookie.

    Other systems call with tokens; the platform's own pages call with the session.
    """
    if request.headers.get("authorization"):
        return api_actor(request, db)
    return page_actor(request, db)


Caller = Annotated[Actor, Depends(caller)]


class Reason(BaseModel):
    """Why a value is invalid, in Chinese and English."""

    zh: str
    en: str


class VerdictPublic(BaseModel):
    """One value's verdict."""

    kind: str
    value: str
    valid: bool
    normalised: str | None = Field(description="The canonical form; null when there is none.")
    reason: Reason | None = Field(description="Null when the value is valid.")
    details: dict[str, str] = Field(description="What was read from the value.")


class ValuesIn(BaseModel):
    """A batch of values to validate."""

    values: list[str] = Field(description=f"At most {service.MAX_VALUES} values.")


def _public(kind: str, value: str, verdict: Verdict) -> VerdictPublic:
    reason = None
    if verdict.reason_zh is not None and verdict.reason_en is not None:
        reason = Reason(zh=verdict.reason_zh, en=verdict.reason_en)
    return VerdictPublic(
        kind=kind,
        value=value,
        valid=verdict.valid,
        normalised=verdict.normalised,
        reason=reason,
        details=verdict.details,
    )


@router.get("/{kind}")
def read_verdict(kind: str, value: Annotated[str, Query()], actor: Caller) -> VerdictPublic:
    """Validate and normalise one value (kinds: id_card credit_code region_code phone
    postal_code date)."""
    return _public(kind, value, service.check(actor, kind, value))


@router.post("/{kind}")
def create_verdicts(kind: str, body: ValuesIn, actor: Caller) -> list[VerdictPublic]:
    """Validate and normalise a batch of values; the answers are in the same order."""
    verdicts = service.check_many(actor, kind, body.values)
    return [_public(kind, v, verdict) for v, verdict in zip(body.values, verdicts, strict=True)]
