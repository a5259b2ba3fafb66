"""The fast path that stores Observations: every ingest (HTTP, MQTT, SL 651) ends here.

``insert_observations`` writes a batch with a handful of statements whatever its size: one
lookup of the Datastreams with their FeaturesOfInterest, the ids, one executemany INSERT (a
COPY on PostgreSQL), one upsert of ``sta_latest`` and the widening of the Datastreams' time
ranges (one or two executemany UPDATEs) — all in the caller's transaction. No ORM objects and
no per-row Core compilation (see ``sta.store_rows``): that keeps it well above 20,000
observations/s on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.orm import Session

from cityhub.db.base import utcnow
from cityhub.errors import InvalidInput
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    Latest,
    Location,
    Observation,
    ResultType,
    ThingLocation,
)
from cityhub.sensing.sta import store_rows, values

_OBSERVATIONS = cast(Table, Observation.__table__)
_LATEST = cast(Table, Latest.__table__)
_LARGEST_EXACT_FLOAT = 2**53  # integers beyond this lose digits as a float: kept as JSON
# How far a station's clock may run ahead of the server's (as AWS IoT SiteWise allows, 10
# minutes). A reading from further ahead is refused, naming the skew: stored, it would be the
# "newest" reading and hide the real ones from the alarm rules until the clock caught up. The
# station keeps what is refused (SL 651 resends an unconfirmed report) and, silent to us, goes
# offline, which shows the clock needs setting. Readings from behind (late) are always taken.
MAX_CLOCK_AHEAD = timedelta(minutes=10)


@dataclass(frozen=True)
class NewObservation:
    """An Observation to store; ``feature_id`` None means "from the Thing's Location"."""

    datastream_id: int
    phenomenon_time_start: datetime
    result: Any
    phenomenon_time_end: datetime | None = None
    result_time: datetime | None = None
    feature_id: int | None = None
    result_quality: Any = None
    valid_time_start: datetime | None = None
    valid_time_end: datetime | None = None
    parameters: dict[str, Any] | None = None


@dataclass(frozen=True)
class StoredObservation:
    """An Observation as stored, for the bus listeners (alarm engine, MQTT)."""

    id: int
    datastream_id: int
    thing_id: int
    phenomenon_time: datetime
    result: Any
    result_number: float | None
    parameters: dict[str, Any] | None


@dataclass(frozen=True)
class _Stream:
    thing_id: int
    observation_type: str
    location_id: int | None  # the Thing's first Location
    feature_id: int | None  # the FeatureOfInterest made from that Location, if made yet


def result_columns(result: Any) -> tuple[int, float | None, bool | None, str | None, Any]:
    """How ``result`` is stored: (result_type, result_number, result_boolean, result_string,
    result_json), the value in the one column of its type."""
    if isinstance(result, bool):
        return ResultType.BOOLEAN, None, result, None, None
    if isinstance(result, float) or (
        isinstance(result, int) and -_LARGEST_EXACT_FLOAT <= result <= _LARGEST_EXACT_FLOAT
    ):
        return ResultType.NUMBER, float(result), None, None, None
    if isinstance(result, str):
        return ResultType.STRING, None, None, result, None
    return ResultType.JSON, None, None, None, result


def result_from_columns(
    kind: int, number: float | None, boolean: bool | None, string: str | None, as_json: Any
) -> Any:
    """The result stored by ``result_columns`` (whole numbers come back as integers)."""
    if kind == ResultType.NUMBER:
        if number is not None and number.is_integer() and abs(number) <= _LARGEST_EXACT_FLOAT:
            return int(number)
        return number
    if kind == ResultType.BOOLEAN:
        return boolean
    if kind == ResultType.STRING:
        return string
    return as_json


def refresh_latest(session: Session, datastream_ids: set[int]) -> None:
    """Recompute ``sta_latest`` of some Datastreams from their Observations (after a delete
    or a move); a Datastream left without Observations loses its row."""
    if not datastream_ids:
        return
    session.execute(delete(_LATEST).where(_LATEST.c.datastream_id.in_(datastream_ids)))
    now = utcnow()
    for datastream_id in sorted(datastream_ids):
        newest = session.execute(
            select(
                Observation.id,
                Observation.phenomenon_time_start,
                Observation.result_type,
                Observation.result_number,
                Observation.result_boolean,
                Observation.result_string,
                Observation.result_json,
            )
            .where(Observation.datastream_id == datastream_id)
            .order_by(Observation.phenomenon_time_start.desc(), Observation.id.desc())
            .limit(1)
        ).first()
        if newest is None:
            continue
        session.execute(
            insert(_LATEST).values(
                datastream_id=datastream_id,
                observation_id=newest.id,
                phenomenon_time=newest.phenomenon_time_start,
                result_number=newest.result_number,
                result=result_from_columns(*newest[2:]),
                received_at=now,
            )
        )


def insert_observations(
    session: Session, rows: Sequence[NewObservation]
) -> list[StoredObservation]:
    """Store ``rows`` in the caller's transaction and return them with their ids, in order.

    Each result must fit its Datastream's observationType (``values.result_fits``); a row
    without ``feature_id`` gets the FeatureOfInterest made from its Thing's first Location
    (created once, then reused). ``sta_latest`` and the Datastreams' phenomenonTime and
    resultTime ranges follow. InvalidInput (naming the row) for unknown Datastreams or
    FeaturesOfInterest, wrong results, naive or reversed times, times further ahead of the
    server's clock than ``MAX_CLOCK_AHEAD``, or a Thing without Location.
    """
    if not rows:
        return []
    streams = _streams(session, {row.datastream_id for row in rows})
    _check_rows(rows, streams, utcnow() + MAX_CLOCK_AHEAD)
    features = _features_for(session, rows, streams)
    ids, numbers = _insert_rows(session, rows, features)
    stored = [
        StoredObservation(
            id=new_id,
            datastream_id=row.datastream_id,
            thing_id=streams[row.datastream_id].thing_id,
            phenomenon_time=row.phenomenon_time_start,
            result=row.result,
            result_number=number,
            parameters=row.parameters,
        )
        for new_id, row, number in zip(ids, rows, numbers, strict=True)
    ]
    _update_latest(session, stored)
    _widen_ranges(session, rows)
    return stored


def _insert_rows(
    session: Session, rows: Sequence[NewObservation], features: dict[int, int]
) -> tuple[list[int], list[float | None]]:
    """One executemany of all rows; their ids and result_numbers, in order."""
    connection = session.connection()
    sql = store_rows.statements(connection.dialect)
    time, as_json = sql.time, sql.json
    numbers: list[float | None] = []
    params: list[tuple[Any, ...]] = []
    for row in rows:
        kind, number, boolean, string, json_result = result_columns(row.result)
        numbers.append(number)
        end, result_time = row.phenomenon_time_end, row.result_time
        quality, parameters = row.result_quality, row.parameters
        valid_start, valid_end = row.valid_time_start, row.valid_time_end
        params.append(
            (
                row.datastream_id,
                features[row.datastream_id] if row.feature_id is None else row.feature_id,
                time(row.phenomenon_time_start),
                None if end is None else time(end),
                None if result_time is None else time(result_time),
                kind,
                number,
                boolean,
                string,
                None if json_result is None else as_json(json_result),
                None if quality is None else as_json(quality),
                None if valid_start is None else time(valid_start),
                None if valid_end is None else time(valid_end),
                None if parameters is None else as_json(parameters),
            )
        )
    if connection.dialect.name == "postgresql":
        # COPY, not an executemany: one stream of rows instead of a statement each.
        ids = _sequence_ids(session, len(rows))
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(sql.copy) as copy:
            for new_id, values in zip(ids, params, strict=True):
                copy.write_row((new_id, *values))
        return ids, numbers
    connection.exec_driver_sql(sql.insert, params)
    return _sqlite_ids(session, rows), numbers


def _sequence_ids(session: Session, count: int) -> list[int]:
    """``count`` new ids from PostgreSQL's sequence of ``sta_observations.id``, ascending."""
    # Looked up apart: inside the SELECT, PostgreSQL resolves the name again for every row
    # (3.7 ms against 1.3 ms for 1,000 ids).
    sequence = session.scalar(text("SELECT pg_get_serial_sequence('sta_observations', 'id')"))
    found = session.execute(
        text("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :count)"),
        {"sequence": sequence, "count": count},
    )
    return sorted(found.scalars())


def _sqlite_ids(session: Session, rows: Sequence[NewObservation]) -> list[int]:
    """The ids SQLite gave the rows just inserted.

    SQLite numbers a new row max(rowid) + 1, and this transaction holds the database's one
    write lock since its first INSERT, so one executemany's rows get consecutive ids ending at
    ``last_insert_rowid()``. The first and last rows are checked to be ours all the same
    (SQLite picks random ids only past 2**63 - 1).
    """
    last = int(session.scalar(text("SELECT last_insert_rowid()")) or 0)
    first = last - len(rows) + 1
    found = dict(
        session.execute(
            select(Observation.id, Observation.datastream_id).where(
                Observation.id.in_({first, last})
            )
        ).all()
    )
    if found != {first: rows[0].datastream_id, last: rows[-1].datastream_id}:
        raise RuntimeError("SQLite did not number the new observations consecutively")
    return list(range(first, last + 1))


def _streams(session: Session, ids: set[int]) -> dict[int, _Stream]:
    """The Datastreams ``ids`` with their Thing, type, Location and FeatureOfInterest."""
    location = (
        select(func.min(ThingLocation.location_id))
        .where(ThingLocation.thing_id == Datastream.thing_id)
        .correlate(Datastream)
        .scalar_subquery()
    )
    feature = (  # nested: the correlation to the Datastream must be spelled out
        select(func.min(FeatureOfInterest.id))
        .where(FeatureOfInterest.location_id == location)
        .correlate(Datastream)
        .scalar_subquery()
    )
    found = session.execute(
        select(
            Datastream.id,
            Datastream.thing_id,
            Datastream.observation_type,
            location.label("location_id"),
            feature.label("feature_id"),
        ).where(Datastream.id.in_(ids))
    )
    return {
        row.id: _Stream(row.thing_id, row.observation_type, row.location_id, row.feature_id)
        for row in found
    }


def _check_rows(
    rows: Sequence[NewObservation], streams: dict[int, _Stream], latest: datetime
) -> None:
    fits = values.result_fits
    for index, row in enumerate(rows):
        stream = streams.get(row.datastream_id)
        if stream is None:
            raise InvalidInput(
                f"no such Datastream: {row.datastream_id}",
                details={"row": index, "path": "Datastream", "id": row.datastream_id},
            )
        if not fits(stream.observation_type, row.result):
            raise InvalidInput(
                f"result must be {values.expected_result(stream.observation_type)}",
                details={"row": index, "path": "result"},
            )
        if row.phenomenon_time_start.tzinfo is None:
            raise InvalidInput(
                "phenomenonTime has no time zone", details={"row": index, "path": "phenomenonTime"}
            )
        if row.phenomenon_time_start > latest:
            _refuse_ahead(index, "phenomenonTime", row.phenomenon_time_start, latest)
        if (
            row.phenomenon_time_end is not None
            or row.result_time is not None
            or row.valid_time_start is not None
            or row.valid_time_end is not None
        ):
            _check_other_times(index, row, latest)


def _refuse_ahead(index: int, name: str, moment: datetime, latest: datetime) -> None:
    ahead = (moment - (latest - MAX_CLOCK_AHEAD)).total_seconds()
    allowed = int(MAX_CLOCK_AHEAD.total_seconds())
    raise InvalidInput(
        f"{name} {moment.isoformat()} is {ahead:.0f} s ahead of the server's clock (at most "
        f"{allowed} s): set the station's clock",
        details={"row": index, "path": name, "ahead_seconds": round(ahead), "allowed": allowed},
    )


def _check_other_times(index: int, row: NewObservation, latest: datetime) -> None:
    for name, moment in (
        ("phenomenonTime", row.phenomenon_time_end),
        ("resultTime", row.result_time),
        ("validTime", row.valid_time_start),
        ("validTime", row.valid_time_end),
    ):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput(f"{name} has no time zone", details={"row": index, "path": name})
    for name, moment in (
        ("phenomenonTime", row.phenomenon_time_end),
        ("resultTime", row.result_time),
    ):
        if moment is not None and moment > latest:  # validTime may lie ahead: it is a promise
            _refuse_ahead(index, name, moment, latest)
    end = row.phenomenon_time_end
    if end is not None and end < row.phenomenon_time_start:
        raise InvalidInput(
            "phenomenonTime ends before it starts",
            details={"row": index, "path": "phenomenonTime"},
        )


def _features_for(
    session: Session, rows: Sequence[NewObservation], streams: dict[int, _Stream]
) -> dict[int, int]:
    """Datastream id → FeatureOfInterest id for the rows without one (made if needed); checks
    that the FeaturesOfInterest named by the other rows exist."""
    named = {row.feature_id for row in rows if row.feature_id is not None}
    if named:
        existing = set(
            session.scalars(select(FeatureOfInterest.id).where(FeatureOfInterest.id.in_(named)))
        )
        for index, row in enumerate(rows):
            if row.feature_id is not None and row.feature_id not in existing:
                raise InvalidInput(
                    f"no such FeatureOfInterest: {row.feature_id}",
                    details={"row": index, "path": "FeatureOfInterest", "id": row.feature_id},
                )
    if all(row.feature_id is not None for row in rows):
        return {}
    result: dict[int, int] = {}
    to_make: set[int] = set()
    for index, row in enumerate(rows):
        if row.feature_id is not None or row.datastream_id in result:
            continue
        stream = streams[row.datastream_id]
        if stream.location_id is None:
            raise InvalidInput(
                "the Datastream's Thing has no Location: give a FeatureOfInterest",
                details={"row": index, "path": "FeatureOfInterest"},
            )
        if stream.feature_id is None:
            to_make.add(stream.location_id)
        else:
            result[row.datastream_id] = stream.feature_id
    if to_make:
        made = features_of_locations(session, to_make)
        for row in rows:
            stream = streams[row.datastream_id]
            if row.feature_id is None and row.datastream_id not in result:
                result[row.datastream_id] = made[cast(int, stream.location_id)]
    return result


def thing_locations(session: Session, thing_ids: set[int]) -> dict[int, int]:
    """Thing id → its first Location's id (the lowest), for the Things that have one."""
    found = session.execute(
        select(ThingLocation.thing_id, func.min(ThingLocation.location_id))
        .where(ThingLocation.thing_id.in_(thing_ids))
        .group_by(ThingLocation.thing_id)
    )
    return dict(found.all())


def features_of_locations(session: Session, location_ids: set[int]) -> dict[int, int]:
    """Location id → the FeatureOfInterest made from it, made now where none exists yet."""
    if not location_ids:
        return {}
    found: dict[int, int] = {}
    for location_id, feature_id in session.execute(
        select(FeatureOfInterest.location_id, func.min(FeatureOfInterest.id))
        .where(FeatureOfInterest.location_id.in_(location_ids))
        .group_by(FeatureOfInterest.location_id)
    ):
        if location_id is not None:
            found[location_id] = feature_id
    missing = location_ids - found.keys()
    for location in session.scalars(select(Location).where(Location.id.in_(missing))):
        feature = FeatureOfInterest(
            name=location.name,
            description=location.description,
            encoding_type=location.encoding_type,
            feature=location.location,
            properties=None,
            x=location.x,
            y=location.y,
            location_id=location.id,
        )
        session.add(feature)
        session.flush()
        found[location.id] = feature.id
    return found


def _update_latest(session: Session, stored: list[StoredObservation]) -> None:
    """Upsert the newest Observation of each Datastream, only over an older one."""
    newest: dict[int, StoredObservation] = {}
    for item in stored:
        current = newest.get(item.datastream_id)
        if current is None or item.phenomenon_time >= current.phenomenon_time:
            newest[item.datastream_id] = item
    store_rows.upsert_latest(
        session.connection(),
        [
            (i.datastream_id, i.id, i.phenomenon_time, i.result_number, i.result)
            for i in newest.values()
        ],
        utcnow(),
    )


def _widen_ranges(session: Session, rows: Sequence[NewObservation]) -> None:
    """Stretch each Datastream's phenomenonTime and resultTime to cover the new rows."""
    phenomenon: dict[int, tuple[datetime, datetime]] = {}
    result: dict[int, tuple[datetime, datetime]] = {}
    for row in rows:
        low = row.phenomenon_time_start
        high = row.phenomenon_time_end or low
        _stretch(phenomenon, row.datastream_id, low, high)
        if row.result_time is not None:
            _stretch(result, row.datastream_id, row.result_time, row.result_time)
    store_rows.widen(session.connection(), phenomenon, result)


def _stretch(
    ranges: dict[int, tuple[datetime, datetime]], key: int, low: datetime, high: datetime
) -> None:
    current = ranges.get(key)
    if current is None:
        ranges[key] = (low, high)
    else:
        ranges[key] = (min(current[0], low), max(current[1], high))
