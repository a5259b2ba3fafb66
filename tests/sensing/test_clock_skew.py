"""A station's clock off from the server's: late readings are taken, readings from more than
``MAX_CLOCK_AHEAD`` ahead are refused (naming the skew) on every way in, and a reading a little
ahead counts as now for the offline rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cityhub.db import Database, utcnow
from cityhub.errors import InvalidInput
from cityhub.sensing.alarms.memory import Memory
from cityhub.sensing.models import Observation
from cityhub.sensing.observations import MAX_CLOCK_AHEAD, NewObservation
from cityhub.sensing.sl651.report import Reading, Report
from cityhub.sensing.stations import StationDirectory, gateway_sink
from tests.sensing.test_observations import _insert, _stream

CST = timezone(timedelta(hours=8))
MINUTE = timedelta(minutes=1)


def _count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Observation)) or 0


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ({"phenomenon_time_start": -timedelta(days=400)}, None),  # a year late: taken
        ({"phenomenon_time_start": -MINUTE}, None),
        ({"phenomenon_time_start": MAX_CLOCK_AHEAD - MINUTE}, None),
        ({"phenomenon_time_start": MAX_CLOCK_AHEAD + MINUTE}, "phenomenonTime"),
        ({"phenomenon_time_start": timedelta(days=3650)}, "phenomenonTime"),
        ({"phenomenon_time_end": MAX_CLOCK_AHEAD + MINUTE}, "phenomenonTime"),
        ({"result_time": MAX_CLOCK_AHEAD + MINUTE}, "resultTime"),
        ({"valid_time_end": timedelta(days=1)}, None),  # validity may lie ahead
    ],
)
def test_readings_from_further_ahead_than_allowed_are_refused(
    db: Database, change: dict[str, timedelta], refused: str | None
) -> None:
    stream = _stream(db)
    now = utcnow()
    times = {"phenomenon_time_start": now - MINUTE} | {k: now + v for k, v in change.items()}
    if "valid_time_end" in times:
        times["valid_time_start"] = now
    row = NewObservation(stream, result=1.0, **times)  # type: ignore[arg-type]
    if refused is None:
        _insert(db, [row])
        assert _count(db) == 1
        return
    with pytest.raises(InvalidInput) as raised:
        _insert(db, [NewObservation(stream, now, 2.0), row])
    details = raised.value.details
    assert (details["row"], details["path"]) == (1, refused)
    assert details["ahead_seconds"] > details["allowed"] == MAX_CLOCK_AHEAD.total_seconds()
    assert "set the station's clock" in raised.value.message
    assert _count(db) == 0  # the batch is refused whole


def test_the_sensorthings_api_names_the_skew(
    client: TestClient, db: Database, headers: dict[str, dict[str, str]]
) -> None:
    stream = _stream(db)
    ahead = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    body = {"phenomenonTime": ahead, "result": 30.1, "Datastream": {"@iot.id": stream}}
    response = client.post("/sta/v1.1/Observations", json=body, headers=headers["admin"])
    assert response.status_code == 400, response.text
    assert "ahead of the server's clock" in response.text
    assert _count(db) == 0


def _report(observed: datetime, serial: int) -> Report:
    station = "0011223344"
    return Report(
        center=5,
        station=station,
        password=0x03E8,
        function_code=0x32,
        serial=serial,
        sent_at=observed,
        classification=0x48,
        readings=(Reading(station, 0x39, observed, Decimal("10.49")),),
    )


def test_an_sl651_station_ahead_is_refused_then_taken_once_its_clock_is_set(db: Database) -> None:
    sink = gateway_sink(db, None, StationDirectory(db))
    now = datetime.now(CST).replace(microsecond=0)
    with pytest.raises(InvalidInput, match="ahead of the server's clock"):
        sink(_report(now + timedelta(hours=1), serial=7))  # the gateway leaves it unconfirmed
    assert _count(db) == 0
    sink(_report(now, serial=8))
    assert _count(db) == 1


def test_a_reading_a_little_ahead_counts_as_now_for_offline_rules(db: Database) -> None:
    memory, now = Memory(db), utcnow().timestamp()
    memory.heard(1, now + 300, now)
    assert memory.last_seen[1] == now  # silent for 11 minutes at now + 11 minutes, not 6
    memory.heard(1, now - 60, now)  # a late reading does not move it back
    assert memory.last_seen[1] == now
