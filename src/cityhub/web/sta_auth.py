"""Who calls the SensorThings API: a Bearer token, HTTP Basic with a token, or the public.

Standard SensorThings clients (frost-sta-client, QGIS, Node-RED) speak HTTP Basic, so besides
``Authorization: Bearer <token>`` the API takes ``Authorization: Basic`` with the user name
and one of that user's API tokens as the password. Passwords proper are never accepted here:
a station or script holds a revocable token, not a login. The token must belong to the user
named, so that a leaked token cannot be passed off under another name in logs.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import Depends, Request

from cityhub import audit
from cityhub.auth import Actor, actor_for_token
from cityhub.auth.users import normalise_username
from cityhub.db import Database
from cityhub.errors import NotAuthenticated
from cityhub.web.deps import client_address, get_db

REALM = "cityhub SensorThings"
CHALLENGE = f'Basic realm="{REALM}"'


def basic_credentials(value: str) -> tuple[str, str]:
    """The (user name, password) of the credentials of a Basic header; NotAuthenticated when
    they are not base64 of ``name:password`` in UTF-8."""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError; so is non-ASCII
        raise NotAuthenticated(
            "HTTP Basic credentials must be base64 of 'user:token'",
            details={"header": "Authorization"},
        ) from None
    username, colon, password = decoded.partition(":")
    if not colon or not username.strip() or not password:
        raise NotAuthenticated(
            "HTTP Basic credentials need a user name and an API token as the password",
            details={"header": "Authorization"},
        )
    return username, password


def actor_for_header(db: Database, header: str | None, address: str | None) -> Actor:
    """The actor of an ``Authorization`` header (None: the public)."""
    if not header:
        return Actor.public(address)
    scheme, _, credentials = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer" and credentials.strip():
        return actor_for_token(db, credentials.strip(), address)
    if scheme == "basic":
        username, token = basic_credentials(credentials)
        actor = actor_for_token(db, token, address)
        if normalise_username(username) != actor.username:
            audit.deny(
                db,
                Actor.public(address),
                "auth.token",
                details={"reason": "token of another user", "username": username},
            )
            raise NotAuthenticated(
                "the API token does not belong to the user named",
                details={"reason": "user mismatch"},
            )
        return actor
    raise NotAuthenticated(
        "send 'Authorization: Bearer <token>' or HTTP Basic with an API token as the password",
        details={"header": "Authorization"},
    )


def sta_actor(request: Request, db: Annotated[Database, Depends(get_db)]) -> Actor:
    """Dependency: who calls the SensorThings API."""
    return actor_for_header(db, request.headers.get("authorization"), client_address(request))


StaActor = Annotated[Actor, Depends(sta_actor)]
