"""Departments, users, roles, passwords, API tokens and web sessions: who is asking, and may they.

Other packages use the names below; they never touch the tables directly.
"""

from cityhub.auth.actor import ROLE_PERMISSIONS, Actor, Permission, Role
from cityhub.auth.bootstrap import ADMIN_USERNAME, Bootstrap, bootstrap
from cityhub.auth.departments import DEPARTMENTS, DepartmentKind, list_departments
from cityhub.auth.login import LockoutPolicy, actor_of, authenticate
from cityhub.auth.models import ApiToken, Department, User
from cityhub.auth.sessions import actor_for_session, close_session, open_session
from cityhub.auth.tokens import (
    IssuedToken,
    actor_for_token,
    create_token,
    list_tokens,
    revoke_token,
)
from cityhub.auth.users import UserChange, count_users, create_user, list_users, update_user

__all__ = [
    "ADMIN_USERNAME",
    "DEPARTMENTS",
    "ROLE_PERMISSIONS",
    "Actor",
    "ApiToken",
    "Bootstrap",
    "Department",
    "DepartmentKind",
    "IssuedToken",
    "LockoutPolicy",
    "Permission",
    "Role",
    "User",
    "UserChange",
    "actor_for_session",
    "actor_for_token",
    "actor_of",
    "authenticate",
    "bootstrap",
    "close_session",
    "count_users",
    "create_token",
    "create_user",
    "list_departments",
    "list_tokens",
    "list_users",
    "open_session",
    "revoke_token",
    "update_user",
]
