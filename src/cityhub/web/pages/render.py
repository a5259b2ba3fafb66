"""Rendering of templates with the language, the actor, the navigation and the CSRF token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from cityhub import __version__
from cityhub.auth import Actor, Permission
from cityhub.web.csrf import nonce_of, token_for
from cityhub.web.i18n import LANGUAGES, Translator, language_of

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


# (message id, path, permission needed or None); later modules add their entries here.
NAVIGATION: tuple[tuple[str, str, Permission | None], ...] = (
    ("nav.home", "/", None),
    ("nav.catalog", "/datasets", None),
    ("nav.groups", "/groups", None),
    ("nav.sharing", "/sharing", Permission.SHARING_REQUEST),
    ("derived.nav", "/derived", Permission.DATASETS_PUBLISH),
    ("linking.nav", "/linking", Permission.DATASETS_PUBLISH),
    ("sensing.nav", "/sensing", None),
    ("trace.nav", "/trace", None),
    ("programme.nav", "/programme", Permission.PROGRAMME_READ),
    ("cockpit.nav", "/cockpit", Permission.PROGRAMME_READ),
    ("incentives.nav", "/incentives", None),
    ("nav.departments", "/departments", Permission.DEPARTMENTS_READ),
    ("nav.audit", "/audit", Permission.AUDIT_READ),
    ("nav.api", "/docs", None),
)


def render(
    request: Request, template: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    """Render ``template`` for this request's language and actor."""
    language = language_of(request)
    actor: Actor = getattr(request.state, "actor", None) or Actor.public()
    key: bytes = request.app.state.settings.signing_key()
    base = {
        "t": Translator(language),
        "lang": language,
        "other_lang": next(code for code in LANGUAGES if code != language),
        "actor": actor,
        "nav": [
            (label, path) for label, path, need in NAVIGATION if need is None or actor.can(need)
        ],
        "csrf_token": token_for(key, nonce_of(request)),
        "version": __version__,
    }
    return TEMPLATES.TemplateResponse(request, template, base | context, status_code=status)
