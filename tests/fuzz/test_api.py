"""Schemathesis over the whole OpenAPI document, against the real server over HTTP.

For every operation, as the admin (who may reach deepest) and as the public, Hypothesis
generates requests from the schema — valid ones and ones that break it — and each answer must
satisfy ``api_rules``: no 5xx, errors in their envelope, no answer slower than its limit.

The budget is in ``budget.py``: 3 requests per operation and role in the test suite, with a fixed
seed so that CI is reproducible; ``make fuzz`` runs 200, with fresh randomness and shrinking.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from cityhub import auth
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.web import create_app
from tests.conftest import People
from tests.fuzz.api_rules import Reply, problems
from tests.fuzz.budget import API_EXAMPLES, DEEP
from tests.web.conftest import live_server  # noqa: F401 (a fixture)


@cache
def openapi_document() -> dict[str, Any]:
    """The app's OpenAPI document (building it needs no migrated database)."""
    folder = Path(tempfile.mkdtemp(prefix="cityhub-openapi-"))
    url = f"sqlite:///{folder / 'openapi.db'}"
    app = create_app(Settings(data_dir=folder, database_url=url), Database(url))
    return app.openapi()


def operations() -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, items in openapi_document()["paths"].items()
        for method in items
        if method in {"get", "put", "post", "delete", "patch"}
    ]


@pytest.fixture
def admin_headers(db: Database, people: People) -> dict[str, str]:
    """A fresh admin token: a fuzzed DELETE /api/tokens/{id} may revoke an earlier one."""
    token = auth.create_token(
        db, auth.Actor.system(), name="fuzz", lifetime=timedelta(hours=1), username=people.admin
    )
    return {"Authorization": f"Bearer {token.secret}"}


@pytest.fixture(scope="module")
def schema() -> Any:
    return schemathesis.openapi.from_dict(openapi_document())


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.mark.parametrize("role", ["admin", "public"])
@pytest.mark.parametrize("operation", operations())
def test_every_answer_follows_the_rules(
    schema: Any,
    live_server: str,  # noqa: F811
    admin_headers: dict[str, str],
    http: requests.Session,
    operation: str,
    role: str,
) -> None:
    method, path = operation.split(" ", 1)
    strategy = schema[path][method].as_strategy()
    headers = admin_headers if role == "admin" else {}
    phases = [Phase.generate, Phase.shrink] if DEEP else [Phase.generate]

    @settings(
        max_examples=API_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not DEEP,
        phases=phases,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: schemathesis.Case[Any]) -> None:
        began = time.perf_counter()
        request = case.as_transport_kwargs(base_url=live_server, headers=headers)
        with http.request(**request, stream=True, timeout=60) as response:
            content_type = response.headers.get("content-type", "")
            # An event stream never ends: its limit is on the headers, its body unread.
            body = b"" if content_type.startswith("text/event-stream") else response.content
        reply = Reply(
            method,
            case.formatted_path,
            response.status_code,
            content_type,
            body,
            time.perf_counter() - began,
        )
        found = problems(reply)
        assert not found, f"{case.as_curl_command()}\n" + "\n".join(found)

    check()
