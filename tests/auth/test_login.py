"""Password login: lockout per account name, known or not, and what is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cityhub import audit, auth
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
