"""SL 651 stations as SensorThings entities: a station address is a Thing, an element a Datastream.

A registered station is a Thing whose ``properties.sl651_address`` holds its 10-digit address;
its Datastreams carry ``properties.sl651_element`` (the Appendix C tag: ``Z``, ``PJ`` …). A frame
from an address nobody registered is still stored: the station becomes a Thing marked
``"registered": false`` of the department that runs the gateway (水利局 by default), for an
operator to confirm, and an element first seen becomes a Datastream — so no reading is lost.
When a registered Thing has ``properties.sl651_password`` (the 2-byte header field, as 4 hex
digits), frames with another password are refused.

The gateway stores as the platform itself (``GATEWAY``): stations authenticate by the network
they are on and their password, not by API tokens, which SL 651 has no room for.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub.auth import Actor, Role
from cityhub.auth.departments import department_by_code
from cityhub.catalog.vocab import ShareType
from cityhub.db import Database
from cityhub.errors import PermissionDenied
from cityhub.sensing.bus import Bus
from cityhub.sensing.ingest import ingest
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    ObservedProperty,
    Sensor,
    Thing,
    ThingLocation,
)
from cityhub.sensing.observations import NewObservation
from cityhub.sensing.sl651.elements import Element
from cityhub.sensing.sl651.report import Report

GATEWAY = Actor(None, "sl651-gateway", Role.ADMIN, None, "sl651")
MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
SENSOR_NAME = "SL 651 遥测终端 (RTU)"
log = logging.getLogger("cityhub.sensing.stations")


class StationDirectory:
    """Finds (or makes) the Thing of a station address and the Datastream of an element."""

    def __init__(self, db: Database, department_code: str = "SLJ") -> None:
        self.db = db
        self.department_code = department_code
        self._things: dict[str, tuple[int, str | None]] = {}  # address → (thing id, password)
        self._streams: dict[tuple[int, str], int] = {}  # (thing id, tag) → datastream id
        self._features: dict[int, int | None] = {}  # thing id → FoI id (None: its Location's)
        self._lock = threading.Lock()

    def observations(self, report: Report) -> list[NewObservation]:
        """The Observations of ``report`` (readings with a value), making entities as needed.

        Raises PermissionDenied when the station's registered password differs.
        """
        rows: list[NewObservation] = []
        if not report.readings:  # a keep-alive
            return rows
        with self._lock, self.db.transaction() as session:
            for reading in report.readings:
                if reading.value is None or reading.element.coding.value not in (
                    "bcd",
                    "status",
                    "rain_5min",
                    "level_5min",
                ):
                    continue
                thing_id = self._thing(session, reading.station, report)
                stream_id = self._stream(session, thing_id, reading.element)
                rows.append(
                    NewObservation(
                        datastream_id=stream_id,
                        feature_id=self._feature(session, thing_id, reading.station),
                        phenomenon_time_start=reading.observed_at.astimezone(UTC),
                        result=reading.number,
                        result_time=report.sent_at.astimezone(UTC),
                        parameters={
                            "sl651": {
                                "fc": f"{report.function_code:02X}",
                                "serial": report.serial,
                                "sendTime": report.sent_at.isoformat(),
                                "station": reading.station,
                            }
                        },
                    )
                )
        return rows

    def _thing(self, session: Session, address: str, report: Report) -> int:
        known = self._things.get(address)
        if known is None:
            known = self._load_or_create(session, address, report)
            self._things[address] = known
        thing_id, password = known
        if password is not None and password.upper() != f"{report.password:04X}":
            raise PermissionDenied(
                f"station {address}: wrong password", details={"station": address}
            )
        return thing_id

    def _load_or_create(
        self, session: Session, address: str, report: Report
    ) -> tuple[int, str | None]:
        for thing_id, properties in session.execute(
            select(Thing.id, Thing.properties).where(Thing.properties.is_not(None))
        ):
            if isinstance(properties, dict) and properties.get("sl651_address") == address:
                password = properties.get("sl651_password")
                return thing_id, str(password) if password is not None else None
        department = department_by_code(session, self.department_code)
        thing = Thing(
            name=f"未登记测站 {address}",
            description="SL 651 测站，首次来报自动登记，待运维人员确认 (unregistered station)",
            properties={
                "sl651_address": address,
                "registered": False,
                "station_class": report.classification_name,
            },
            department_id=department.id,
        )
        session.add(thing)
        session.flush()
        log.warning("frame from unregistered station %s: Thing %d made for it", address, thing.id)
        return thing.id, None

    def _feature(self, session: Session, thing_id: int, address: str) -> int | None:
        """None for a Thing with a Location (the FeatureOfInterest is made from it); else the
        station's own FeatureOfInterest, a GeoJSON Feature without geometry until located."""
        if thing_id in self._features:
            return self._features[thing_id]
        located = session.scalar(
            select(ThingLocation.location_id).where(ThingLocation.thing_id == thing_id).limit(1)
        )
        found: int | None = None
        if located is None:
            name = f"测站 {address}"
            found = session.scalar(
                select(FeatureOfInterest.id).where(FeatureOfInterest.name == name).limit(1)
            )
            if found is None:
                feature = FeatureOfInterest(
                    name=name,
                    description="SL 651 station without a Location yet",
                    encoding_type="application/geo+json",
                    feature={"type": "Feature", "geometry": None, "properties": {"sl651": address}},
                )
                session.add(feature)
                session.flush()
                found = feature.id
        self._features[thing_id] = found
        return found

    def _stream(self, session: Session, thing_id: int, element: Element) -> int:
        key = (thing_id, element.tag)
        found = self._streams.get(key)
        if found is None:
            found = self._load_or_create_stream(session, thing_id, element)
            self._streams[key] = found
        return found

    def _load_or_create_stream(self, session: Session, thing_id: int, element: Element) -> int:
        for stream_id, properties in session.execute(
            select(Datastream.id, Datastream.properties).where(Datastream.thing_id == thing_id)
        ):
            if isinstance(properties, dict) and properties.get("sl651_element") == element.tag:
                return int(stream_id)
        definition = f"urn:sl651:element:{element.hex_identifier}"
        observed = session.scalar(
            select(ObservedProperty).where(ObservedProperty.definition == definition)
        ) or ObservedProperty(
            name=f"{element.name_zh} ({element.tag})",
            definition=definition,
            description=f"SL 651-2014 Appendix C: {element.name_en}",
        )
        sensor = session.scalar(select(Sensor).where(Sensor.name == SENSOR_NAME)) or Sensor(
            name=SENSOR_NAME,
            description="Remote terminal unit reporting by SL 651-2014",
            encoding_type="text/html",
            metadata_="https://www.mwr.gov.cn/",
        )
        session.add_all([observed, sensor])
        session.flush()
        thing = session.get(Thing, thing_id)
        assert thing is not None
        stream = Datastream(
            name=f"{thing.name} {element.name_zh}",
            description=f"{element.name_en} ({element.tag}) reported over SL 651",
            unit_of_measurement={
                "name": element.unit or "1",
                "symbol": element.unit,
                "definition": f"urn:sl651:unit:{element.unit or 'none'}",
            },
            observation_type=MEASUREMENT,
            properties={"sl651_element": element.tag},
            thing_id=thing_id,
            sensor_id=sensor.id,
            observed_property_id=observed.id,
            share_type=ShareType.UNCONDITIONAL.value,
        )
        session.add(stream)
        session.flush()
        return stream.id


def gateway_sink(
    db: Database, bus: Bus | None, directory: StationDirectory
) -> Callable[[Report], None]:
    """The SL 651 gateway's sink: store each report's readings as Observations."""

    def sink(report: Report) -> None:
        # A refusal (wrong password) raises: the gateway then logs the frame and does not
        # acknowledge it, as SL 651 §6.3 answers an invalid frame with silence.
        rows = directory.observations(report)
        ingest(db, GATEWAY, rows, bus=bus, source="sl651")

    return sink
