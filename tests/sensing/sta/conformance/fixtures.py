"""Helpers shared by the SensorThings tests: the app with the API, tokens, credentials.

The conformance modules get them as fixtures from ``conftest.py``; the read tests one level up
import them.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from cityhub import auth
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.web import create_app

ROOT = "/sta/v1.1"
ROLES = {
    "admin": "admin",
    "steward": "slj.steward",
    "analyst": "slj.analyst",
    "other": "nyncj.steward",
}


def sta_app(settings: Settings, db: Database) -> FastAPI:
    """The cityhub app (it serves the SensorThings API under ``ROOT``)."""
    return create_app(settings, db)


def sta_client(settings: Settings, db: Database) -> TestClient:
    """A test client of ``sta_app`` (enter it with ``with``)."""
    return TestClient(sta_app(settings, db), base_url="http://testserver")


def api_tokens(db: Database) -> dict[str, str]:
    """An API token secret per role name of ``ROLES`` (the users of the ``people`` fixture)."""
    system = auth.Actor.system()
    return {
        role: auth.create_token(
            db, system, name="sta", lifetime=timedelta(days=1), username=username
        ).secret
        for role, username in ROLES.items()
    }


def basic(username: str, password: str) -> dict[str, str]:
    """HTTP Basic headers."""
    pair = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def bearer(secret: str) -> dict[str, str]:
    """Bearer headers."""
    return {"Authorization": f"Bearer {secret}"}


def role_headers(tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    """Headers per role: Bearer for most, Basic for the other department (both must work)."""
    found = {role: bearer(secret) for role, secret in tokens.items()}
    found["other"] = basic(ROLES["other"], tokens["other"])
    found["public"] = {}
    return found


def values(client: TestClient, path: str, headers: dict[str, str] | None = None) -> list[Any]:
    """The ``value`` of a collection GET that must succeed."""
    response = client.get(f"{ROOT}/{path}", headers=headers or {})
    assert response.status_code == 200, response.text
    found: list[Any] = response.json()["value"]
    return found


def all_pages(client: TestClient, url: str, headers: dict[str, str] | None = None) -> list[Any]:
    """Every entity of a collection, following ``@iot.nextLink`` to the last page."""
    found: list[Any] = []
    seen: set[str] = set()
    while url:
        assert url not in seen, f"nextLink loops back to {url}"
        seen.add(url)
        response = client.get(url, headers=headers or {})
        assert response.status_code == 200, response.text
        body = response.json()
        found.extend(body["value"])
        url = body.get("@iot.nextLink", "")
    return found
