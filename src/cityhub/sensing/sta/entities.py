"""The eight SensorThings entity types: their properties, relations and tables, in one table.

Everything that reads or writes SensorThings entities — the ``$filter`` compiler, ``$expand``,
deep insert, serialisation — looks here instead of naming tables itself, so the model is
described once. A property maps to one or more model attributes (an interval to two, a result
to its typed columns); a relation is one of three shapes:

- ``fk``: this entity holds the target's id (Observation → Datastream);
- ``reverse``: the target holds this entity's id (Datastream → Observations);
- ``link``: a link table holds both ids (Thing ↔ Locations).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cityhub.db.base import Base
from cityhub.errors import NotFound
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    HistoricalLocation,
    HistoricalLocationLocation,
    Location,
    Observation,
    ObservedProperty,
    Sensor,
    Thing,
    ThingLocation,
)


class Kind(StrEnum):
    """What a property holds, which decides how it is validated, stored and compared."""

    TEXT = "text"  # a string
    URI = "uri"  # a string that is a URI (definition, observationType)
    JSON = "json"  # any JSON (properties, parameters, metadata, resultQuality)
    OBJECT = "object"  # a JSON object (unitOfMeasurement)
    GEOMETRY = "geometry"  # GeoJSON (location, feature, observedArea)
    INSTANT = "instant"  # ISO 8601 time instant (HistoricalLocation.time, resultTime)
    INTERVAL = "interval"  # ISO 8601 interval (Datastream.phenomenonTime, validTime)
    TIME = "time"  # instant or interval (Observation.phenomenonTime)
    RESULT = "result"  # Observation.result, stored by type (see ``ResultType``)


@dataclass(frozen=True)
class Property:
    """A property of an entity type and the model attributes that hold it.

    ``columns`` has one attribute for most kinds, (start, end) for intervals and times, and
    for a result the attribute holding its type followed by the typed attributes.
    """

    name: str
    kind: Kind
    columns: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class Relation:
    """A navigation property.

    ``fk``: ``column`` of this entity holds the target's id. ``reverse``: ``column`` of the
    target holds this entity's id. ``link``: ``link`` is the link table, ``column`` its
    attribute holding this entity's id and ``other`` the one holding the target's id.
    """

    name: str
    target: str  # entity set name
    shape: str  # "fk", "reverse" or "link"
    column: str
    link: type[Base] | None = None
    other: str | None = None
    required: bool = False  # an entity must be linked to one on create

    @property
    def many(self) -> bool:
        """Whether the relation leads to a collection (its name is plural)."""
        return self.shape != "fk"


@dataclass(frozen=True)
class EntityType:
    """One of the eight entity types."""

    name: str  # singular, as in JSON: "Thing"
    set_name: str  # plural, as in URLs: "Things"
    model: type[Base]
    properties: dict[str, Property]
    relations: dict[str, Relation]

    def relation(self, name: str) -> Relation:
        """The navigation property ``name``; NotFound names the entity type."""
        found = self.relations.get(name)
        if found is None:
            raise NotFound(
                f"{self.name} has no navigation property {name!r}",
                details={"entity": self.name, "property": name},
            )
        return found


def _props(*items: Property) -> dict[str, Property]:
    return {p.name: p for p in items}


def _rels(*items: Relation) -> dict[str, Relation]:
    return {r.name: r for r in items}


NAME = Property("name", Kind.TEXT, ("name",), required=True)
DESCRIPTION = Property("description", Kind.TEXT, ("description",), required=True)
PROPERTIES = Property("properties", Kind.JSON, ("properties",))
ENCODING = Property("encodingType", Kind.TEXT, ("encoding_type",), required=True)

ENTITY_TYPES: dict[str, EntityType] = {
    t.set_name: t
    for t in (
        EntityType(
            "Thing",
            "Things",
            Thing,
            _props(NAME, DESCRIPTION, PROPERTIES),
            _rels(
                Relation(
                    "Locations", "Locations", "link", "thing_id", ThingLocation, "location_id"
                ),
                Relation("HistoricalLocations", "HistoricalLocations", "reverse", "thing_id"),
                Relation("Datastreams", "Datastreams", "reverse", "thing_id"),
            ),
        ),
        EntityType(
            "Location",
            "Locations",
            Location,
            _props(
                NAME,
                DESCRIPTION,
                ENCODING,
                Property("location", Kind.GEOMETRY, ("location",), required=True),
                PROPERTIES,
            ),
            _rels(
                Relation("Things", "Things", "link", "location_id", ThingLocation, "thing_id"),
                Relation(
                    "HistoricalLocations",
                    "HistoricalLocations",
                    "link",
                    "location_id",
                    HistoricalLocationLocation,
                    "historical_location_id",
                ),
            ),
        ),
        EntityType(
            "HistoricalLocation",
            "HistoricalLocations",
            HistoricalLocation,
            _props(Property("time", Kind.INSTANT, ("time",), required=True)),
            _rels(
                Relation("Thing", "Things", "fk", "thing_id", required=True),
                Relation(
                    "Locations",
                    "Locations",
                    "link",
                    "historical_location_id",
                    HistoricalLocationLocation,
                    "location_id",
                ),
            ),
        ),
        EntityType(
            "Datastream",
            "Datastreams",
            Datastream,
            _props(
                NAME,
                DESCRIPTION,
                Property("unitOfMeasurement", Kind.OBJECT, ("unit_of_measurement",), required=True),
                Property("observationType", Kind.URI, ("observation_type",), required=True),
                Property("observedArea", Kind.GEOMETRY, ("observed_area",)),
                Property(
                    "phenomenonTime",
                    Kind.INTERVAL,
                    ("phenomenon_time_start", "phenomenon_time_end"),
                ),
                Property("resultTime", Kind.INTERVAL, ("result_time_start", "result_time_end")),
                PROPERTIES,
            ),
            _rels(
                Relation("Thing", "Things", "fk", "thing_id", required=True),
                Relation("Sensor", "Sensors", "fk", "sensor_id", required=True),
                Relation(
                    "ObservedProperty",
                    "ObservedProperties",
                    "fk",
                    "observed_property_id",
                    required=True,
                ),
                Relation("Observations", "Observations", "reverse", "datastream_id"),
            ),
        ),
        EntityType(
            "Sensor",
            "Sensors",
            Sensor,
            _props(
                NAME,
                DESCRIPTION,
                ENCODING,
                Property("metadata", Kind.JSON, ("metadata_",), required=True),
                PROPERTIES,
            ),
            _rels(Relation("Datastreams", "Datastreams", "reverse", "sensor_id")),
        ),
        EntityType(
            "ObservedProperty",
            "ObservedProperties",
            ObservedProperty,
            _props(
                NAME,
                Property("definition", Kind.URI, ("definition",), required=True),
                DESCRIPTION,
                PROPERTIES,
            ),
            _rels(Relation("Datastreams", "Datastreams", "reverse", "observed_property_id")),
        ),
        EntityType(
            "Observation",
            "Observations",
            Observation,
            _props(
                Property(
                    "phenomenonTime", Kind.TIME, ("phenomenon_time_start", "phenomenon_time_end")
                ),
                Property(
                    "result",
                    Kind.RESULT,
                    (
                        "result_type",
                        "result_number",
                        "result_boolean",
                        "result_string",
                        "result_json",
                    ),
                    required=True,
                ),
                Property("resultTime", Kind.INSTANT, ("result_time",)),
                Property("resultQuality", Kind.JSON, ("result_quality",)),
                Property("validTime", Kind.INTERVAL, ("valid_time_start", "valid_time_end")),
                Property("parameters", Kind.JSON, ("parameters",)),
            ),
            _rels(
                Relation("Datastream", "Datastreams", "fk", "datastream_id", required=True),
                Relation("FeatureOfInterest", "FeaturesOfInterest", "fk", "feature_id"),
            ),
        ),
        EntityType(
            "FeatureOfInterest",
            "FeaturesOfInterest",
            FeatureOfInterest,
            _props(
                NAME,
                DESCRIPTION,
                ENCODING,
                Property("feature", Kind.GEOMETRY, ("feature",), required=True),
                PROPERTIES,
            ),
            _rels(Relation("Observations", "Observations", "reverse", "feature_id")),
        ),
    )
}

BY_NAME: dict[str, EntityType] = {t.name: t for t in ENTITY_TYPES.values()}


def entity_set(name: str) -> EntityType:
    """The entity type of the collection ``name`` (``Things`` …); NotFound otherwise."""
    found = ENTITY_TYPES.get(name)
    if found is None:
        raise NotFound(f"no entity set {name!r}", details={"path": name})
    return found
