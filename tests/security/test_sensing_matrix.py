"""The sensing permission matrix: station data × every role × every sharing class of a Datastream.

A Datastream has a share type and may be open to the public, as a dataset does; the rules
(docs/sensing.md, ``cityhub.sensing.access``) are restated here as the oracle:

- open to the public: everyone reads it; 无条件共享: every signed-in user; 有条件共享 and 不予共享:
  the owner department and admins (grants are for datasets; a station's data is asked for
  through its department);
- a Thing is visible with one readable Datastream, and always to its own department;
- writing (Observations) needs ``sensing.write`` (stewards, station accounts, admins) and, but
  for admins, the Thing's department.

What may not be read is not found (404), as SensorThings servers answer; a refused write is 401
for the public, 403 for users.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cityhub import auth
from cityhub.catalog import ShareType
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.sensing.models import Datastream, Observation, Thing
from cityhub.sensing.sta import write
from cityhub.web import create_app
from tests.security.world import OWNER, ROLES, Role, create_role_users, role_tokens

OM = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"


@dataclass(frozen=True)
class StreamClass:
    share: ShareType
    public: bool

    @property
    def name(self) -> str:
        return f"stream-{self.share.value}-{'public' if self.public else 'internal'}"


STREAM_CLASSES = tuple(StreamClass(s, p) for s, p in product(ShareType, (True, False)))


@dataclass(frozen=True)
class Ids:
    thing: int
    datastream: int
    observation: int


def reads(role: Role, stream: StreamClass) -> bool:
    if stream.public or role.role is auth.Role.ADMIN or role.department == OWNER:
        return True
    return role.username is not None and stream.share is ShareType.UNCONDITIONAL


def writes(role: Role) -> bool:
    return role.role is auth.Role.ADMIN or (
        role.role is auth.Role.STEWARD and role.department == OWNER
    )


@dataclass(frozen=True)
class Check:
    """One operation: its route, the request for a station's ids, and the rule it follows."""

    template: str
    build: Callable[[Ids], tuple[str, str, dict[str, object] | None]]
    rule: str  # "read" (200 or 404), "list" (listed or not), "write"


def _observation_body(ids: Ids) -> dict[str, object]:
    moment = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    return {"phenomenonTime": moment, "result": 31.2}


CHECKS = (
    Check(
        "GET /sta/v1.1/Things({id})",
        lambda i: ("GET", f"/sta/v1.1/Things({i.thing})", None),
        "read",
    ),
    Check(
        "GET /sta/v1.1/Datastreams({id})",
        lambda i: ("GET", f"/sta/v1.1/Datastreams({i.datastream})", None),
        "read",
    ),
    Check(
        "GET /sta/v1.1/Datastreams({id})/Observations",
        lambda i: ("GET", f"/sta/v1.1/Datastreams({i.datastream})/Observations", None),
        "read",
    ),
    Check(
        "GET /sta/v1.1/Observations({id})",
        lambda i: ("GET", f"/sta/v1.1/Observations({i.observation})", None),
        "read",
    ),
    Check(
        "GET /api/sensing/datastreams/{id}/series",
        lambda i: ("GET", f"/api/sensing/datastreams/{i.datastream}/series", None),
        "read",
    ),
    Check(
        "GET /api/sensing/stations/{id}",
        lambda i: ("GET", f"/api/sensing/stations/{i.thing}", None),
        "read",
    ),
    Check(
        "GET /sta/v1.1/Datastreams",
        lambda i: ("GET", "/sta/v1.1/Datastreams?$top=100", None),
        "list",
    ),
    Check("GET /sta/v1.1/Things", lambda i: ("GET", "/sta/v1.1/Things?$top=100", None), "list"),
    Check(
        "GET /sta/v1.1/Observations",
        lambda i: ("GET", "/sta/v1.1/Observations?$top=100", None),
        "list",
    ),
    Check("GET /api/sensing/stations", lambda i: ("GET", "/api/sensing/stations", None), "list"),
    Check(
        "POST /sta/v1.1/Datastreams({id})/Observations",
        lambda i: (
            "POST",
            f"/sta/v1.1/Datastreams({i.datastream})/Observations",
            _observation_body(i),
        ),
        "write",
    ),
)


def _station(db: Database, stream: StreamClass) -> Ids:
    body = {
        "name": stream.name,
        "description": "徒骇河水位站",
        "properties": {"department": OWNER},
        "Locations": [
            {
                "name": "l",
                "description": "d",
                "encodingType": "application/geo+json",
                "location": {"type": "Point", "coordinates": [115.98, 36.45]},
            }
        ],
        "Datastreams": [
            {
                "name": stream.name,
                "description": "水位",
                "unitOfMeasurement": {"name": "metre", "symbol": "m", "definition": "urn:m"},
                "observationType": OM,
                "Sensor": {
                    "name": "s",
                    "description": "d",
                    "encodingType": "text/html",
                    "metadata": "m",
                },
                "ObservedProperty": {"name": "水位", "definition": "urn:level", "description": "d"},
                "Observations": [{"phenomenonTime": "2026-07-20T08:00:00+08:00", "result": 30.5}],
            }
        ],
    }
    thing_id = write.create(db, auth.Actor.system(), "Things", body)
    with db.transaction() as session:
        department = auth.departments.department_by_code(session, OWNER)
        session.get_one(Thing, thing_id).department_id = department.id
        stream_row = session.scalars(
            select(Datastream).where(Datastream.thing_id == thing_id)
        ).one()
        stream_row.share_type, stream_row.open_to_public = stream.share.value, stream.public
        observation = session.scalars(
            select(Observation.id).where(Observation.datastream_id == stream_row.id)
        ).one()
        return Ids(thing_id, stream_row.id, observation)


@pytest.fixture
def sensing_world(
    db: Database, settings: Settings
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], dict[str, Ids]]]:
    create_role_users(db)
    stations = {stream.name: _station(db, stream) for stream in STREAM_CLASSES}
    headers = {
        key: {} if token is None else {"Authorization": f"Bearer {token}"}
        for key, token in role_tokens(db).items()
    }
    with TestClient(create_app(settings, db), base_url="http://testserver") as client:
        yield client, headers, stations


def _listed(body: object, ids: Ids, template: str) -> bool:
    wanted = (
        ids.thing
        if "Things" in template or "stations" in template
        else (ids.datastream if "Datastreams" in template else ids.observation)
    )
    items = body.get("value", []) if isinstance(body, dict) else body
    assert isinstance(items, list)
    return any(item.get("@iot.id", item.get("id")) == wanted for item in items)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.template)
def test_station_data(
    sensing_world: tuple[TestClient, dict[str, dict[str, str]], dict[str, Ids]], check: Check
) -> None:
    client, headers, stations = sensing_world
    problems = []
    for stream in STREAM_CLASSES:
        ids = stations[stream.name]
        for role in ROLES:
            method, path, body = check.build(ids)
            response = client.request(method, path, json=body, headers=headers[role.key])
            status = response.status_code
            if check.rule == "read":
                wanted = 200 if reads(role, stream) else 404
                problem = None if status == wanted else f"status {status}, expected {wanted}"
            elif check.rule == "list":
                listed = status == 200 and _listed(response.json(), ids, check.template)
                problem = None if listed == reads(role, stream) else f"listed: {listed}"
            else:
                wanted = 201 if writes(role) else 401 if role.username is None else 403
                if not writes(role) and not reads(role, stream):
                    wanted = 401 if role.username is None else 404  # hidden stays hidden
                problem = None if status == wanted else f"status {status}, expected {wanted}"
            if problem:
                problems.append(f"{role.key} on {stream.name}: {problem}: {response.text[:120]}")
    assert not problems, "\n".join(problems)
