"""The permission matrix: every dataset operation × every role × every sharing class.

The expected outcome of each call comes from ``access_rules`` (the rules as the policy states
them), never from the code under test; every answer that gives data is also read whole (JSON,
CSV in either encoding, Excel, Parquet, GeoJSON, SQL results, CKAN answers, page HTML) for the
personal values, which only the owner department may see.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select

from cityhub import auth
from cityhub.auth.models import User
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.web import create_app
from cityhub.web.ckan.envelope import ACTIONS
from cityhub.web.deps import SESSION_COOKIE
from tests.conftest import (
    ADMIN_PASSWORD,
    ON_POSTGRES,
    MigratedTemplate,
    isolated_settings,
    postgres_schema_url,
)
from tests.security.access_rules import Outcome, expected, masked
from tests.security.answers import body_text, outcome_problem
from tests.security.operations import (
    CKAN_ACTION,
    CKAN_NOT_BY_CLASS,
    NOT_BY_CLASS,
    OPERATIONS,
    Operation,
    Request,
)
from tests.security.world import (
    CLASSES,
    ROLES,
    SECRETS,
    Role,
    Target,
    build_world,
    role_tokens,
)

World = tuple[TestClient, dict[str, dict[str, str]], dict[str, tuple[Target, Target]]]


def _serve(db: Database, settings: Settings) -> Iterator[World]:
    """The app over a new world, each role's credentials (token for the API, cookie for pages),
    and what the calls name."""
    targets = build_world(db, settings)
    credentials: dict[str, dict[str, str]] = {}
    for role, token in zip(ROLES, role_tokens(db).values(), strict=True):
        if token is None:
            credentials[role.key] = {}
            continue
        with db.reading() as session:
            user = session.scalars(select(User).where(User.username == role.username)).one()
        cookie = auth.open_session(db, user, lifetime=timedelta(hours=1), client_address=None)
        credentials[role.key] = {"token": token, "cookie": cookie}
    with TestClient(create_app(settings, db), base_url="http://testserver") as client:
        yield client, credentials, targets


@pytest.fixture(scope="module")
def shared_world(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: MigratedTemplate
) -> Iterator[World]:
    """One world for every operation that changes nothing (built once: it takes seconds)."""
    folder = tmp_path_factory.mktemp("matrix")
    urls = postgres_schema_url() if ON_POSTGRES else iter([f"sqlite:///{folder / 'city.db'}"])
    for url in urls:
        settings = isolated_settings(folder, url)
        db = Database(settings.database_url_effective)
        migrated_template.copy_to(db)
        auth.bootstrap(db, admin_password=ADMIN_PASSWORD)
        yield from _serve(db, settings)
        db.dispose()


@pytest.fixture
def world(request: pytest.FixtureRequest, operation: Operation) -> Iterator[World]:
    """The shared world for reads; a world of its own for an operation that writes."""
    if operation.template.startswith("GET "):
        yield request.getfixturevalue("shared_world")
        return
    yield from _serve(request.getfixturevalue("db"), request.getfixturevalue("settings"))


def call(
    client: TestClient, credentials: dict[str, str], operation: Operation, request: Request
) -> Response:
    client.cookies.clear()
    headers = {}
    if operation.api in ("page", "notice"):
        if credentials:
            client.cookies.set(SESSION_COOKIE, credentials["cookie"])
    elif credentials:
        headers["Authorization"] = f"Bearer {credentials['token']}"
    return client.request(
        request.method,
        request.path,
        params=request.params,
        json=request.json,
        files=request.files,
        headers=headers,
        follow_redirects=False,
    )


def mask_problem(operation: Operation, role: Role, outcome: Outcome, text: str) -> str | None:
    """Personal values only for the owner department, and only in answers that give data."""
    shown = [secret for secret in SECRETS if secret in text]
    if shown and (masked(role) or outcome not in (Outcome.OK, Outcome.LISTED, Outcome.UNLISTED)):
        return f"personal data unmasked: {shown}"
    if outcome is Outcome.OK and not masked(role) and operation.shows_rows and not shown:
        return "the owner department does not see its own personal data"
    return None


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.key)
def test_operation(world: World, operation: Operation) -> None:
    client, credentials, targets = world
    problems = []
    for data in CLASSES:
        for role in ROLES:
            outcome = expected(operation.policy, role, data)
            target = targets[data.dataset][role.key == "admin"]
            response = call(client, credentials[role.key], operation, operation.build(target))
            problem = outcome_problem(operation.api, outcome, response, target)
            if problem is None:
                problem = mask_problem(operation, role, outcome, body_text(response))
            if problem:
                problems.append(f"{role.key} on {data.dataset} ({outcome}): {problem}")
    assert not problems, "\n".join(problems)


def test_every_dataset_operation_is_in_the_matrix(
    shared_world: World,
) -> None:
    """Each route naming a dataset, each CKAN action: in the matrix, or set aside with a reason."""
    client = shared_world[0]
    routes = {
        f"{method} {route.path}"
        for route in client.app.routes  # type: ignore[attr-defined]
        for method in getattr(route, "methods", None) or ()
        if method != "HEAD" and route.path.startswith(("/api/datasets/{name}", "/datasets/{name}"))
    }
    covered = {operation.template for operation in OPERATIONS} | set(NOT_BY_CLASS)
    assert sorted(routes - covered) == []
    actions = {o.variant for o in OPERATIONS if o.template == CKAN_ACTION}
    assert sorted(set(ACTIONS) - actions - set(CKAN_NOT_BY_CLASS)) == []
