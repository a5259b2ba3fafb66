"""First start: the reference departments and the first admin."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from cityhub import audit
from cityhub.auth.actor import Actor, Role
from cityhub.auth.departments import BIG_DATA_BUREAU, department_by_code, ensure_departments
from cityhub.auth.hashing import MIN_PASSWORD_LENGTH, hash_password, random_password
from cityhub.auth.models import User
from cityhub.db import Database
from cityhub.errors import ConfigurationError

ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class Bootstrap:
    """What the first start did; ``generated_password`` is set only when it made one up."""

    departments_added: int
    admin_created: bool
    generated_password: str | None


def bootstrap(db: Database, *, admin_password: str | None) -> Bootstrap:
    """Seed the departments and create ``admin`` if no admin exists yet; idempotent."""
    if admin_password is not None and len(admin_password) < MIN_PASSWORD_LENGTH:
        raise ConfigurationError(
            f"CITYHUB_ADMIN_PASSWORD must have at least {MIN_PASSWORD_LENGTH} characters"
        )
    system = Actor.system()
    generated = None
    with db.transaction() as session:
        added = ensure_departments(session)
        if added:
            audit.record(session, system, "department.seed", details={"added": added})
        has_admin = session.scalar(select(User.id).where(User.role == Role.ADMIN.value).limit(1))
        if has_admin is None:
            password = admin_password
            if password is None:
                password = generated = random_password()
            session.add(
                User(
                    username=ADMIN_USERNAME,
                    display_name="平台管理员",
                    department=department_by_code(session, BIG_DATA_BUREAU),
                    role=Role.ADMIN.value,
                    password_hash=hash_password(password),
                    is_active=True,
                )
            )
            audit.record(
                session,
                system,
                "user.create",
                object_type="user",
                object_id=ADMIN_USERNAME,
                details={
                    "department": BIG_DATA_BUREAU,
                    "role": Role.ADMIN.value,
                    "first_admin": True,
                },
            )
    return Bootstrap(added, has_admin is None, generated)
