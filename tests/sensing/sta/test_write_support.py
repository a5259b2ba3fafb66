"""Fixtures and helpers of the write-side tests (``test_write_*``); holds no tests itself.

The test modules import the fixtures they use from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from cityhub import auth
from cityhub.auth import Actor, Role
from cityhub.db import Database
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    HistoricalLocation,
    HistoricalLocationLocation,
    Latest,
    Location,
    Observation,
    ObservedProperty,
    Sensor,
    Thing,
    ThingLocation,
)
from cityhub.sensing.sta import values, write
from tests.conftest import PASSWORD, People

MEASUREMENT = values.OM_MEASUREMENT
TABLES: dict[str, Any] = {
    "Things": Thing,
    "Locations": Location,
    "ThingLocations": ThingLocation,
    "HistoricalLocations": HistoricalLocation,
    "HistoricalLocationLocations": HistoricalLocationLocation,
    "Sensors": Sensor,
    "ObservedProperties": ObservedProperty,
    "Datastreams": Datastream,
    "Observations": Observation,
    "FeaturesOfInterest": FeatureOfInterest,
    "Latest": Latest,
}


@dataclass(frozen=True)
class Actors:
    """One actor per kind of caller the write rules distinguish."""

    system: Actor
    steward: Actor  # SLJ
    analyst: Actor  # SLJ, may not write
    station: Actor  # SLJ station account
    other: Actor  # NYNCJ steward


@pytest.fixture
def actors(db: Database, people: People) -> Actors:
    """Actors of the ``people`` users plus an SLJ station account."""
    auth.create_user(
        db,
        Actor.system(),
        username="slj.station",
        password=PASSWORD,
        department_code="SLJ",
        role=Role.STATION,
    )
    return Actors(
        system=Actor.system(),
        steward=Actor(None, people.steward, Role.STEWARD, "SLJ"),
        analyst=Actor(None, people.analyst, Role.ANALYST, "SLJ"),
        station=Actor(None, "slj.station", Role.STATION, "SLJ"),
        other=Actor(None, people.other_steward, Role.STEWARD, "NYNCJ"),
    )


def counts(db: Database) -> dict[str, int]:
    """Rows per SensorThings table."""
    with db.reading() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in TABLES.items()
        }


def point(x: float = 116.0, y: float = 36.4) -> dict[str, Any]:
    """A GeoJSON Point."""
    return {"type": "Point", "coordinates": [x, y]}


def location_body(name: str = "Gauge site", x: float = 116.0) -> dict[str, Any]:
    """A valid Location."""
    return {
        "name": name,
        "description": "on the bank",
        "encodingType": "application/geo+json",
        "location": point(x),
    }


def sensor_body() -> dict[str, Any]:
    """A valid Sensor."""
    return {
        "name": "Radar gauge",
        "description": "radar water level gauge",
        "encodingType": "application/pdf",
        "metadata": "https://example.org/radar.pdf",
    }


def property_body() -> dict[str, Any]:
    """A valid ObservedProperty."""
    return {
        "name": "water level",
        "definition": "https://example.org/water-level",
        "description": "water level above datum",
    }


def datastream_body(observation_type: str = MEASUREMENT, **links: Any) -> dict[str, Any]:
    """A valid Datastream (relations given by ``links``)."""
    return {
        "name": "water level",
        "description": "5-minute water level",
        "unitOfMeasurement": {"name": "metre", "symbol": "m", "definition": "ucum:m"},
        "observationType": observation_type,
        **links,
    }


def station_body(observations: int = 2) -> dict[str, Any]:
    """A Thing with a Location and a Datastream (new Sensor, new ObservedProperty) with
    ``observations`` Observations: the deep insert a station registers with."""
    stream = datastream_body(Sensor=sensor_body(), ObservedProperty=property_body())
    stream["Observations"] = [
        {"phenomenonTime": f"2024-06-01T08:0{i}:00Z", "result": 10.0 + i}
        for i in range(observations)
    ]
    return {
        "name": "Luokou station",
        "description": "Yellow River level station",
        "properties": {"river": "黄河"},
        "Locations": [location_body()],
        "Datastreams": [stream],
    }


def new_station(db: Database, actor: Actor, observations: int = 0) -> tuple[int, int]:
    """Create a station; (thing id, datastream id)."""
    thing_id = write.create(db, actor, "Things", station_body(observations))
    with db.reading() as session:
        stream_id = session.scalars(
            select(Datastream.id).where(Datastream.thing_id == thing_id)
        ).one()
    return thing_id, stream_id
