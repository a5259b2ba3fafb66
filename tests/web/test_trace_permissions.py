"""Who may call the traceability API: every endpoint against every role, as a table.

The fixture is ``seed_table``: the farm (credit code FARM_CODE) with key FARM_KEY, lot TABLE_LOT
commissioned by it (log index 1, after the key's registration at 0), and the analyst's account
linked to the farm. Reads are open to everyone (the log and histories hold no personal data;
natural persons are masked); recording needs TRACE_RECORD for the actor (the analyst is linked
but is no recorder), managing actors and revoking others' keys TRACE_MANAGE, anchoring and
verifying the audit trail an admin.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from cityhub.config import Settings
from cityhub.db import Database
from tests.conftest import People
from tests.trace.people import FARM_CODE
from tests.web.permission_table import ROLES, check_call
from tests.web.test_trace_api import (
    FARM_KEY,
    SECOND_KEY,
    TABLE_LOT,
    fast,
    register_statement,
    seed_table,
    table_event,
)

LOT = quote(TABLE_LOT, safe="")
KEY = FARM_KEY.key_id.hex()
NEW_ACTOR = {"code": "91371500MA3C00003Q", "name_zh": "聊城农资公司", "kind": "input_supplier"}

# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("POST", "/api/trace/actors", NEW_ACTOR, (401, 403, 201, 201)),
    ("GET", "/api/trace/actors", None, (200, 200, 200, 200)),
    ("GET", f"/api/trace/actors/{FARM_CODE}", None, (200, 200, 200, 200)),
    (
        "POST",
        f"/api/trace/actors/{FARM_CODE}/accounts",
        {"username": "nyncj.steward"},
        (401, 403, 204, 204),
    ),
    ("DELETE", f"/api/trace/actors/{FARM_CODE}/accounts/slj.analyst", None, (401, 403, 204, 204)),
    ("GET", f"/api/trace/actors/{FARM_CODE}/keys", None, (200, 200, 200, 200)),
    (
        "POST",
        "/api/trace/keys",
        {"envelope": register_statement(SECOND_KEY)},
        (401, 403, 403, 201),
    ),
    ("POST", f"/api/trace/keys/{KEY}/revoke", {"reason": "私钥丢失"}, (401, 403, 200, 200)),
    ("POST", "/api/trace/events", {"envelopes": [table_event(1)]}, (401, 403, 403, 201)),
    ("GET", "/api/trace/batches", None, (200, 200, 200, 200)),
    ("GET", f"/api/trace/batches/history?lot={LOT}", None, (200, 200, 200, 200)),
    ("GET", f"/api/trace/batches/evidence?lot={LOT}", None, (200, 200, 200, 200)),
    ("GET", f"/api/trace/recall?lot={LOT}&direction=back", None, (200, 200, 200, 200)),
    ("GET", "/api/trace/anchors", None, (200, 200, 200, 200)),
    ("POST", "/api/trace/anchors", None, (401, 403, 403, 200)),
    ("GET", "/api/trace/anchors/verify", None, (401, 403, 403, 200)),
    # The log itself (routes/trace_log.py): public, like the tiles under /trace/log/.
    ("GET", "/api/trace/log/proofs/inclusion?index=0", None, (200, 200, 200, 200)),
    ("GET", "/api/trace/log/proofs/consistency?first=1", None, (200, 200, 200, 200)),
    ("GET", "/api/trace/log/bundles/1", None, (200, 200, 200, 200)),
    ("GET", "/api/trace/log/checkpoints/1", None, (200, 200, 200, 200)),
]
# Refs, key IDs and indices are keyed by the segment before them, as in the sensing table.
PLACEHOLDERS = {
    f"actors/{FARM_CODE}": "actors/{ref}",
    "accounts/slj.analyst": "accounts/{username}",
    f"keys/{KEY}": "keys/{key_id}",
    "bundles/1": "bundles/{index}",
    "checkpoints/1": "checkpoints/{size}",
}
ELSEWHERE: set[tuple[str, str]] = set()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return fast(settings)


@pytest.fixture
def seeded(client: TestClient, db: Database, people: People) -> None:
    seed_table(client.app, db)  # type: ignore[arg-type]


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_trace_endpoint(
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


def test_a_linked_account_without_the_recorder_role_may_not_record(
    client: TestClient, seeded: None, headers: dict[str, dict[str, str]]
) -> None:
    refused = client.post(
        "/api/trace/events", json={"envelopes": [table_event(1)]}, headers=headers["analyst"]
    )
    assert refused.json()["error"]["details"]["permission"] == "trace.record"
