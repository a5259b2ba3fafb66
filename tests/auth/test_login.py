"""Password login: lockout per account name, known or not, and what is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from cityhub import audit, auth
from cityhub.auth import hashing
from cityhub.auth.models import LoginThrottle
from cityhub.db import Database, utcnow
from cityhub.errors import AccountLocked, InvalidCredentials
from tests.conftest import PASSWORD, People

POLICY = auth.LockoutPolicy(max_failures=3, lockout=timedelta(minutes=15))


def login(db: Database, username: str, password: str) -> auth.User:
    return auth.authenticate(
        db, username, password, client_address="10.1.2.3", policy=POLICY, channel="api"
    )


def test_user_names_are_case_and_space_insensitive(db: Database, people: People) -> None:
    assert login(db, "  SLJ.Steward ", PASSWORD).username == "slj.steward"


@pytest.mark.parametrize("username", ["slj.analyst", "nobody.at.all"])
def test_three_failures_lock_known_and_unknown_names(
    db: Database, people: People, username: str
) -> None:
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            login(db, username, "wrong-password")
    with pytest.raises(AccountLocked) as locked:
        login(db, username, PASSWORD)
    assert 0 < locked.value.retry_after <= 15 * 60


def test_the_lock_runs_out(db: Database, people: People) -> None:
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            login(db, people.analyst, "wrong-password")
    with db.transaction() as session:
        throttle = session.get(LoginThrottle, people.analyst)
        assert throttle is not None
        throttle.locked_until = utcnow() - timedelta(seconds=1)
    assert login(db, people.analyst, PASSWORD).username == people.analyst
    with db.reading() as session:
        assert session.get(LoginThrottle, people.analyst) is None  # success resets the count


def test_disabled_user_gets_the_same_answer_as_a_wrong_password(
    db: Database, people: People
) -> None:
    auth.update_user(db, auth.Actor.system(), people.analyst, auth.UserChange(is_active=False))
    with pytest.raises(InvalidCredentials, match="wrong user name or password"):
        login(db, people.analyst, PASSWORD)


def test_every_attempt_is_audited_with_its_address(db: Database, people: People) -> None:
    with pytest.raises(InvalidCredentials):
        login(db, people.analyst, "wrong-password")
    login(db, people.analyst, PASSWORD)
    page = audit.list_events(
        db, auth.Actor.system(), audit.AuditFilter(action="auth.login", actor=None)
    )
    recent = [(e.actor, e.outcome, e.client_address) for e in page.events[:2]]
    assert recent == [
        ("slj.analyst", "success", "10.1.2.3"),
        ("slj.analyst", "failure", "10.1.2.3"),
    ]


def test_password_change_ends_web_sessions(db: Database, people: People) -> None:
    user = login(db, people.analyst, PASSWORD)
    secret = auth.open_session(db, user, lifetime=timedelta(hours=1), client_address=None)
    assert auth.actor_for_session(db, secret, None) is not None
    auth.update_user(
        db, auth.Actor.system(), people.analyst, auth.UserChange(password="a-new-password")
    )
    assert auth.actor_for_session(db, secret, None) is None
    assert login(db, people.analyst, "a-new-password").username == people.analyst


class CountingHasher(PasswordHasher):
    """The production hasher, noting the hash each verification runs against."""

    def __init__(self) -> None:
        super().__init__()
        self.verified: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified.append(hash if isinstance(hash, str) else hash.decode())
        return super().verify(hash, password)


def _cost(argon2_hash: str) -> str:
    """The algorithm and cost parameters of an encoded argon2 hash (``$argon2id$v=19$m=…``)."""
    return "$".join(argon2_hash.split("$")[1:4])


@pytest.mark.parametrize("username", ["slj.analyst", "no.such.user"])
def test_an_unknown_name_costs_the_same_as_a_wrong_password(
    db: Database, people: People, monkeypatch: pytest.MonkeyPatch, username: str
) -> None:
    """One verification at the production cost either way, so timing cannot tell names apart."""
    counting = CountingHasher()
    monkeypatch.setattr(hashing, "_hasher", counting)
    with db.transaction() as session:  # the known user's hash at the production cost too
        user = session.scalars(select(auth.User).where(auth.User.username == "slj.analyst")).one()
        user.password_hash = hashing.hash_password(PASSWORD)
    with pytest.raises(InvalidCredentials):
        login(db, username, "not the password")
    assert len(counting.verified) == 1
    assert _cost(counting.verified[0]) == _cost(hashing.hash_password("x" * 12))
