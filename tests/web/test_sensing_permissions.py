"""Who may call the sensing API: every endpoint against every role, as a table.

The fixture is the river network of ``tests.sensing.test_dashboard`` (the analyst and the steward
are of 水利局, which runs 徒骇河聊城站 = Thing 1, its water level = Datastream 1 and rain =
Datastream 2) with rule 1 (water level, which raised alarm 1 on 徒骇河), rule 2 (rainstorm, never
raised) and silence 1 (on the rain gauge). Reads of stations, series and alarms follow the
stations' sharing (the public sees only 东昌湖站); handling needs ``alarms.handle`` for the
station's department.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub.db import Database
from cityhub.sensing.alarms import (
    AlarmEngine,
    SilenceSpec,
    create_rule,
    create_silence,
    rainstorm_rule,
    water_level_rule,
)
from tests.conftest import People
from tests.sensing.test_dashboard import ADMIN, NOW, STEWARD, build_network, store
from tests.web.permission_table import ROLES, check_call

FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()
WATER_LEVEL_RULE = {
    "name": "徒骇河警戒水位",
    "kind": "threshold",
    "datastream_id": 1,
    "tiers": [{"severity": "yellow", "create": {"op": ">=", "value": 32.0}}],
}


@pytest.fixture
def alarmed(db: Database, people: People) -> None:
    network = build_network(db)
    create_rule(db, ADMIN, water_level_rule(network.tuhai_level, 32.0, 33.0, 34.5))
    create_rule(db, ADMIN, rainstorm_rule(network.tuhai_rain))
    AlarmEngine(db, lambda: NOW).observe(store(db, network.tuhai_level, [(NOW, 32.3)]))
    end = datetime.now(UTC) + timedelta(days=1)
    create_silence(db, STEWARD, SilenceSpec(end, "雨量计校准", datastream_id=network.tuhai_rain))


# (method, path, JSON body or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/sensing/stations", None, (200, 200, 200, 200)),
    ("GET", "/api/sensing/stations/1", None, (404, 200, 200, 200)),
    ("GET", "/api/sensing/datastreams/1/series", None, (404, 200, 200, 200)),
    ("GET", "/api/sensing/alarms?status=open", None, (200, 200, 200, 200)),
    ("GET", "/api/sensing/alarms/1/events", None, (404, 200, 200, 200)),
    ("POST", "/api/sensing/alarms/1/acknowledge", {"note": "已通知巡河员"}, (401, 403, 200, 200)),
    ("POST", "/api/sensing/alarms/1/clear", None, (401, 403, 200, 200)),
    ("GET", "/api/sensing/silences", None, (401, 403, 200, 200)),
    (
        "POST",
        "/api/sensing/silences",
        {"thing_id": 1, "ends_at": FUTURE, "reason": "水位计检修"},
        (401, 403, 201, 201),
    ),
    ("POST", "/api/sensing/silences/1/end", None, (401, 403, 200, 200)),
    ("GET", "/api/sensing/rules", None, (401, 403, 200, 200)),
    ("POST", "/api/sensing/rules", WATER_LEVEL_RULE, (401, 403, 201, 201)),
    ("PUT", "/api/sensing/rules/1/enabled", {"enabled": False}, (401, 403, 200, 200)),
    ("DELETE", "/api/sensing/rules/2", None, (401, 403, 204, 204)),
]
# Ids of different kinds share numbers, so each placeholder is keyed by the segment before it.
PLACEHOLDERS = {
    "stations/1": "stations/{thing_id}",
    "datastreams/1": "datastreams/{datastream_id}",
    "alarms/1": "alarms/{alarm_id}",
    "silences/1": "silences/{silence_id}",
    "rules/1": "rules/{rule_id}",
    "rules/2": "rules/{rule_id}",
}
# A stream that never ends: tests/web/test_sensing_api.py reads it over real HTTP per role.
ELSEWHERE = {("GET", "/api/sensing/events")}


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_sensing_endpoint(
    client: TestClient,
    alarmed: None,
    headers: dict[str, dict[str, str]],
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: tuple[int, int, int, int],
) -> None:
    check_call(client, headers[role], method, path, body, expected[ROLES.index(role)])


def test_another_departments_steward_may_read_but_not_handle(
    client: TestClient, alarmed: None, headers: dict[str, dict[str, str]]
) -> None:
    from tests.conftest import token_for

    other = token_for(client, "nyncj.steward")
    assert client.get("/api/sensing/alarms/1/events", headers=other).status_code == 200
    for action in ("acknowledge", "clear"):
        refused = client.post(f"/api/sensing/alarms/1/{action}", headers=other)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["details"]["permission"] == "alarms.handle"
    refused = client.put("/api/sensing/rules/1/enabled", json={"enabled": False}, headers=other)
    assert refused.status_code == 403
    assert client.get("/api/sensing/rules", headers=other).json() == []
