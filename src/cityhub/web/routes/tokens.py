"""The caller's own API tokens: ``/api/tokens``."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from cityhub import auth
from cityhub.web.deps import ApiActor, DatabaseDep, Id
from cityhub.web.schemas import ERROR_RESPONSES, TokenCreate, TokenIssued, TokenPublic

router = APIRouter(prefix="/api/tokens", tags=["tokens"], responses=ERROR_RESPONSES)


def _token(token: auth.ApiToken) -> TokenPublic:
    return TokenPublic(
        id=token.id,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
    )


@router.get("")
def read_tokens(db: DatabaseDep, actor: ApiActor) -> list[TokenPublic]:
    """The caller's tokens, newest first."""
    return [_token(t) for t in auth.list_tokens(db, actor)]


@router.post("", status_code=201)
def create_token(body: TokenCreate, db: DatabaseDep, actor: ApiActor) -> TokenIssued:
    """A new token for the caller; the secret is in the response and nowhere else."""
    issued = auth.create_token(
        db, actor, name=body.name, lifetime=timedelta(days=body.expires_in_days)
    )
    return TokenIssued(**_token(issued.token).model_dump(), token=issued.secret)


@router.delete("/{token_id}")
def revoke_token(token_id: Id, db: DatabaseDep, actor: ApiActor) -> TokenPublic:
    """Revoke a token of the caller's (admins: anyone's)."""
    return _token(auth.revoke_token(db, actor, token_id))
