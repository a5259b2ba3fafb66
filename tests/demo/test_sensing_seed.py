"""The demo's monitoring stations: seeded through the services, once."""

from __future__ import annotations

from sqlalchemy import func, select

from cityhub.db import Database
from cityhub.demo.sensing import datastreams_of, seed_sensing
from cityhub.demo.stations import STATIONS, STORM_STATION
from cityhub.sensing.alarms.models import AlarmRule
from cityhub.sensing.models import Location, Thing


def test_every_station_is_seeded_once_with_its_rules(db: Database) -> None:
    created = seed_sensing(db)
    assert created == [s.name for s in STATIONS]
    assert seed_sensing(db) == []
    storm = next(s for s in STATIONS if s.key == STORM_STATION)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Thing)) == len(STATIONS)
        assert session.scalar(select(func.count()).select_from(Location)) == len(STATIONS)
        thing = session.scalars(select(Thing).where(Thing.name == storm.name)).one()
        assert thing.properties is not None
        assert thing.properties["sl651_address"] == storm.sl651_address
        assert (thing.properties["z_warn"], thing.properties["z_guarantee"]) == (31.5, 32.8)
        streams = datastreams_of(db, thing.id)
        rules = session.scalars(
            select(AlarmRule).where(AlarmRule.datastream_id == streams["Z"])
        ).all()
    assert {r.kind for r in rules} == {"threshold", "offline"}
