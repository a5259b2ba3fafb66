"""``POST CreateObservations``: the DataArray extension's bulk create (OGC 18-088 §13.2).

Body: ``[{"Datastream": {"@iot.id": 1}, "components": ["phenomenonTime", "result",
"FeatureOfInterest/id"], "dataArray": [["2024-06-01T08:00:00Z", 20, 1], …]}, …]``. A bad group
header refuses the whole request (InvalidInput naming it); a bad row only gives None in its
place — the route answers "error" there — while the good rows are stored. Rows are checked in
plain Python, then stored by one ``ingest`` call (access check, one transaction, one audit row,
the bus): this is the path that has to carry tens of thousands of observations a second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.errors import InvalidInput
from cityhub.sensing.bus import Bus
from cityhub.sensing.ingest import ingest
from cityhub.sensing.models import Datastream, FeatureOfInterest
from cityhub.sensing.observations import NewObservation, thing_locations
from cityhub.sensing.sta import values
from cityhub.sensing.sta.validate import MAX_ID, at, invalid, link_id

MANDATORY = ("phenomenonTime", "result")
OPTIONAL = ("resultTime", "validTime", "parameters", "resultQuality", "FeatureOfInterest/id")
_GROUP_KEYS = frozenset({"Datastream", "components", "dataArray"})


@dataclass(frozen=True)
class _Group:
    datastream_id: int
    components: dict[str, int]  # component → position in a row
    rows: list[Any]
    path: str


@dataclass(frozen=True)
class _Stream:
    observation_type: str
    has_location: bool


@dataclass(frozen=True)
class ParsedArray:
    """The good rows, and for each row of the request its index there (None: a bad row)."""

    rows: list[NewObservation]
    positions: list[int | None]


def create_observations(
    db: Database, actor: Actor, body: Any, *, bus: Bus | None = None
) -> list[int | None]:
    """Store the Observations of a CreateObservations body; the new ids in request order,
    None for each bad row. InvalidInput for a bad body or group header."""
    audit.require(db, actor, Permission.SENSING_WRITE, "sta.ingest", object_type="Observation")
    with db.reading() as session:
        parsed = parse_data_array(session, body)
    stored = ingest(db, actor, parsed.rows, bus=bus, source="http")
    return [None if index is None else stored[index].id for index in parsed.positions]


def parse_data_array(session: Session, body: Any) -> ParsedArray:
    """Check a CreateObservations body against the database (Datastreams, FeaturesOfInterest,
    Locations) and turn its good rows into ``NewObservation``s."""
    groups = [_group(item, f"[{index}]") for index, item in enumerate(_groups(body))]
    streams = _streams(session, groups)
    features = _features(session, groups)
    parsed = ParsedArray([], [])
    for group in groups:
        stream = streams[group.datastream_id]
        make = _row_maker(group, stream, features)
        for row in group.rows:
            made = make(row)
            if made is None:
                parsed.positions.append(None)
            else:
                parsed.positions.append(len(parsed.rows))
                parsed.rows.append(made)
    return parsed


def _groups(body: Any) -> list[Any]:
    if not isinstance(body, list):
        raise InvalidInput(
            "a CreateObservations body is a JSON array of {Datastream, components, dataArray}",
            details={"path": ""},
        )
    return body


def _group(item: Any, path: str) -> _Group:
    if not isinstance(item, dict):
        raise invalid("each group must be a JSON object", path)
    for key in item:
        if key == "MultiDatastream":
            raise invalid("MultiDatastreams are not supported", at(path, key))
        if key not in _GROUP_KEYS and "@iot." not in key:
            raise invalid(f"unknown member {key!r}", at(path, key))
    if "Datastream" not in item:
        raise invalid('a group needs its Datastream: {"@iot.id": …}', at(path, "Datastream"))
    datastream_id = link_id(item["Datastream"], at(path, "Datastream"))
    if datastream_id is None:
        raise invalid('the Datastream is given by {"@iot.id": …}', at(path, "Datastream"))
    components = item.get("components")
    here = at(path, "components")
    if not isinstance(components, list) or not all(isinstance(c, str) for c in components):
        raise invalid("components must be a list of strings", here)
    for name in components:
        if name not in MANDATORY and name not in OPTIONAL:
            raise invalid(f"unknown component {name!r}", here, allowed=[*MANDATORY, *OPTIONAL])
    if len(set(components)) != len(components):
        raise invalid("a component is named twice", here)
    for name in MANDATORY:
        if name not in components:
            raise invalid(f"the component {name} is mandatory", here)
    rows = item.get("dataArray")
    if not isinstance(rows, list):
        raise invalid("dataArray must be a list of rows", at(path, "dataArray"))
    return _Group(datastream_id, {c: i for i, c in enumerate(components)}, rows, path)


def _streams(session: Session, groups: list[_Group]) -> dict[int, _Stream]:
    wanted = {group.datastream_id for group in groups}
    found = {
        row.id: row
        for row in session.execute(
            select(Datastream.id, Datastream.thing_id, Datastream.observation_type).where(
                Datastream.id.in_(wanted)
            )
        )
    }
    for group in groups:
        if group.datastream_id not in found:
            raise invalid(
                f"no such entity: Datastream {group.datastream_id}",
                at(group.path, "Datastream"),
                id=group.datastream_id,
            )
    located = thing_locations(session, {row.thing_id for row in found.values()})
    return {
        key: _Stream(row.observation_type, row.thing_id in located) for key, row in found.items()
    }


def _features(session: Session, groups: list[_Group]) -> set[int]:
    """The FeatureOfInterest ids named by the rows that exist."""
    named: set[int] = set()
    for group in groups:
        position = group.components.get("FeatureOfInterest/id")
        if position is None:
            continue
        for row in group.rows:
            if isinstance(row, list) and len(row) > position:
                value = row[position]
                if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
                    named.add(value)
    if not named:
        return set()
    return set(session.scalars(select(FeatureOfInterest.id).where(FeatureOfInterest.id.in_(named))))


def _row_maker(
    group: _Group, stream: _Stream, features: set[int]
) -> Callable[[Any], NewObservation | None]:
    """A function that checks one row of ``group`` and makes its NewObservation (or None)."""
    width = len(group.components)
    get = group.components.get
    phenomenon, result_at = get("phenomenonTime"), get("result")
    result_time_at, valid_at = get("resultTime"), get("validTime")
    parameters_at, quality_at = get("parameters"), get("resultQuality")
    feature_at = get("FeatureOfInterest/id")
    observation_type, fits = stream.observation_type, values.result_fits
    datastream_id = group.datastream_id

    def make(row: Any) -> NewObservation | None:
        if not isinstance(row, list) or len(row) != width:
            return None
        result = row[result_at]  # type: ignore[index]
        if not fits(observation_type, result):
            return None
        try:
            start, end = values.parse_time(row[phenomenon], "phenomenonTime")  # type: ignore[index]
            result_time = _optional_instant(row, result_time_at)
            valid = _optional_interval(row, valid_at)
        except InvalidInput:
            return None
        parameters = None if parameters_at is None else row[parameters_at]
        if parameters is not None and not (
            isinstance(parameters, dict) and values.is_json(parameters)
        ):
            return None
        quality = None if quality_at is None else row[quality_at]
        if quality is not None and not values.is_json(quality):
            return None
        feature_id = None if feature_at is None else row[feature_at]
        if feature_id is None:
            if not stream.has_location:
                return None
        elif type(feature_id) is not int or feature_id not in features:
            return None
        return NewObservation(
            datastream_id=datastream_id,
            phenomenon_time_start=start,
            phenomenon_time_end=end,
            result=result,
            result_time=result_time,
            feature_id=feature_id,
            result_quality=quality,
            valid_time_start=None if valid is None else valid[0],
            valid_time_end=None if valid is None else valid[1],
            parameters=parameters,
        )

    return make


def _optional_instant(row: list[Any], position: int | None) -> datetime | None:
    if position is None or row[position] is None:
        return None
    return values.parse_instant(row[position], "resultTime")


def _optional_interval(row: list[Any], position: int | None) -> tuple[datetime, datetime] | None:
    if position is None or row[position] is None:
        return None
    return values.parse_interval(row[position], "validTime")
