"""Departments, users and the caller: ``/api/departments``, ``/api/users``, ``/api/me``."""

from __future__ import annotations

from fastapi import APIRouter

from cityhub import auth
from cityhub.errors import NotAuthenticated
from cityhub.web.deps import ApiActor, DatabaseDep
from cityhub.web.schemas import (
    ERROR_RESPONSES,
    DepartmentPublic,
    Me,
    UserCreate,
    UserPublic,
    UserUpdate,
)

router = APIRouter(prefix="/api", tags=["accounts"], responses=ERROR_RESPONSES)


def _user(user: auth.User) -> UserPublic:
    return UserPublic(
        username=user.username,
        display_name=user.display_name,
        department=user.department.code,
        role=auth.Role(user.role),
        is_active=user.is_active,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


@router.get("/me")
def read_me(actor: ApiActor) -> Me:
    """Who the bearer token belongs to."""
    if not actor.is_authenticated:
        raise NotAuthenticated("send 'Authorization: Bearer <token>'")
    return Me(username=actor.username, role=actor.role, department=actor.department_code)


@router.get("/departments")
def read_departments(db: DatabaseDep, actor: ApiActor) -> list[DepartmentPublic]:
    """Every department (public)."""
    return [DepartmentPublic.model_validate(d) for d in auth.list_departments(db, actor)]


@router.get("/users")
def read_users(db: DatabaseDep, actor: ApiActor) -> list[UserPublic]:
    """Users: all for admins, the own department's for stewards."""
    return [_user(u) for u in auth.list_users(db, actor)]


@router.post("/users", status_code=201)
def create_user(body: UserCreate, db: DatabaseDep, actor: ApiActor) -> UserPublic:
    """Create a user (admins)."""
    user = auth.create_user(
        db,
        actor,
        username=body.username,
        password=body.password,
        department_code=body.department,
        role=body.role,
        display_name=body.display_name,
    )
    return _user(user)


@router.patch("/users/{username}")
def update_user(username: str, body: UserUpdate, db: DatabaseDep, actor: ApiActor) -> UserPublic:
    """Change a user's role, department, name, password or active flag (admins)."""
    change = auth.UserChange(
        display_name=body.display_name,
        department_code=body.department,
        role=body.role,
        is_active=body.is_active,
        password=body.password,
    )
    return _user(auth.update_user(db, actor, username, change))
