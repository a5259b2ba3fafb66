"""Delete SensorThings entities with the cascades of OGC 18-088 §10.4.

| Deleting          | also deletes                                             |
|-------------------|----------------------------------------------------------|
| Thing             | its Datastreams (and their Observations), HistoricalLocations |
| Location          | its HistoricalLocations                                  |
| Datastream        | its Observations (and its ``sta_latest`` row)            |
| Sensor            | its Datastreams                                          |
| ObservedProperty  | its Datastreams                                          |
| FeatureOfInterest | its Observations                                         |

The cascades are explicit set-based DELETEs (``… WHERE x IN (SELECT …)``), not the database's
ON DELETE CASCADE, so they behave alike everywhere and stay a handful of statements however
many Observations go. Every Thing touched by a cascade must be writable by the actor.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, delete, select, update

from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    HistoricalLocation,
    HistoricalLocationLocation,
    Latest,
    Observation,
    ThingLocation,
)
from cityhub.sensing.observations import refresh_latest
from cityhub.sensing.sta.entities import entity_set
from cityhub.sensing.sta.update import load
from cityhub.sensing.sta.write_context import WriteContext

ACTION = "sta.delete"


def delete_in(context: WriteContext, set_name: str, entity_id: int) -> None:
    """Delete the entity and what cascades from it within ``context``."""
    entity_type = entity_set(set_name)
    load(context, entity_type, entity_id)  # NotFound, and access to the entity itself
    session = context.session
    counts: dict[str, int] = {}
    model: Any = entity_type.model
    if set_name == "Things":
        streams = select(Datastream.id).where(Datastream.thing_id == entity_id)
        counts |= _delete_datastreams(context, streams)
        histories = select(HistoricalLocation.id).where(HistoricalLocation.thing_id == entity_id)
        counts["HistoricalLocations"] = _delete_histories(context, histories)
        session.execute(delete(ThingLocation).where(ThingLocation.thing_id == entity_id))
    elif set_name == "Locations":
        histories = select(HistoricalLocationLocation.historical_location_id).where(
            HistoricalLocationLocation.location_id == entity_id
        )
        context.allow_things(
            set(
                session.scalars(
                    select(HistoricalLocation.thing_id).where(HistoricalLocation.id.in_(histories))
                )
            ),
            ACTION,
            "HistoricalLocation",
        )
        counts["HistoricalLocations"] = _delete_histories(context, histories)
        session.execute(delete(ThingLocation).where(ThingLocation.location_id == entity_id))
        session.execute(
            update(FeatureOfInterest)
            .where(FeatureOfInterest.location_id == entity_id)
            .values(location_id=None)
        )
    elif set_name == "Datastreams":
        counts |= _delete_datastreams(
            context, select(Datastream.id).where(Datastream.id == entity_id)
        )
    elif set_name in ("Sensors", "ObservedProperties"):
        column = Datastream.sensor_id if set_name == "Sensors" else Datastream.observed_property_id
        counts |= _delete_datastreams(context, select(Datastream.id).where(column == entity_id))
    elif set_name == "FeaturesOfInterest":
        counts["Observations"] = _delete_observations(
            context, select(Observation.id).where(Observation.feature_id == entity_id)
        )
    elif set_name == "Observations":
        _delete_observations(context, select(Observation.id).where(Observation.id == entity_id))
    elif set_name == "HistoricalLocations":
        _delete_histories(
            context, select(HistoricalLocation.id).where(HistoricalLocation.id == entity_id)
        )
    if set_name not in ("Datastreams", "Observations", "HistoricalLocations"):
        session.execute(delete(model).where(model.id == entity_id))
    context.audit(
        ACTION, entity_type.name, entity_id, cascade={k: v for k, v in counts.items() if v}
    )


def _delete_datastreams(context: WriteContext, ids: Select[Any]) -> dict[str, int]:
    """Delete the Datastreams ``ids`` selects, their Observations and last values."""
    session = context.session
    stream_ids = set(session.scalars(ids))
    if not stream_ids:
        return {"Datastreams": 0}
    context.allow_things(context.things_of("Datastreams", stream_ids), ACTION, "Datastream")
    observations = session.execute(
        delete(Observation).where(Observation.datastream_id.in_(stream_ids))
    )
    session.execute(delete(Latest).where(Latest.datastream_id.in_(stream_ids)))
    session.execute(delete(Datastream).where(Datastream.id.in_(stream_ids)))
    return {"Datastreams": len(stream_ids), "Observations": _rowcount(observations)}


def _delete_observations(context: WriteContext, ids: Select[Any]) -> int:
    """Delete the Observations ``ids`` selects; the last values of their Datastreams are
    recomputed."""
    session = context.session
    streams = set(
        session.scalars(select(Observation.datastream_id).where(Observation.id.in_(ids)).distinct())
    )
    if not streams:
        return 0
    context.allow_things(context.things_of("Datastreams", streams), ACTION, "Observation")
    stale = set(session.scalars(select(Latest.datastream_id).where(Latest.observation_id.in_(ids))))
    result = session.execute(delete(Observation).where(Observation.id.in_(ids)))
    refresh_latest(session, stale)
    return _rowcount(result)


def _delete_histories(context: WriteContext, ids: Select[Any]) -> int:
    """Delete the HistoricalLocations ``ids`` selects and their links to Locations."""
    session = context.session
    history_ids = set(session.scalars(ids))
    if not history_ids:
        return 0
    session.execute(
        delete(HistoricalLocationLocation).where(
            HistoricalLocationLocation.historical_location_id.in_(history_ids)
        )
    )
    session.execute(delete(HistoricalLocation).where(HistoricalLocation.id.in_(history_ids)))
    return len(history_ids)


def _rowcount(result: Any) -> int:
    count = getattr(result, "rowcount", 0)
    return int(count) if count is not None and count >= 0 else 0
