"""CSRF protection for forms: a random nonce in an HTTP-only cookie, the form carries its HMAC.

An attacker's page can neither read the cookie nor compute the HMAC without the server's key,
so a forged form post fails. htmx requests send the token in the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from cityhub.errors import PermissionDenied

CSRF_COOKIE = "cityhub_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def new_nonce() -> str:
    """A fresh nonce for the CSRF cookie."""
    return secrets.token_urlsafe(24)


def token_for(key: bytes, nonce: str) -> str:
    """The form token that matches ``nonce``."""
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def nonce_of(request: Request) -> str:
    """The request's nonce: from its cookie, or the one the middleware is about to set."""
    nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_nonce", None)
    assert nonce, "the security middleware sets a CSRF nonce on every page request"
    return str(nonce)


async def verify_csrf(request: Request) -> None:
    """Dependency for every unsafe page route: the posted token must match the cookie."""
    nonce = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    key: bytes = request.app.state.settings.signing_key()
    if not nonce or not sent or not hmac.compare_digest(sent, token_for(key, nonce)):
        raise PermissionDenied(
            "the form has expired or did not come from this site; reload the page and try again",
            details={"reason": "csrf"},
        )
