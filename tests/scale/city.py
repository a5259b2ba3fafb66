"""The small platform the scale test hammers, prepared through the Python API.

Nothing here goes through HTTP: the processes under test only serve what is prepared. The trace
log is left empty and no dataset has a version yet, so the hammering also covers the first
append to the log and the first ingest (which creates the Iceberg catalogue's tables) racing
in two processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from cityhub import auth, catalog, sharing
from cityhub.auth import Actor, Role
from cityhub.db import Database, upgrade
from cityhub.programme.setup import ensure_programme
from cityhub.sensing.alarms import Severity, create_rule, threshold_rule
from cityhub.sensing.models import Datastream
from cityhub.sensing.sta import write
from cityhub.trace.actors import ActorIn, link_account, register_actor

SYSTEM = Actor.system()
ADMIN_PASSWORD = "scale-admin-password"
PASSWORD = "scale-user-password"
OWNER = "SLJ"  # the department that owns every dataset and station here
STEWARD = "slj.steward"
STATION = "slj.station"
RECORDER = "farm.recorder"
INGESTED = "scale-readings"  # 无条件共享: the concurrent ingests go here
SHARED = ("scale-shared-a", "scale-shared-b")  # 有条件共享: requested by other departments
REQUESTERS = ("GXJ", "JTYSJ", "SWENJ", "FGW", "CGJ", "KJJ")  # their analysts ask for SHARED
FARM_CODE = "93371522MA3C0002X1"  # a valid 统一社会信用代码 (莘县), the trace actor's
THRESHOLD = 5.0  # metres: a level at or above it raises a yellow alarm
LEVELS = ("upstream level", "downstream level")  # two Datastreams, one rule each


@dataclass(frozen=True)
class City:
    """What the test needs to know about the prepared platform."""

    tokens: dict[str, str]  # username -> bearer secret
    requests: tuple[int, ...]  # pending sharing requests, one per (dataset, department)
    datastreams: tuple[int, ...]
    rules: dict[int, int]  # datastream id -> its alarm rule's id
    trace_actor: str  # public ref of the actor whose keys are registered


def _user(db: Database, username: str, department: str, role: Role) -> None:
    auth.create_user(
        db, SYSTEM, username=username, password=PASSWORD, department_code=department, role=role
    )


def _actor(db: Database, username: str) -> Actor:
    with db.reading() as session:
        user = session.scalars(select(auth.User).where(auth.User.username == username)).one()
        return Actor(user.id, user.username, Role(user.role), user.department.code)


def _token(db: Database, username: str) -> str:
    issued = auth.create_token(
        db, SYSTEM, name="scale test", lifetime=timedelta(hours=2), username=username
    )
    return issued.secret


def _datasets(db: Database) -> None:
    catalog.create_dataset(
        db,
        SYSTEM,
        catalog.DatasetSpec(name=INGESTED, title="并发水位读数", department=OWNER),
    )
    for name in SHARED:
        catalog.create_dataset(
            db,
            SYSTEM,
            catalog.DatasetSpec(
                name=name,
                title=f"有条件共享 {name}",
                department=OWNER,
                share_type=catalog.ShareType.CONDITIONAL,
                share_conditions="仅用于防汛调度",
            ),
        )


def _requests(db: Database) -> tuple[int, ...]:
    made = []
    for code in REQUESTERS:
        username = f"{code.lower()}.analyst"
        _user(db, username, code, Role.ANALYST)
        analyst = _actor(db, username)
        for name in SHARED:
            found = sharing.request_access(
                db, analyst, name, "flood dispatch planning for the city", 30
            )
            made.append(found.id)
    return tuple(made)


def _station(db: Database) -> tuple[tuple[int, ...], dict[int, int]]:
    steward = _actor(db, STEWARD)
    unit = {"name": "metre", "symbol": "m", "definition": "ucum:m"}
    body = {
        "name": "scale test station",
        "description": "water levels posted by two processes at once",
        "Locations": [
            {
                "name": "徒骇河",
                "description": "river bank",
                "encodingType": "application/geo+json",
                "location": {"type": "Point", "coordinates": [115.98, 36.45]},
            }
        ],
        "Datastreams": [
            {
                "name": name,
                "description": "water level above datum",
                "unitOfMeasurement": unit,
                "observationType": (
                    "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
                ),
                "Sensor": {
                    "name": f"radar gauge ({name})",
                    "description": "radar water level gauge",
                    "encodingType": "text/plain",
                    "metadata": "radar",
                },
                "ObservedProperty": {
                    "name": f"water level ({name})",
                    "definition": f"https://example.org/water-level/{index}",
                    "description": "water level above datum",
                },
            }
            for index, name in enumerate(LEVELS)
        ],
    }
    thing_id = write.create(db, steward, "Things", body)
    with db.reading() as session:
        streams = tuple(
            session.scalars(
                select(Datastream.id).where(Datastream.thing_id == thing_id).order_by(Datastream.id)
            )
        )
    rules = {}
    for stream in streams:
        spec = threshold_rule(stream, {Severity.YELLOW: THRESHOLD}, name=f"level {stream}")
        rules[stream] = create_rule(db, steward, spec).id
    return streams, rules


def _trace_actor(db: Database) -> str:
    view = register_actor(
        db,
        SYSTEM,
        ActorIn(
            code=FARM_CODE, name_zh="莘县合作社", name_en="farm", kind="farm", lon=115.6, lat=36.2
        ),
    )
    link_account(db, SYSTEM, view.ref, RECORDER)
    return view.ref


def prepare(db: Database) -> City:
    """Fill the database with what the hammering needs; first migrate it and make its first
    start as ``cityhub serve`` does (no-ops once a process has)."""
    upgrade(db)
    auth.bootstrap(db, admin_password=ADMIN_PASSWORD)
    ensure_programme(db)
    _user(db, STEWARD, OWNER, Role.STEWARD)
    _user(db, STATION, OWNER, Role.STATION)
    _user(db, RECORDER, "NYNCJ", Role.RECORDER)
    _datasets(db)
    requests = _requests(db)
    streams, rules = _station(db)
    ref = _trace_actor(db)
    tokens = {name: _token(db, name) for name in (auth.ADMIN_USERNAME, STEWARD, STATION, RECORDER)}
    return City(tokens, requests, streams, rules, ref)
