"""Who may call the incentives API: every endpoint against every role, as a table.

The fixture is one stored declaration (DIGITAL); there is no base database (answers come from
declared facts). Rules and checks with facts are public; a check with the stored
declaration and reading declarations need PROGRAMME_READ; 免申即享 lists INCENTIVES_SCREEN;
storing declarations PROGRAMME_REPORT (stewards, admins); deleting them PROGRAMME_MANAGE.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub import auth
from cityhub.db import Database
from cityhub.programme import incentives
from tests.conftest import People
from tests.programme.incentive_entities import DIGITAL, FACTORY
from tests.web.permission_table import ROLES, check_call

FACTS = {"small_scale_vat": True}
DECLARATION = {"enterprise_name": "聊城棉纺织有限公司", "facts": FACTS}

# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/programme/incentives/rules", None, (200, 200, 200, 200)),
    (
        "POST",
        "/api/programme/incentives/check",
        {"credit_code": DIGITAL, "on": "2020-06-01", "declared": FACTS},
        (200, 200, 200, 200),
    ),
    (
        "POST",
        "/api/programme/incentives/check",
        {"credit_code": DIGITAL, "on": "2020-06-01"},
        (401, 200, 200, 200),
    ),
    (
        "GET",
        "/api/programme/incentives/rules/tax-halving/qualifying?on=2020-06-01",
        None,
        (401, 200, 200, 200),
    ),
    ("GET", "/api/programme/incentives/declarations", None, (401, 200, 200, 200)),
    ("GET", f"/api/programme/incentives/declarations/{DIGITAL}", None, (401, 200, 200, 200)),
    (
        "PUT",
        f"/api/programme/incentives/declarations/{FACTORY}",
        DECLARATION,
        (401, 403, 200, 200),
    ),
    ("DELETE", f"/api/programme/incentives/declarations/{DIGITAL}", None, (401, 403, 403, 204)),
]
# Concrete path parts -> route template parts, for the coverage test in test_permissions.py.
PLACEHOLDERS = {
    f"declarations/{DIGITAL}": "declarations/{credit_code}",
    f"declarations/{FACTORY}": "declarations/{credit_code}",
    "rules/tax-halving/qualifying": "rules/{rule}/qualifying",
}


@pytest.fixture
def seeded(db: Database, people: People) -> None:
    # No base database: permissions do not depend on it, and the table stays fast.
    incentives.save_declaration(
        db, auth.Actor.system(), DIGITAL, incentives.DeclaredFacts(small_scale_vat=True)
    )


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_incentives_endpoint(
    client: TestClient,
    seeded: None,
    headers: dict[str, dict[str, str]],
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, int, int, int],
) -> None:
    check_call(client, headers[role], method, path, body, expected[ROLES.index(role)])
