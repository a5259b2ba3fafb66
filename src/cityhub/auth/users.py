"""Users: creating, listing and changing them; every change is a permission change, audited."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth.actor import Actor, Permission, Role
from cityhub.auth.departments import department_by_code
from cityhub.auth.hashing import MIN_PASSWORD_LENGTH, hash_password
from cityhub.auth.models import User, WebSession
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotFound

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
USER_ROLES = (Role.ADMIN, Role.STEWARD, Role.ANALYST, Role.STATION, Role.RECORDER)


@dataclass(frozen=True)
class UserChange:
    """Fields to change on a user; None leaves a field as it is."""

    display_name: str | None = None
    department_code: str | None = None
    role: Role | None = None
    is_active: bool | None = None
    password: str | None = None


def normalise_username(raw: str) -> str:
    """The canonical form of a user name: trimmed and lower case."""
    return raw.strip().lower()


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME.fullmatch(name):
        raise InvalidInput(
            "user name must be 2-64 characters: letters, digits, '.', '_' or '-', starting with a "
            "letter or digit",
            details={"field": "username", "value": username},
        )
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters",
            details={"field": "password"},
        )


def _check_role(role: Role) -> Role:
    if role not in USER_ROLES:
        raise InvalidInput(
            f"role must be one of {', '.join(r.value for r in USER_ROLES)}",
            details={"field": "role", "value": str(role)},
        )
    return role


def user_by_name(session: Session, username: str) -> User:
    """The user called ``username``; raises NotFound."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise NotFound(f"no user {username!r}", details={"username": username})
    return user


def create_user(
    db: Database,
    actor: Actor,
    *,
    username: str,
    password: str,
    department_code: str,
    role: Role,
    display_name: str | None = None,
) -> User:
    """Create a user in a department with a role; admins only."""
    audit.require(
        db, actor, Permission.USERS_MANAGE, "user.create", object_type="user", object_id=username
    )
    name = _check_username(username)
    _check_password(password)
    _check_role(role)
    with db.transaction() as session:
        department = department_by_code(session, department_code)
        if session.scalar(select(User.id).where(User.username == name)) is not None:
            raise Conflict(f"user {name!r} exists already", details={"username": name})
        user = User(
            username=name,
            display_name=(display_name or name).strip(),
            department=department,
            role=role.value,
            password_hash=hash_password(password),
            is_active=True,
        )
        session.add(user)
        audit.record(
            session,
            actor,
            "user.create",
            object_type="user",
            object_id=name,
            details={"department": department.code, "role": role.value},
        )
    return user


def list_users(db: Database, actor: Actor) -> list[User]:
    """Users the actor may see: all for admins, the own department's for stewards."""
    if actor.can(Permission.USERS_READ_ALL):
        department = None
    else:
        audit.require(db, actor, Permission.USERS_READ_OWN_DEPARTMENT, "user.list")
        department = actor.department_code
    with db.transaction() as session:
        query = select(User).order_by(User.username)
        if department is not None:
            query = query.where(User.department.has(code=department))
        users = list(session.scalars(query))
        audit.record(session, actor, "user.list", details={"count": len(users)})
    return users


def update_user(db: Database, actor: Actor, username: str, change: UserChange) -> User:
    """Change a user's name, department, role, password or active flag; admins only.

    Disabling a user or changing the password also ends their web sessions.
    """
    audit.require(
        db, actor, Permission.USERS_MANAGE, "user.update", object_type="user", object_id=username
    )
    if change.password is not None:
        _check_password(change.password)
    if change.role is not None:
        _check_role(change.role)
    with db.transaction() as session:
        user = user_by_name(session, username)
        before = _snapshot(user)
        if change.display_name is not None:
            user.display_name = change.display_name.strip() or user.username
        if change.department_code is not None:
            user.department = department_by_code(session, change.department_code)
        if change.role is not None:
            user.role = change.role.value
        if change.is_active is not None:
            user.is_active = change.is_active
        if change.password is not None:
            user.password_hash = hash_password(change.password)
        if change.password is not None or change.is_active is False:
            session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        after = _snapshot(user)
        changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        if change.password is not None:
            changed["password"] = {"from": "******", "to": "******"}
        audit.record(
            session,
            actor,
            "user.update",
            object_type="user",
            object_id=user.username,
            details=changed,
        )
    return user


def count_users(db: Database) -> int:
    """How many active users the platform has."""
    with db.reading() as session:
        return int(
            session.scalar(select(func.count()).select_from(User).where(User.is_active)) or 0
        )


def _snapshot(user: User) -> dict[str, object]:
    return {
        "display_name": user.display_name,
        "department": user.department.code,
        "role": user.role,
        "is_active": user.is_active,
    }
