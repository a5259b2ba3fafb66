"""Login, logout and the language toggle."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityhub import auth
from cityhub.errors import AccountLocked, InvalidCredentials
from cityhub.web.csrf import verify_csrf
from cityhub.web.deps import (
    SESSION_COOKIE,
    DatabaseDep,
    PageActor,
    SettingsDep,
    client_address,
    secure_cookies,
)
from cityhub.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)

ONE_YEAR = 365 * 24 * 3600


def local_path(target: str | None) -> str:
    """``target`` if it is a path on this site, else ``/`` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, actor: PageActor, next: str = "/") -> HTMLResponse:
    """The login form."""
    return render(request, "login.html", {"next": local_path(next), "error": None})


@router.post("/login", dependencies=[Depends(verify_csrf)], response_model=None)
def login(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    actor: PageActor,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password, open a session and go where the user was heading."""
    policy = auth.LockoutPolicy(
        settings.login_max_failures, timedelta(minutes=settings.login_lockout_minutes)
    )
    address = client_address(request)
    try:
        user = auth.authenticate(
            db, username, password, client_address=address, policy=policy, channel="web"
        )
    except (InvalidCredentials, AccountLocked) as exc:
        error = "login.locked" if isinstance(exc, AccountLocked) else "login.failed"
        status = 429 if isinstance(exc, AccountLocked) else 401
        context = {"next": local_path(next), "error": error, "username": username}
        return render(request, "login.html", context, status=status)
    lifetime = timedelta(minutes=settings.session_lifetime_minutes)
    secret = auth.open_session(db, user, lifetime=lifetime, client_address=address)
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings, request),
    )
    return response


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, db: DatabaseDep, actor: PageActor) -> RedirectResponse:
    """End the session."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret and actor.is_authenticated:
        auth.close_session(db, actor, secret)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{language}")
def switch_language(
    request: Request, language: str, settings: SettingsDep, next: str = "/"
) -> RedirectResponse:
    """Remember the chosen language (zh-CN or en) and go back."""
    response = RedirectResponse(local_path(next), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=ONE_YEAR,
            samesite="lax",
            secure=secure_cookies(settings, request),
        )
    return response
