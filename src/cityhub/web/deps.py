"""Dependencies shared by routes: the database, the settings, and who is asking."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from cityhub.auth import Actor, actor_for_session, actor_for_token
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import NotAuthenticated
from cityhub.pool.service import Pool

SESSION_COOKIE = "cityhub_session"

# The largest INTEGER of PostgreSQL, the type of every id column in a path: no stored id can be
# larger, and the database refuses to compare with a larger number.
MAX_ID = 2**31 - 1
# Numeric path parameters, bounded in the OpenAPI document so that an id out of range is a 400
# saying which parameter, never a driver error.
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="a numeric id (from 1)")]
Index = Annotated[int, Path(ge=0, le=MAX_ID, description="a position or size (from 0)")]


def get_db(request: Request) -> Database:
    """The app's metadata database."""
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_pool(request: Request) -> Pool:
    """The app's data pool."""
    pool: Pool = request.app.state.pool
    return pool


def client_address(request: Request) -> str | None:
    """The caller's address as seen by the server (after trusted proxy headers)."""
    return request.client.host if request.client else None


def api_actor(request: Request, db: Annotated[Database, Depends(get_db)]) -> Actor:
    """Who calls the API: the holder of the bearer token, or the public when none is sent."""
    header = request.headers.get("authorization")
    if not header:
        return Actor.public(client_address(request))
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise NotAuthenticated(
            "send the token as 'Authorization: Bearer <token>'", details={"header": "Authorization"}
        )
    return actor_for_token(db, credentials.strip(), client_address(request))


def page_actor(request: Request, db: Annotated[Database, Depends(get_db)]) -> Actor:
    """Who views a page: the logged-in user of the session cookie, or the public."""
    secret = request.cookies.get(SESSION_COOKIE)
    actor = actor_for_session(db, secret, client_address(request)) if secret else None
    actor = actor or Actor.public(client_address(request))
    request.state.actor = actor
    return actor


def secure_cookies(settings: Settings, request: Request) -> bool:
    """Whether to mark cookies Secure: as configured, else when the request came over HTTPS."""
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return request.url.scheme == "https"


DatabaseDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ApiActor = Annotated[Actor, Depends(api_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]
PoolDep = Annotated[Pool, Depends(get_pool)]
