"""SL 651 reports become Observations: registered and unregistered stations, passwords."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cityhub.auth.departments import department_by_code
from cityhub.db import Database
from cityhub.errors import PermissionDenied
from cityhub.sensing.bus import Bus
from cityhub.sensing.models import Datastream, Observation, Thing
from cityhub.sensing.observations import StoredObservation
from cityhub.sensing.sl651.report import Reading, Report
from cityhub.sensing.stations import StationDirectory, gateway_sink

CST = timezone(timedelta(hours=8))
SENT = datetime(2017, 7, 18, 11, 0, 16, tzinfo=CST)
OBSERVED = datetime(2017, 7, 18, 11, 0, tzinfo=CST)


def report(station: str = "0011223344", serial: int = 52, password: int = 0x03E8) -> Report:
    """The reference 32H timed report of reference/sensing.md §4.7, as decoded."""
    return Report(
        center=5,
        station=station,
        password=password,
        function_code=0x32,
        serial=serial,
        sent_at=SENT,
        classification=0x48,
        readings=(
            Reading(station, 0x20, OBSERVED, Decimal("4.0")),
            Reading(station, 0x26, OBSERVED, Decimal("4.0")),
            Reading(station, 0x39, OBSERVED, Decimal("10.490")),
            Reading(station, 0x38, OBSERVED, Decimal("10.99")),
            Reading(station, 0x39, OBSERVED + timedelta(minutes=5), None),  # no data: skipped
        ),
    )


def test_an_unknown_station_becomes_an_unregistered_thing_and_nothing_is_lost(db: Database) -> None:
    seen: list[list[StoredObservation]] = []
    bus = Bus()
    bus.subscribe(seen.append)
    sink = gateway_sink(db, bus, StationDirectory(db))

    sink(report())
    sink(report(serial=53))

    with db.reading() as session:
        thing = session.scalars(select(Thing)).one()
        assert thing.properties == {
            "sl651_address": "0011223344",
            "registered": False,
            "station_class": "river",
        }
        assert thing.department_id == department_by_code(session, "SLJ").id
        streams = {
            (d.properties or {})["sl651_element"]: d.id
            for d in session.scalars(select(Datastream).where(Datastream.thing_id == thing.id))
        }
        assert sorted(streams) == ["PJ", "PT", "VT", "Z"]
        levels = session.scalars(
            select(Observation.result_number).where(Observation.datastream_id == streams["Z"])
        ).all()
        assert levels == [10.49, 10.49]
        assert session.scalar(select(func.count()).select_from(Observation)) == 8
    assert [len(batch) for batch in seen] == [4, 4]
    assert seen[0][2].phenomenon_time == OBSERVED
    assert seen[0][2].parameters == {
        "sl651": {"fc": "32", "serial": 52, "sendTime": SENT.isoformat(), "station": "0011223344"}
    }


def test_a_registered_station_keeps_its_thing_and_datastream(db: Database) -> None:
    with db.transaction() as session:
        thing = Thing(
            name="聊城水文站",
            description="徒骇河",
            properties={"sl651_address": "0011223344", "sl651_password": "03E8"},
            department_id=department_by_code(session, "SLJ").id,
        )
        session.add(thing)
    sink = gateway_sink(db, None, StationDirectory(db))
    sink(report())
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Thing)) == 1
        stream = session.scalars(select(Datastream).where(Datastream.name.like("%瞬时河道水位%")))
        assert stream.one().thing_id == thing.id


@pytest.mark.parametrize("password", [0x0000, 0x1234])
def test_a_wrong_password_stores_nothing(db: Database, password: int) -> None:
    with db.transaction() as session:
        session.add(
            Thing(
                name="聊城水文站",
                description="徒骇河",
                properties={"sl651_address": "0011223344", "sl651_password": "03E8"},
            )
        )
    with pytest.raises(PermissionDenied):  # the gateway then leaves the frame unacknowledged
        gateway_sink(db, None, StationDirectory(db))(report(password=password))
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == 0
