"""Test data: the ets-sta10 "thing 1 / thing 2" network, as JSON for deep insert and as rows.

``THING_1``/``THING_2`` are the deep-insert bodies of the OGC test suite's fixture
(Capability3Tests.createEntities, with the ``name`` STA 1.1 requires); ``OBSERVATIONS`` its
twelve Observations, three per Datastream. ``seed_rows`` writes the same network straight into
the tables (no write API involved), for the read-side tests, with sharing that makes each
role see a different part:

=========  ==========  ==============  ======================================
Datastream Thing       sharing         readable by
=========  ==========  ==============  ======================================
1          1 (SLJ)     open to public  everyone
2          1 (SLJ)     conditional     SLJ, admin
3          2 (NYNCJ)   unconditional   every logged-in user
4          2 (NYNCJ)   none            NYNCJ, admin
=========  ==========  ==============  ======================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cityhub.auth.departments import department_by_code
from cityhub.catalog.vocab import ShareType
from cityhub.db import Database
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    HistoricalLocation,
    HistoricalLocationLocation,
    Location,
    Observation,
    ObservedProperty,
    ResultType,
    Sensor,
    Thing,
    ThingLocation,
)

OM_MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
LUMEN = {
    "name": "Lumen",
    "symbol": "lm",
    "definition": "http://www.qudt.org/qudt/owl/1.0.0/unit/Instances.html#Lumen",
}
CENTIGRADE = {
    "name": "Centigrade",
    "symbol": "C",
    "definition": "http://www.qudt.org/qudt/owl/1.0.0/unit/Instances.html#Lumen",
}
FLUX = "http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html#LuminousFlux"
TEMPERATURE = "http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html#Tempreture"
FIRST_DAY = datetime(2015, 3, 1, tzinfo=UTC)


def _location(n: int, x: float, y: float) -> dict[str, Any]:
    return {
        "name": f"location {n}",
        "description": f"location {n}",
        "encodingType": "application/geo+json",
        "location": {"type": "Point", "coordinates": [x, y]},
    }


def _datastream(n: int, unit: dict[str, str], op: dict[str, Any], sensor: int) -> dict[str, Any]:
    return {
        "name": f"datastream {n}",
        "description": f"datastream {n}",
        "unitOfMeasurement": unit,
        "observationType": OM_MEASUREMENT,
        "ObservedProperty": op,
        "Sensor": {
            "name": f"sensor {sensor}",
            "description": f"sensor {sensor}",
            "encodingType": "http://schema.org/description",
            "metadata": f"sensor {sensor} metadata",
        },
    }


def _op(n: int, name: str, definition: str) -> dict[str, Any]:
    return {"name": name, "definition": definition, "description": f"observedProperty {n}"}


THING_1: dict[str, Any] = {
    "name": "thing 1",
    "description": "thing 1",
    "properties": {"reference": "first"},
    "Locations": [_location(1, -117.05, 51.05)],
    "Datastreams": [
        _datastream(1, LUMEN, _op(1, "Luminous Flux", FLUX), 1),
        _datastream(2, CENTIGRADE, _op(2, "Temperature", TEMPERATURE), 2),
    ],
}


def thing_2(observed_property_2: int) -> dict[str, Any]:
    """The second Thing; its second Datastream links ObservedProperty 2 by id."""
    return {
        "name": "thing 2",
        "description": "thing 2",
        "properties": {"reference": "second"},
        "Locations": [_location(2, -100.05, 50.05)],
        "Datastreams": [
            _datastream(3, LUMEN, _op(3, "Second Luminous Flux", FLUX), 3),
            _datastream(4, CENTIGRADE, {"@iot.id": observed_property_2}, 4),
        ],
    }


def observation_body(n: int) -> dict[str, Any]:
    """Observation ``n`` (1–12): result n on 2015-03-0n (n-1 days after the first)."""
    time = FIRST_DAY + timedelta(days=n - 1)
    return {"phenomenonTime": time.strftime("%Y-%m-%dT%H:%M:%SZ"), "result": n}


@dataclass(frozen=True)
class Network:
    """Ids of the seeded entities, by their number in the fixture (1-based lists)."""

    things: list[int]
    locations: list[int]
    datastreams: list[int]
    sensors: list[int]
    observed_properties: list[int]
    observations: list[int]
    features: list[int]
    historical_locations: list[int]


SHARING = [
    (ShareType.UNCONDITIONAL, True),
    (ShareType.CONDITIONAL, False),
    (ShareType.UNCONDITIONAL, False),
    (ShareType.NONE, False),
]


def seed_rows(db: Database) -> Network:
    """The network of the fixture, written straight into the tables."""
    with db.transaction() as session:
        departments = [department_by_code(session, code).id for code in ("SLJ", "NYNCJ")]
        bodies = [THING_1, thing_2(0)]
        things, locations, features, streams, sensors = [], [], [], [], []
        ops: list[ObservedProperty] = []
        for index, body in enumerate(bodies):
            thing = Thing(
                name=body["name"],
                description=body["description"],
                properties=body["properties"],
                department_id=departments[index],
            )
            spec = body["Locations"][0]
            x, y = spec["location"]["coordinates"]
            location = Location(
                name=spec["name"],
                description=spec["description"],
                encoding_type=spec["encodingType"],
                location=spec["location"],
                x=x,
                y=y,
            )
            session.add_all([thing, location])
            session.flush()
            session.add(ThingLocation(thing_id=thing.id, location_id=location.id))
            feature = FeatureOfInterest(
                name=spec["name"],
                description=spec["description"],
                encoding_type=spec["encodingType"],
                feature=spec["location"],
                x=x,
                y=y,
                location_id=location.id,
            )
            session.add(feature)
            things.append(thing)
            locations.append(location)
            features.append(feature)
        session.flush()
        for n, body in enumerate(THING_1["Datastreams"] + thing_2(0)["Datastreams"], start=1):
            if "@iot.id" in body["ObservedProperty"]:
                op = ops[1]
            else:
                op_body = body["ObservedProperty"]
                op = ObservedProperty(
                    name=op_body["name"],
                    definition=op_body["definition"],
                    description=op_body["description"],
                )
                ops.append(op)
            sensor_body = body["Sensor"]
            sensor = Sensor(
                name=sensor_body["name"],
                description=sensor_body["description"],
                encoding_type=sensor_body["encodingType"],
                metadata_=sensor_body["metadata"],
            )
            session.add_all([op, sensor])
            session.flush()
            share, public = SHARING[n - 1]
            first = FIRST_DAY + timedelta(days=3 * (n - 1))
            stream = Datastream(
                name=body["name"],
                description=body["description"],
                unit_of_measurement=body["unitOfMeasurement"],
                observation_type=body["observationType"],
                thing_id=things[(n - 1) // 2].id,
                sensor_id=sensor.id,
                observed_property_id=op.id,
                share_type=share.value,
                open_to_public=public,
                phenomenon_time_start=first,
                phenomenon_time_end=first + timedelta(days=2),
            )
            session.add(stream)
            session.flush()
            streams.append(stream)
            sensors.append(sensor)
        observations = []
        for n in range(1, 13):
            stream = streams[(n - 1) // 3]
            observation = Observation(
                datastream_id=stream.id,
                feature_id=features[(n - 1) // 6].id,
                phenomenon_time_start=FIRST_DAY + timedelta(days=n - 1),
                result_time=FIRST_DAY + timedelta(days=n - 1, hours=1) if n % 2 else None,
                result_type=ResultType.NUMBER,
                result_number=float(n),
                parameters={"n": n},
            )
            session.add(observation)
            observations.append(observation)
        historical = []
        for thing, location in zip(things, locations, strict=True):
            moment = HistoricalLocation(thing_id=thing.id, time=FIRST_DAY)
            session.add(moment)
            session.flush()
            session.add(
                HistoricalLocationLocation(
                    historical_location_id=moment.id, location_id=location.id
                )
            )
            historical.append(moment)
        session.flush()
        return Network(
            things=[t.id for t in things],
            locations=[loc.id for loc in locations],
            datastreams=[s.id for s in streams],
            sensors=[s.id for s in sensors],
            observed_properties=[op.id for op in ops],
            observations=[o.id for o in observations],
            features=[f.id for f in features],
            historical_locations=[h.id for h in historical],
        )
