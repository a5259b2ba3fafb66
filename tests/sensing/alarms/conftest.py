"""Alarm fixtures: a small monitoring network, a clock the test moves, observations by hand.

- 徒骇河 level station (SLJ, class "river"): water level (m), rain (mm), voltage.
- 东昌湖 level station (SLJ, class "lake"): water level.
- 马颊河 station (NYNCJ, class "river"): water level — another department's.
- tunnel segment A (ZJJ, class "tunnel"): CH4 (%LEL), water ingress (boolean).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import cityhub.sensing.alarms.models  # noqa: F401  (until cityhub.models imports them)
from cityhub import auth
from cityhub.auth.departments import department_by_code
from cityhub.db import Database
from cityhub.sensing.models import (
    Datastream,
    Location,
    ObservedProperty,
    Sensor,
    Thing,
    ThingLocation,
)
from cityhub.sensing.observations import StoredObservation
from cityhub.sensing.sta.values import OM_MEASUREMENT, OM_TRUTH

SYSTEM = auth.Actor.system()
ADMIN = auth.Actor(1, "admin", auth.Role.ADMIN, "DSJJ")
STEWARD = auth.Actor(None, "slj.steward", auth.Role.STEWARD, "SLJ")
OTHER_STEWARD = auth.Actor(None, "nyncj.steward", auth.Role.STEWARD, "NYNCJ")
ANALYST = auth.Actor(None, "slj.analyst", auth.Role.ANALYST, "SLJ")
STATION = auth.Actor(None, "station-1", auth.Role.STATION, "SLJ")
PUBLIC = auth.Actor.public()

WATER_LEVEL = "http://vocab.nerc.ac.uk/collection/P01/current/ASLVZZ01/"
RAINFALL = "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0391/"
METHANE_LEL = "urn:cityhub:methane-lel"
WATER_INGRESS = "urn:cityhub:water-ingress"
VOLTAGE = "urn:cityhub:voltage"

T0 = datetime(2024, 7, 10, 0, 0, tzinfo=UTC)  # 08:00 Beijing time


@dataclass(frozen=True)
class City:
    """Ids of the test network."""

    tuhai: int  # Thing
    tuhai_level: int  # Datastreams …
    tuhai_rain: int
    tuhai_voltage: int
    lake: int
    lake_level: int
    majia: int
    majia_level: int
    tunnel: int
    tunnel_ch4: int
    tunnel_ingress: int

    def thing_of(self, datastream_id: int) -> int:
        """The Thing of a Datastream of the network."""
        return {
            self.tuhai_level: self.tuhai,
            self.tuhai_rain: self.tuhai,
            self.tuhai_voltage: self.tuhai,
            self.lake_level: self.lake,
            self.majia_level: self.majia,
            self.tunnel_ch4: self.tunnel,
            self.tunnel_ingress: self.tunnel,
        }[datastream_id]


@pytest.fixture
def city(db: Database) -> City:
    """Four stations of three departments with their Datastreams."""
    with db.transaction() as session:
        departments = {c: department_by_code(session, c).id for c in ("SLJ", "NYNCJ", "ZJJ")}
        location = Location(
            name="聊城",
            description="",
            encoding_type="application/geo+json",
            location={"type": "Point", "coordinates": [115.98, 36.45]},
            x=115.98,
            y=36.45,
        )
        sensor = Sensor(name="gauge", description="", encoding_type="text/plain", metadata_="")
        session.add_all([location, sensor])
        properties = {}
        for key, definition in (
            ("level", WATER_LEVEL),
            ("rain", RAINFALL),
            ("ch4", METHANE_LEL),
            ("ingress", WATER_INGRESS),
            ("voltage", VOLTAGE),
        ):
            properties[key] = ObservedProperty(name=key, definition=definition, description="")
        session.add_all(properties.values())

        def thing(name: str, department: str, station_class: str) -> Thing:
            made = Thing(
                name=name,
                description="",
                properties={"station_class": station_class},
                department_id=departments[department],
            )
            session.add(made)
            return made

        def stream(owner: Thing, key: str, observation_type: str = OM_MEASUREMENT) -> Datastream:
            made = Datastream(
                name=f"{owner.name} {key}",
                description="",
                unit_of_measurement={},
                observation_type=observation_type,
                sensor_id=sensor.id,
                observed_property_id=properties[key].id,
                thing_id=owner.id,
            )
            session.add(made)
            return made

        tuhai = thing("徒骇河", "SLJ", "river")
        lake = thing("东昌湖", "SLJ", "lake")
        majia = thing("马颊河", "NYNCJ", "river")
        tunnel = thing("tunnel A", "ZJJ", "tunnel")
        session.flush()
        for owner in (tuhai, lake, majia, tunnel):
            session.add(ThingLocation(thing_id=owner.id, location_id=location.id))
        streams = {
            "tuhai_level": stream(tuhai, "level"),
            "tuhai_rain": stream(tuhai, "rain"),
            "tuhai_voltage": stream(tuhai, "voltage"),
            "lake_level": stream(lake, "level"),
            "majia_level": stream(majia, "level"),
            "tunnel_ch4": stream(tunnel, "ch4"),
            "tunnel_ingress": stream(tunnel, "ingress", OM_TRUTH),
        }
        session.flush()
        return City(
            tuhai=tuhai.id,
            lake=lake.id,
            majia=majia.id,
            tunnel=tunnel.id,
            **{name: s.id for name, s in streams.items()},
        )


class Clock:
    """A clock the test sets and moves."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)``; the new time."""
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    """The engine's clock, starting at ``T0``."""
    return Clock()


_ids = itertools.count(1)


def obs(city: City, datastream_id: int, at: datetime, result: Any) -> StoredObservation:
    """A stored Observation of ``datastream_id`` as the ingest would publish it."""
    number = (
        float(result) if isinstance(result, int | float) and not isinstance(result, bool) else None
    )
    return StoredObservation(
        id=next(_ids),
        datastream_id=datastream_id,
        thing_id=city.thing_of(datastream_id),
        phenomenon_time=at,
        result=result,
        result_number=number,
        parameters=None,
    )


def minutes(n: float) -> datetime:
    """``T0`` plus ``n`` minutes."""
    return T0 + timedelta(minutes=n)
