"""The SensorThings data model (OGC 18-088) as tables of the metadata database.

Eight entities, prefixed ``sta_``; the many-to-many links of Things, Locations and
HistoricalLocations have tables of their own. Owner department and sharing live on the Thing (a
station belongs to one department) and on each Datastream (what others may read). An
Observation's result is stored by type — number, boolean, text, or JSON for anything else — so
that ``$filter=result gt 10`` compares numbers in SQL. ``sta_latest`` keeps the newest
Observation of each Datastream for dashboards (FROST-Server's slow path, issues #287/#1107).
Points keep their coordinates in ``x``/``y`` columns so that ``geo.distance`` and ``st_within``
run in plain SQL on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from cityhub.catalog.vocab import ShareType
from cityhub.db.base import Base, UTCDateTime, utcnow

# BIGINT on PostgreSQL; INTEGER on SQLite, where only INTEGER PRIMARY KEY is the row id.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Thing(Base):
    """A station: rain gauge, river level station, reservoir, tunnel segment …"""

    __tablename__ = "sta_things"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id"), index=True, nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Location(Base):
    """Where a Thing is (GeoJSON); ``x``/``y`` hold a Point's coordinates, else NULL."""

    __tablename__ = "sta_locations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    encoding_type: Mapped[str] = mapped_column(String(100))
    location: Mapped[Any] = mapped_column(JSON)
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    x: Mapped[float | None] = mapped_column(Float, nullable=True)
    y: Mapped[float | None] = mapped_column(Float, nullable=True)


class ThingLocation(Base):
    """A Thing's current Location (0..* on both sides)."""

    __tablename__ = "sta_thing_locations"

    thing_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_things.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_locations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class HistoricalLocation(Base):
    """When a Thing was at its Locations."""

    __tablename__ = "sta_historical_locations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    thing_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_things.id", ondelete="CASCADE"), index=True
    )
    time: Mapped[datetime] = mapped_column(UTCDateTime)


class HistoricalLocationLocation(Base):
    """The Locations of a HistoricalLocation (1..*)."""

    __tablename__ = "sta_historical_location_locations"

    historical_location_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_historical_locations.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_locations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Sensor(Base):
    """The instrument that observes."""

    __tablename__ = "sta_sensors"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    encoding_type: Mapped[str] = mapped_column(String(100))
    metadata_: Mapped[Any] = mapped_column("metadata", JSON)
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ObservedProperty(Base):
    """The phenomenon observed: rainfall, water level, CH4 …"""

    __tablename__ = "sta_observed_properties"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    definition: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text)
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Datastream(Base):
    """One element of one station: its Observations, unit and sharing."""

    __tablename__ = "sta_datastreams"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    unit_of_measurement: Mapped[dict[str, Any]] = mapped_column(JSON)
    observation_type: Mapped[str] = mapped_column(String(200))
    observed_area: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    phenomenon_time_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    phenomenon_time_end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result_time_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result_time_end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    thing_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_things.id", ondelete="CASCADE"), index=True
    )
    sensor_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_sensors.id", ondelete="CASCADE"), index=True
    )
    observed_property_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_observed_properties.id", ondelete="CASCADE"), index=True
    )
    share_type: Mapped[str] = mapped_column(String(20), default=ShareType.UNCONDITIONAL.value)
    open_to_public: Mapped[bool] = mapped_column(Boolean, default=False)


class FeatureOfInterest(Base):
    """What an Observation is about; ``location_id`` marks one made from a Thing's Location."""

    __tablename__ = "sta_features"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    encoding_type: Mapped[str] = mapped_column(String(100))
    feature: Mapped[Any] = mapped_column(JSON)
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    x: Mapped[float | None] = mapped_column(Float, nullable=True)
    y: Mapped[float | None] = mapped_column(Float, nullable=True)
    location_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("sta_locations.id", ondelete="SET NULL"), index=True, nullable=True
    )


class ResultType:
    """How an Observation's result is stored (``Observation.result_type``)."""

    NUMBER = 0
    BOOLEAN = 1
    STRING = 2
    JSON = 3  # objects, arrays and null


class Observation(Base):
    """One measured value."""

    __tablename__ = "sta_observations"
    __table_args__ = (
        Index("ix_sta_observations_stream_time", "datastream_id", "phenomenon_time_start", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    datastream_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_datastreams.id", ondelete="CASCADE")
    )
    feature_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_features.id", ondelete="CASCADE"), index=True
    )
    phenomenon_time_start: Mapped[datetime] = mapped_column(UTCDateTime)
    phenomenon_time_end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result_type: Mapped[int] = mapped_column(SmallInteger)
    result_number: Mapped[float | None] = mapped_column(Float, nullable=True)
    result_boolean: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    result_string: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_json: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    result_quality: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    valid_time_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    valid_time_end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    parameters: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Latest(Base):
    """The newest Observation (by phenomenon time) of each Datastream."""

    __tablename__ = "sta_latest"

    datastream_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("sta_datastreams.id", ondelete="CASCADE"), primary_key=True
    )
    observation_id: Mapped[int] = mapped_column(BigId)
    phenomenon_time: Mapped[datetime] = mapped_column(UTCDateTime)
    result_number: Mapped[float | None] = mapped_column(Float, nullable=True)
    result: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
