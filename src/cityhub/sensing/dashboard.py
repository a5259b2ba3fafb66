"""What the sensing pages show: stations on the map, a Datastream's series.

Everything here is read for one actor and shows only what that actor may see: Things through
``access.visibility("Things", …)``, Datastreams and their values through ``readable_datastream``,
alarms with their station. A station's state on the map is its most severe open alarm (active or
acknowledged: an acknowledged flood alarm is still a flood); an open offline alarm — the only
kind without a Datastream, its source being the Thing — makes it ``offline`` whatever else is
open, since the engine suppresses a silent station's threshold alarms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub.auth import Actor, Role
from cityhub.auth.models import Department
from cityhub.db import Database, utcnow
from cityhub.errors import InvalidInput, NotFound
from cityhub.sensing.access import readable_datastream_ids, visibility, visible_thing_ids
from cityhub.sensing.alarms import AlarmStatus, RuleKind, Severity, rules_for_datastream
from cityhub.sensing.alarms.models import Alarm, AlarmRule
from cityhub.sensing.live import LiveScope
from cityhub.sensing.models import (
    Datastream,
    Latest,
    Location,
    Observation,
    ObservedProperty,
    ResultType,
    Thing,
    ThingLocation,
)

DEFAULT_SPAN = timedelta(hours=24)
MAX_SPAN = timedelta(days=92)
MAX_POINTS = 20_000  # a quarter of five-minute values; beyond that the newest are kept


class StationState(StrEnum):
    """A station's colour on the map, from calm to worst; offline apart."""

    OK = "ok"
    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"
    OFFLINE = "offline"


@dataclass(frozen=True)
class OpenAlarm:
    """An alarm not yet cleared, as a station shows it."""

    id: int
    datastream_id: int | None
    severity: str
    status: str
    value: float | None
    message_zh: str
    message_en: str
    raised_at: datetime

    @property
    def offline(self) -> bool:
        """An offline alarm: its source is the Thing, not a Datastream."""
        return self.datastream_id is None


@dataclass(frozen=True)
class StreamSummary:
    """One readable Datastream of a station with its latest value."""

    id: int
    name: str
    unit: str
    observed_property: str
    value: Any
    time: datetime | None


@dataclass(frozen=True)
class Station:
    """A station as the map and the station page show it; ``x``/``y`` None: no point known."""

    id: int
    name: str
    description: str
    department: str | None
    department_zh: str | None
    department_en: str | None
    station_class: str | None
    registered: bool
    x: float | None
    y: float | None
    state: StationState
    alarms: list[OpenAlarm] = field(default_factory=list)
    streams: list[StreamSummary] = field(default_factory=list)


@dataclass(frozen=True)
class Threshold:
    """One tier of a rule that applies to a Datastream; ``on_values``: comparable with the plotted
    values (a threshold rule), not with a rolling sum or a rate."""

    rule_id: int
    rule_name: str
    kind: str
    severity: str
    op: str
    value: float
    on_values: bool


@dataclass(frozen=True)
class Series:
    """A Datastream's numeric values between ``start`` and ``end`` with its thresholds."""

    datastream_id: int
    thing_id: int
    name: str
    unit: str
    start: datetime
    end: datetime
    points: list[tuple[datetime, float]]
    truncated: bool
    thresholds: list[Threshold]


def station_state(alarms: Iterable[tuple[str, bool]]) -> StationState:
    """The map colour of a station with open alarms given as (severity, is offline) pairs."""
    worst: Severity | None = None
    for severity, offline in alarms:
        if offline:
            return StationState.OFFLINE
        current = Severity(severity)
        if worst is None or current.rank > worst.rank:
            worst = current
    return StationState(worst.value) if worst else StationState.OK


_OPEN_ALARM_FIELDS = [f.name for f in fields(OpenAlarm)]


def _unit(unit: dict[str, Any] | None) -> str:
    unit = unit or {}
    return str(unit.get("symbol") or unit.get("name") or "")


def _coordinates(session: Session, thing_ids: list[int]) -> dict[int, tuple[Any, Any]]:
    rows = session.execute(
        select(ThingLocation.thing_id, Location.x, Location.y)
        .join(Location, Location.id == ThingLocation.location_id)
        .where(ThingLocation.thing_id.in_(thing_ids), Location.x.is_not(None))
        .order_by(Location.id)
    )
    found: dict[int, tuple[float | None, float | None]] = {}
    for thing_id, x, y in rows:
        found.setdefault(thing_id, (x, y))
    return found


def _streams(session: Session, actor: Actor, thing_ids: list[int]) -> dict[int, list[Any]]:
    rows = session.execute(
        select(
            Datastream.thing_id,
            Datastream.id,
            Datastream.name,
            Datastream.unit_of_measurement,
            ObservedProperty.name,
            Latest.phenomenon_time,
            Latest.result_number,
            Latest.result,
        )
        .join(ObservedProperty, ObservedProperty.id == Datastream.observed_property_id)
        .outerjoin(Latest, Latest.datastream_id == Datastream.id)
        .where(Datastream.thing_id.in_(thing_ids), visibility("Datastreams", Datastream, actor))
        .order_by(Datastream.id)
    )
    found: dict[int, list[Any]] = {}
    for thing_id, stream_id, name, unit, prop, time, number, result in rows:
        value = number if number is not None else result
        summary = StreamSummary(stream_id, name, _unit(unit), prop, value, time)
        found.setdefault(thing_id, []).append(summary)
    return found


def _open_alarms(session: Session, thing_ids: list[int]) -> dict[int, list[OpenAlarm]]:
    rows = session.scalars(
        select(Alarm)
        .where(Alarm.thing_id.in_(thing_ids), Alarm.status != AlarmStatus.CLEARED.value)
        .order_by(Alarm.id)
    )
    found: dict[int, list[OpenAlarm]] = {}
    for alarm in rows:
        item = OpenAlarm(**{name: getattr(alarm, name) for name in _OPEN_ALARM_FIELDS})
        found.setdefault(alarm.thing_id, []).append(item)
    return found


def stations(db: Database, actor: Actor, thing_id: int | None = None) -> list[Station]:
    """The stations ``actor`` may see (or only ``thing_id``), by name, with their coordinates,
    readable Datastreams with latest values, and open alarms."""
    query = (
        select(Thing, Department)
        .outerjoin(Department, Department.id == Thing.department_id)
        .where(visibility("Things", Thing, actor))
        .order_by(Thing.name, Thing.id)
    )
    if thing_id is not None:
        query = query.where(Thing.id == thing_id)
    with db.reading() as session:
        found = session.execute(query).all()
        ids = [thing.id for thing, _ in found]
        places = _coordinates(session, ids)
        streams = _streams(session, actor, ids)
        alarms = _open_alarms(session, ids)
    result = []
    for thing, department in found:
        properties = thing.properties or {}
        mine = alarms.get(thing.id, [])
        x, y = places.get(thing.id, (None, None))
        result.append(
            Station(
                id=thing.id,
                name=thing.name,
                description=thing.description,
                department=department.code if department else None,
                department_zh=department.name_zh if department else None,
                department_en=department.name_en if department else None,
                station_class=properties.get("station_class"),
                registered=properties.get("registered") is not False,
                x=x,
                y=y,
                state=station_state((a.severity, a.offline) for a in mine),
                alarms=mine,
                streams=streams.get(thing.id, []),
            )
        )
    return result


def station(db: Database, actor: Actor, thing_id: int) -> Station:
    """One station ``actor`` may see; NotFound otherwise (an unseen station does not exist)."""
    found = stations(db, actor, thing_id)
    if not found:
        raise NotFound(f"no station with id {thing_id}", details={"thing_id": thing_id})
    return found[0]


def time_range(
    start: datetime | None, end: datetime | None, *, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """``(start, end)`` with the defaults filled in (the last 24 hours), or InvalidInput."""
    for name, moment in (("start", start), ("end", end)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput("give the time with its time zone", details={"field": name})
    end = end or (now or utcnow())
    start = start or end - DEFAULT_SPAN
    if start >= end:
        raise InvalidInput("start must come before end", details={"field": "start"})
    if end - start > MAX_SPAN:
        raise InvalidInput(
            f"a chart covers at most {MAX_SPAN.days} days", details={"field": "start"}
        )
    return start, end


def thresholds(rules: Iterable[AlarmRule]) -> list[Threshold]:
    """The create conditions of ``rules``' tiers, by rule and rising severity."""
    found = []
    for rule in rules:
        for tier in rule.tiers:
            create = tier.get("create")
            if not create:
                continue  # an offline rule's tier: a severity only
            found.append(
                Threshold(
                    rule_id=rule.id,
                    rule_name=rule.name,
                    kind=rule.kind,
                    severity=tier["severity"],
                    op=create["op"],
                    value=float(create["value"]),
                    on_values=rule.kind == RuleKind.THRESHOLD.value,
                )
            )
    return found


def series(
    db: Database,
    actor: Actor,
    datastream_id: int,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Series:
    """A readable Datastream's numeric values (booleans as 1/0) in ``[start, end]``, oldest
    first, with the thresholds of its enabled rules. NotFound for an unreadable Datastream."""
    start, end = time_range(start, end)
    with db.reading() as session:
        stream = session.execute(
            select(Datastream.thing_id, Datastream.name, Datastream.unit_of_measurement).where(
                Datastream.id == datastream_id, Datastream.id.in_(readable_datastream_ids(actor))
            )
        ).first()
        if stream is None:
            raise NotFound(
                f"no Datastream with id {datastream_id}", details={"datastream_id": datastream_id}
            )
        newest = (
            select(
                Observation.phenomenon_time_start,
                Observation.result_number,
                Observation.result_boolean,
            )
            .where(
                Observation.datastream_id == datastream_id,
                Observation.phenomenon_time_start >= start,
                Observation.phenomenon_time_start <= end,
                Observation.result_type.in_((ResultType.NUMBER, ResultType.BOOLEAN)),
            )
            .order_by(Observation.phenomenon_time_start.desc(), Observation.id.desc())
            .limit(MAX_POINTS + 1)
        )
        rows = session.execute(newest).all()
    points = [
        (time, number if number is not None else float(bool(flag)))
        for time, number, flag in reversed(rows[:MAX_POINTS])
    ]
    rules = rules_for_datastream(db, actor, datastream_id)
    return Series(
        datastream_id=datastream_id,
        thing_id=stream.thing_id,
        name=stream.name,
        unit=_unit(stream.unit_of_measurement),
        start=start,
        end=end,
        points=points,
        truncated=len(rows) > MAX_POINTS,
        thresholds=thresholds(rules),
    )


def live_scope(db: Database, actor: Actor) -> LiveScope:
    """The ids of the stations and Datastreams ``actor`` may follow live, read now."""
    if actor.role is Role.ADMIN:
        return LiveScope(None, None)
    with db.reading() as session:
        things = frozenset(session.scalars(visible_thing_ids(actor)))
        streams = frozenset(session.scalars(readable_datastream_ids(actor)))
    return LiveScope(things, streams)
