"""Web sessions: the browser's cookie holds a random secret; the table keeps only its hash."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from cityhub import audit
from cityhub.auth.actor import Actor
from cityhub.auth.hashing import digest, new_secret
from cityhub.auth.login import actor_of
from cityhub.auth.models import User, WebSession
from cityhub.db import Database, utcnow

SESSION_PREFIX = "chs"


def open_session(
    db: Database, user: User, *, lifetime: timedelta, client_address: str | None
) -> str:
    """Start a web session for ``user``; returns the cookie value. Expired sessions are swept."""
    secret = new_secret(SESSION_PREFIX)
    now = utcnow()
    with db.transaction() as session:
        session.execute(delete(WebSession).where(WebSession.expires_at <= now))
        session.add(
            WebSession(
                session_hash=digest(secret),
                user_id=user.id,
                expires_at=now + lifetime,
                client_address=client_address,
            )
        )
    return secret


def actor_for_session(db: Database, secret: str, client_address: str | None) -> Actor | None:
    """The actor of a live session, or None for an unknown, expired or disabled one."""
    with db.reading() as session:
        row = session.scalar(select(WebSession).where(WebSession.session_hash == digest(secret)))
        if row is None or row.expires_at <= utcnow() or not row.user.is_active:
            return None
        return actor_of(row.user, client_address)


def close_session(db: Database, actor: Actor, secret: str) -> None:
    """End a web session (logout); audited."""
    with db.transaction() as session:
        session.execute(delete(WebSession).where(WebSession.session_hash == digest(secret)))
        audit.record(session, actor, "auth.logout", object_type="user", object_id=actor.username)
