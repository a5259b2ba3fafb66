"""API tokens: random bearer secrets, shown once, stored as a hash, named, expiring, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth.actor import Actor, Permission
from cityhub.auth.hashing import digest, new_secret
from cityhub.auth.login import actor_of
from cityhub.auth.models import ApiToken, User
from cityhub.auth.users import normalise_username, user_by_name
from cityhub.db import Database, utcnow
from cityhub.errors import InvalidInput, NotAuthenticated, NotFound

TOKEN_PREFIX = "chk"
MIN_LIFETIME = timedelta(minutes=1)
MAX_LIFETIME = timedelta(days=3650)
# Writing last_used_at on every request would turn each read into a write; once a minute suffices.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: ``secret`` is shown to the user this once and never again."""

    token: ApiToken
    secret: str


def _owner(session: Session, actor: Actor, username: str | None) -> User:
    if username is None or (
        actor.user_id is not None and normalise_username(username) == actor.username
    ):
        if actor.user_id is None:
            raise InvalidInput(
                "name the user who will hold the token", details={"field": "username"}
            )
        owner = session.get(User, actor.user_id)
        assert owner is not None
        return owner
    actor.require(Permission.TOKENS_MANAGE_ALL)
    return user_by_name(session, username)


def create_token(
    db: Database, actor: Actor, *, name: str, lifetime: timedelta, username: str | None = None
) -> IssuedToken:
    """A new token for the actor's own account, or for ``username`` when an admin asks."""
    audit.require(db, actor, Permission.TOKENS_OWN, "token.create")
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("token name must have 1-100 characters", details={"field": "name"})
    if not MIN_LIFETIME <= lifetime <= MAX_LIFETIME:
        raise InvalidInput(
            "token lifetime must be between 1 minute and 10 years", details={"field": "lifetime"}
        )
    secret = new_secret(TOKEN_PREFIX)
    with db.transaction() as session:
        owner = _owner(session, actor, username)
        if not owner.is_active:
            raise InvalidInput(
                f"user {owner.username!r} is disabled", details={"field": "username"}
            )
        token = ApiToken(
            user_id=owner.id,
            name=name,
            token_hash=digest(secret),
            prefix=secret[: len(TOKEN_PREFIX) + 7],
            expires_at=utcnow() + lifetime,
        )
        session.add(token)
        session.flush()
        audit.record(
            session,
            actor,
            "token.create",
            object_type="token",
            object_id=str(token.id),
            details={
                "name": name,
                "user": owner.username,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return IssuedToken(token, secret)


def list_tokens(db: Database, actor: Actor, *, username: str | None = None) -> list[ApiToken]:
    """Tokens of the actor, or of ``username`` for admins, newest first; revoked ones included."""
    audit.require(db, actor, Permission.TOKENS_OWN, "token.list")
    with db.reading() as session:
        owner = _owner(session, actor, username)
        query = select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id.desc())
        return list(session.scalars(query))


def revoke_token(db: Database, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token: the owner may revoke their own, admins any. Revoking twice is harmless."""
    audit.require(
        db,
        actor,
        Permission.TOKENS_OWN,
        "token.revoke",
        object_type="token",
        object_id=str(token_id),
    )
    with db.transaction() as session:
        token = session.get(ApiToken, token_id)
        mine = token is not None and token.user_id == actor.user_id
        if token is None or not (mine or actor.can(Permission.TOKENS_MANAGE_ALL)):
            # Someone else's token is reported as missing: ids must not be probed.
            raise NotFound(f"no token {token_id}", details={"token": token_id})
        if token.revoked_at is None:
            token.revoked_at = utcnow()
        audit.record(session, actor, "token.revoke", object_type="token", object_id=str(token_id))
    return token


def actor_for_token(db: Database, secret: str, client_address: str | None) -> Actor:
    """The actor of a bearer token; NotAuthenticated if it is unknown, expired or revoked."""
    now = utcnow()
    with db.transaction() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
        if (
            token is None
            or token.revoked_at is not None
            or token.expires_at <= now
            or not token.user.is_active
        ):
            reason = _rejection(token)
        else:
            if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
                token.last_used_at = now
            return actor_of(token.user, client_address)
    audit.deny(db, Actor.public(client_address), "auth.token", details={"reason": reason})
    raise NotAuthenticated(f"the bearer token is {reason}", details={"reason": reason})


def _rejection(token: ApiToken | None) -> str:
    if token is None:
        return "unknown"
    if token.revoked_at is not None:
        return "revoked"
    if not token.user.is_active:
        return "disabled"
    return "expired"
