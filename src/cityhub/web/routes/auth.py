"""``POST /api/auth/token``: the OAuth2 password grant, issuing a bearer token."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from cityhub import auth
from cityhub.web.deps import DatabaseDep, SettingsDep, client_address
from cityhub.web.schemas import ERROR_RESPONSES, AccessToken

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/token", responses=ERROR_RESPONSES)
def create_access_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    db: DatabaseDep,
    settings: SettingsDep,
) -> AccessToken:
    """Exchange a user name and password for a bearer token (form fields username, password)."""
    address = client_address(request)
    user = auth.authenticate(
        db,
        form.username,
        form.password,
        client_address=address,
        policy=auth.LockoutPolicy(
            settings.login_max_failures, timedelta(minutes=settings.login_lockout_minutes)
        ),
        channel="api",
    )
    lifetime = timedelta(days=settings.token_lifetime_days)
    issued = auth.create_token(
        db, auth.actor_of(user, address), name="password login", lifetime=lifetime
    )
    return AccessToken(access_token=issued.secret, expires_in=int(lifetime.total_seconds()))
