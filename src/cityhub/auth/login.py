"""Password login with lockout after repeated failures; every attempt is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from cityhub import audit
from cityhub.auth.actor import Actor, Role
from cityhub.auth.hashing import hash_password, needs_rehash, verify_password
from cityhub.auth.models import LoginThrottle, User
from cityhub.auth.users import normalise_username
from cityhub.db import Database, utcnow
from cityhub.errors import AccountLocked, InvalidCredentials


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures in a row lock an account name, and for how long."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


def actor_of(user: User, client_address: str | None) -> Actor:
    """The actor a logged-in user acts as."""
    return Actor(user.id, user.username, Role(user.role), user.department.code, client_address)


def authenticate(
    db: Database,
    username: str,
    password: str,
    *,
    client_address: str | None,
    policy: LockoutPolicy,
    channel: str,
) -> User:
    """The user whose name and password these are; raises InvalidCredentials or AccountLocked.

    The lock is per account name, known or not, so that probing names reveals nothing; a success
    resets the count. ``channel`` ('web' or 'api') is recorded in the audit row.
    """
    name = normalise_username(username)
    now = utcnow()
    attempt = Actor(None, name or "?", Role.PUBLIC, None, client_address)
    with db.transaction() as session:
        throttle = session.get(LoginThrottle, name)
        if throttle and throttle.locked_until and throttle.locked_until > now:
            wait = int((throttle.locked_until - now).total_seconds()) + 1
            locked = True
        else:
            locked = False
    if locked:
        _audit_failure(db, attempt, "locked", channel)
        raise AccountLocked(
            f"too many failed logins; try again in {wait} seconds", retry_after=wait
        )

    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == name))
        ok = verify_password(user.password_hash if user else None, password)
        if ok and user is not None and user.is_active:
            session.execute(delete(LoginThrottle).where(LoginThrottle.username == name))
            user.last_login_at = now
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            audit.record(
                session,
                actor_of(user, client_address),
                "auth.login",
                object_type="user",
                object_id=name,
                details={"channel": channel},
            )
            return user
        throttle = session.get(LoginThrottle, name) or LoginThrottle(username=name, failures=0)
        session.add(throttle)
        if throttle.locked_until is not None and throttle.locked_until <= now:
            throttle.locked_until = None  # the earlier lock has run out; count afresh
        throttle.failures = (throttle.failures or 0) + 1
        throttle.last_failure_at = now
        if throttle.failures >= policy.max_failures:
            throttle.locked_until = now + policy.lockout
            throttle.failures = 0
        reason = "disabled" if ok else "bad_credentials"
        audit.record(
            session,
            attempt,
            "auth.login",
            object_type="user",
            object_id=name,
            outcome=audit.Outcome.FAILURE,
            details={
                "channel": channel,
                "reason": reason,
                "locked": throttle.locked_until is not None,
            },
        )
    raise InvalidCredentials("wrong user name or password")


def _audit_failure(db: Database, attempt: Actor, reason: str, channel: str) -> None:
    audit.record_alone(
        db,
        attempt,
        "auth.login",
        object_type="user",
        object_id=attempt.username,
        outcome=audit.Outcome.FAILURE,
        details={"channel": channel, "reason": reason},
    )
