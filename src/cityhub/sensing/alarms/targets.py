"""Which rules apply where: a rule names one Datastream, or a class of stations.

A class is an ObservedProperty ``definition`` (every water-level Datastream), the Thing property
``station_class`` (every "reservoir"), or both, limited to the rule's department when it has
one (a steward's class rule covers the stations of that department only). Offline rules watch
Things: the Thing of their Datastream, or every Thing of their class.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityhub.sensing.alarms.evaluate import CompiledRule
from cityhub.sensing.models import Datastream, Latest, ObservedProperty, Thing

STATION_CLASS = "station_class"  # the Thing property that classes of stations are keyed by


@dataclass(frozen=True)
class StreamFacts:
    """What rule matching needs to know about one Datastream."""

    datastream_id: int
    thing_id: int
    definition: str
    station_class: str | None
    department_id: int | None


def station_class_of(properties: Any) -> str | None:
    """The ``station_class`` of a Thing's properties, when it is a string."""
    if isinstance(properties, dict):
        value = properties.get(STATION_CLASS)
        if isinstance(value, str):
            return value
    return None


def stream_facts(session: Session, ids: Collection[int]) -> dict[int, StreamFacts]:
    """The facts of the Datastreams ``ids`` that exist (one query)."""
    if not ids:
        return {}
    rows = session.execute(
        select(
            Datastream.id,
            Datastream.thing_id,
            ObservedProperty.definition,
            Thing.properties,
            Thing.department_id,
        )
        .join(ObservedProperty, ObservedProperty.id == Datastream.observed_property_id)
        .join(Thing, Thing.id == Datastream.thing_id)
        .where(Datastream.id.in_(ids))
    )
    return {
        row.id: StreamFacts(
            row.id,
            row.thing_id,
            row.definition,
            station_class_of(row.properties),
            row.department_id,
        )
        for row in rows
    }


def matches(rule: CompiledRule, facts: StreamFacts) -> bool:
    """Whether ``rule`` applies to the Datastream described by ``facts``."""
    if rule.datastream_id is not None:
        return rule.datastream_id == facts.datastream_id
    if rule.department_id is not None and rule.department_id != facts.department_id:
        return False
    if rule.observed_property is not None and rule.observed_property != facts.definition:
        return False
    return rule.station_class is None or rule.station_class == facts.station_class


@dataclass(frozen=True)
class Watched:
    """The Things each offline rule watches (Thing id → department id), and when each Thing's
    newest Observation was taken (seconds since the epoch)."""

    things: dict[int, dict[int, int | None]]
    last_seen: dict[int, float]


def watched_things(session: Session, rules: Iterable[CompiledRule]) -> Watched:
    """Resolve the offline rules' targets to Things (a few queries, at reload only)."""
    rules = list(rules)
    if not rules:
        return Watched({}, {})
    streams = [
        StreamFacts(row.id, row.thing_id, row.definition, None, row.department_id)
        for row in session.execute(
            select(
                Datastream.id, Datastream.thing_id, ObservedProperty.definition, Thing.department_id
            )
            .join(ObservedProperty, ObservedProperty.id == Datastream.observed_property_id)
            .join(Thing, Thing.id == Datastream.thing_id)
        )
    ]
    things = {
        row.id: (station_class_of(row.properties), row.department_id)
        for row in session.execute(select(Thing.id, Thing.properties, Thing.department_id))
    }
    watched: dict[int, dict[int, int | None]] = {}
    for rule in rules:
        chosen: dict[int, int | None] = {}
        if rule.datastream_id is not None:
            for stream in streams:
                if stream.datastream_id == rule.datastream_id:
                    chosen[stream.thing_id] = stream.department_id
        else:
            candidates = {s.thing_id for s in streams if _defines(rule, s.definition)}
            for thing_id, (station_class, department_id) in things.items():
                if (
                    thing_id in candidates
                    and rule.department_id in (None, department_id)
                    and rule.station_class in (None, station_class)
                ):
                    chosen[thing_id] = department_id
        watched[rule.id] = chosen
    newest = session.execute(
        select(Datastream.thing_id, func.max(Latest.phenomenon_time))
        .join(Datastream, Datastream.id == Latest.datastream_id)
        .group_by(Datastream.thing_id)
    )
    last_seen = {thing_id: moment.timestamp() for thing_id, moment in newest if moment}
    return Watched(watched, last_seen)


def _defines(rule: CompiledRule, definition: str) -> bool:
    return rule.observed_property is None or rule.observed_property == definition
