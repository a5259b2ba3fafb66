"""Seeding the demo city's sensing network: stations as SensorThings entities, alarm rules.

Stations are created the way an operator would, through the SensorThings write service (deep
insert of a Thing with its Location and Datastreams), as the steward of the owner department;
alarm rules through the alarm service. A station already there (same name) is left alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cityhub.auth import Actor, Role
from cityhub.db import Database
from cityhub.demo.stations import STATIONS, Element, Station
from cityhub.sensing import alarms
from cityhub.sensing.models import Datastream, Thing
from cityhub.sensing.sta import write

MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
STEWARDS = {"SLJ": "slj.steward", "ZJJ": "zjj.steward"}
VENTILATION_URL = "http://127.0.0.1:{port}/demo/ventilation"  # the simulated fan controller


def steward(department: str) -> Actor:
    """The demo steward of ``department``, as an actor."""
    return Actor(None, STEWARDS[department], Role.STEWARD, department, "demo")


def thing_body(station: Station) -> dict[str, Any]:
    """The deep-insert body of ``station``."""
    properties: dict[str, Any] = {
        "water": station.water,
        "county": station.county,
        "station_class": station.station_class,
        "reports_by": station.path,
        "demo": "演示数据 demo data: levels are plausible, not official",
        **station.extra,
    }
    if station.levels is not None:
        warn, guarantee, record = station.levels
        properties.update({"z_warn": warn, "z_guarantee": guarantee, "z_hist_max": record})
    if station.sl651_address is not None:
        properties["sl651_address"] = station.sl651_address
    return {
        "name": station.name,
        "description": f"{station.water} · {station.county}",
        "properties": properties,
        "Locations": [
            {
                "name": station.name,
                "description": f"{station.county} {station.water}",
                "encodingType": "application/geo+json",
                "location": {"type": "Point", "coordinates": [station.lon, station.lat]},
            }
        ],
        "Datastreams": [_datastream(station, element) for element in station.elements],
    }


def _datastream(station: Station, element: Element) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"{station.name} {element.name_zh}",
        "description": f"{element.name_en} at {station.key}",
        "observationType": MEASUREMENT,
        "unitOfMeasurement": {
            "name": element.unit_name,
            "symbol": element.unit,
            "definition": f"http://unitsofmeasure.org/ucum.html#{element.unit}",
        },
        "properties": {"element": element.key},
        "Sensor": {
            "name": f"{element.name_zh}传感器",
            "description": f"{element.name_en} sensor",
            "encodingType": "text/html",
            "metadata": "https://www.mwr.gov.cn/",
        },
        "ObservedProperty": {
            "name": element.name_zh,
            "definition": element.definition,
            "description": element.name_en,
        },
    }
    if element.sl651 is not None and station.path == "sl651":
        body["properties"]["sl651_element"] = element.sl651
    return body


def seed_sensing(db: Database, *, port: int = 8000) -> list[str]:
    """Create the demo stations and their alarm rules that are missing; returns their names."""
    created = []
    for station in STATIONS:
        with db.reading() as session:
            if session.scalar(select(Thing.id).where(Thing.name == station.name)) is not None:
                continue
        actor = steward(station.department)
        thing_id = write.create(db, actor, "Things", thing_body(station))
        for rule in _rules(db, station, thing_id, port):
            alarms.create_rule(db, actor, rule)
        created.append(station.name)
    return created


def datastreams_of(db: Database, thing_id: int) -> dict[str, int]:
    """Element key → Datastream id of a Thing."""
    with db.reading() as session:
        rows = session.execute(
            select(Datastream.id, Datastream.properties).where(Datastream.thing_id == thing_id)
        ).all()
    return {str((properties or {}).get("element")): stream_id for stream_id, properties in rows}


def _rules(db: Database, station: Station, thing_id: int, port: int) -> list[alarms.RuleSpec]:
    streams = datastreams_of(db, thing_id)
    rules: list[alarms.RuleSpec] = []
    if station.levels is not None:
        warn, guarantee, record = station.levels
        level = streams.get("Z") or streams["ZU"]
        rules.append(alarms.water_level_rule(level, warn, guarantee, record))
    if "PJ" in streams:
        rules.append(alarms.rainstorm_rule(streams["PJ"]))
        rules.append(alarms.daily_rainfall_rule(streams["PJ"]))
    if "CH4" in streams:
        rules.append(alarms.gas_rule(streams["CH4"], action_url=VENTILATION_URL.format(port=port)))
    if station.path != "http":  # field stations report on their own; offline means trouble
        first = next(iter(streams.values()))
        rules.append(alarms.offline_rule(first, offline_seconds=3600))
    return rules
