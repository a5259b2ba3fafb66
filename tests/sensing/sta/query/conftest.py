"""A small SensorThings world in a real database, and a helper to run filters against it.

Things and their relations::

    T1 (properties basin=huanghe, level=3, active=true, code="12")
        Locations L1 Point(116.0 36.5); Datastreams D1 "water level" (phenomenonTime from
        2024-06-01T00:00Z), D2 "rainfall" (no phenomenonTime)
    T2 (basin=tuhai, level=1.5, active=false)
        Locations L2 Point(117.0 37.0); Datastreams D3 "Water Level"
    T3 (no properties)   Locations L3 a Polygon (x/y NULL)
    T4 (basin=null)      no Locations, no Datastreams

Observations (label in ``parameters.label``)::

    O1 D1 10.5     2024-06-01T08:00:00.250Z  resultTime 2024-06-01T08:00:01Z  FoI F1
    O2 D1 12       2024-06-01T09:30:15Z      resultTime null                  FoI F1
    O3 D2 'heavy'  2024-06-02T00:00:00Z .. 2024-06-02T06:00:00Z (interval)      FoI F2
    O4 D3 true     2023-12-31T23:59:59Z                                        FoI F1
    O5 D3 null     2024-06-01T08:00:00Z  (result_json null)                     FoI F2
    O6 D3 -3       2024-06-03T12:00:00Z                                        FoI F2

F1 is a Point (116.0 36.5) made from L1, F2 a Polygon (x/y NULL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from cityhub.db import Database, upgrade
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    Location,
    Observation,
    ObservedProperty,
    ResultType,
    Sensor,
    Thing,
    ThingLocation,
)
from cityhub.sensing.sta.entities import entity_set
from cityhub.sensing.sta.query import compile_filter, compile_orderby, parse_filter
from cityhub.sensing.sta.query.options import parse_orderby
from tests.conftest import ON_POSTGRES, postgres_schema_url

POLYGON = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}


def at(text: str) -> datetime:
    """An aware UTC datetime from ISO text."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@dataclass
class World:
    """Labels of the rows created, by (entity set, id), and the database."""

    db: Database
    labels: dict[tuple[str, int], str] = field(default_factory=dict)

    def add(self, session: Session, set_name: str, label: str, row: Any) -> Any:
        session.add(row)
        session.flush()
        self.labels[(set_name, row.id)] = label
        return row

    def matching(self, set_name: str, text: str) -> list[str]:
        """Labels of the entities of ``set_name`` that the filter ``text`` selects, sorted."""
        entity = entity_set(set_name)
        source: Any = aliased(entity.model)
        query = select(source.id).where(compile_filter(entity, source, parse_filter(text)))
        with self.db.reading() as session:
            ids = session.scalars(query).all()
        return sorted(self.labels[(set_name, i)] for i in ids)

    def ordered(self, set_name: str, orderby: str) -> list[str]:
        """Labels of all entities of ``set_name`` in ``$orderby`` order (id breaks ties)."""
        entity = entity_set(set_name)
        source: Any = aliased(entity.model)
        terms = compile_orderby(entity, source, parse_orderby(orderby))
        query = select(source.id).order_by(*terms, source.id)
        with self.db.reading() as session:
            ids = session.scalars(query).all()
        return [self.labels[(set_name, i)] for i in ids]


def _observation(
    datastream: Datastream,
    feature: FeatureOfInterest,
    label: str,
    time: str,
    result: Any,
    **extra: Any,
) -> Observation:
    typed: dict[str, Any] = {"result_json": None}
    if isinstance(result, bool):
        typed |= {"result_type": ResultType.BOOLEAN, "result_boolean": result}
    elif isinstance(result, int | float):
        typed |= {"result_type": ResultType.NUMBER, "result_number": float(result)}
    elif isinstance(result, str):
        typed |= {"result_type": ResultType.STRING, "result_string": result}
    else:
        typed |= {"result_type": ResultType.JSON, "result_json": result}
    return Observation(
        datastream_id=datastream.id,
        feature_id=feature.id,
        phenomenon_time_start=at(time),
        parameters={"label": label},
        **typed,
        **extra,
    )


@contextmanager
def _database_url(directory: Path) -> Iterator[str]:
    if ON_POSTGRES:
        yield from postgres_schema_url()  # a schema of its own, dropped afterwards
    else:
        yield f"sqlite:///{directory / 'cityhub.db'}"


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The entities described in this module's docstring, built once: the tests only read."""
    with _database_url(tmp_path_factory.mktemp("sta-query")) as url:
        db = Database(url)
        upgrade(db)
        try:
            yield _build(db)
        finally:
            db.dispose()


def _build(db: Database) -> World:
    world = World(db)
    with db.transaction() as session:
        things = {
            "T1": {"basin": "huanghe", "level": 3, "active": True, "code": "12"},
            "T2": {"basin": "tuhai", "level": 1.5, "active": False},
            "T3": None,
            "T4": {"basin": None},
        }
        thing = {
            label: world.add(
                session, "Things", label, Thing(name=label, description=f"{label} station",
                                               properties=props)
            )
            for label, props in things.items()
        }  # fmt: skip
        locations = {
            "L1": (116.0, 36.5),
            "L2": (117.0, 37.0),
            "L3": None,
        }
        for (label, point), owner in zip(locations.items(), ("T1", "T2", "T3"), strict=True):
            geometry = {"type": "Point", "coordinates": list(point)} if point else POLYGON
            location = world.add(
                session,
                "Locations",
                label,
                Location(
                    name=label,
                    description="where",
                    encoding_type="application/geo+json",
                    location=geometry,
                    x=point[0] if point else None,
                    y=point[1] if point else None,
                ),
            )
            session.add(ThingLocation(thing_id=thing[owner].id, location_id=location.id))
        sensor = world.add(
            session, "Sensors", "S1",
            Sensor(name="S1", description="gauge", encoding_type="text/html", metadata_="x"),
        )  # fmt: skip
        prop = world.add(
            session, "ObservedProperties", "P1",
            ObservedProperty(name="level", definition="http://x/level", description="level"),
        )  # fmt: skip
        streams = {}
        for label, name, owner, start in (
            ("D1", "water level", "T1", "2024-06-01T00:00:00Z"),
            ("D2", "rainfall", "T1", None),
            ("D3", "Water Level", "T2", None),
        ):
            streams[label] = world.add(
                session,
                "Datastreams",
                label,
                Datastream(
                    name=name,
                    description=f"{name} of {owner}",
                    unit_of_measurement={"name": "metre", "symbol": "m"},
                    observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
                    thing_id=thing[owner].id,
                    sensor_id=sensor.id,
                    observed_property_id=prop.id,
                    phenomenon_time_start=at(start) if start else None,
                    phenomenon_time_end=at("2024-06-02T00:00:00Z") if start else None,
                ),
            )
        features = {
            label: world.add(
                session,
                "FeaturesOfInterest",
                label,
                FeatureOfInterest(
                    name=label,
                    description="reach",
                    encoding_type="application/geo+json",
                    feature={"type": "Point", "coordinates": [116.0, 36.5]} if point else POLYGON,
                    x=116.0 if point else None,
                    y=36.5 if point else None,
                ),
            )
            for label, point in (("F1", True), ("F2", False))
        }
        d1, d2, d3 = streams["D1"], streams["D2"], streams["D3"]
        f1, f2 = features["F1"], features["F2"]
        for observation in (
            _observation(d1, f1, "O1", "2024-06-01T08:00:00.250Z", 10.5,
                         result_time=at("2024-06-01T08:00:01Z")),
            _observation(d1, f1, "O2", "2024-06-01T09:30:15Z", 12),
            _observation(d2, f2, "O3", "2024-06-02T00:00:00Z", "heavy",
                         phenomenon_time_end=at("2024-06-02T06:00:00Z")),
            _observation(d3, f1, "O4", "2023-12-31T23:59:59Z", True),
            _observation(d3, f2, "O5", "2024-06-01T08:00:00Z", None),
            _observation(d3, f2, "O6", "2024-06-03T12:00:00Z", -3),
        ):  # fmt: skip
            world.add(session, "Observations", (observation.parameters or {})["label"], observation)
    return world
