"""The ingest fast path: bulk insert, typed results, FeatureOfInterest reuse, last values,
Datastream time ranges — with a handful of statements whatever the batch size."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import InvalidInput
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    Latest,
    Observation,
    ResultType,
)
from cityhub.sensing.observations import (
    NewObservation,
    insert_observations,
    result_columns,
    result_from_columns,
)
from cityhub.sensing.sta import values, write

T0 = datetime(2024, 6, 1, 8, tzinfo=UTC)
OM = "http://www.opengis.net/def/observationType/OGC-OM/2.0/"


def _stream(db: Database, observation_type: str = "OM_Measurement", located: bool = True) -> int:
    body: dict[str, Any] = {
        "name": "station",
        "description": "d",
        "Datastreams": [
            {
                "name": "level",
                "description": "d",
                "unitOfMeasurement": {},
                "observationType": OM + observation_type,
                "Sensor": {
                    "name": "s",
                    "description": "d",
                    "encodingType": "text/html",
                    "metadata": "m",
                },
                "ObservedProperty": {"name": "p", "definition": "urn:p", "description": "d"},
            }
        ],
    }
    if located:
        body["Locations"] = [
            {
                "name": "l",
                "description": "d",
                "encodingType": "application/geo+json",
                "location": {"type": "Point", "coordinates": [116, 36]},
            }
        ]
    thing_id = write.create(db, Actor.system(), "Things", body)
    with db.reading() as session:
        return session.scalars(select(Datastream.id).where(Datastream.thing_id == thing_id)).one()


def _insert(db: Database, rows: list[NewObservation]) -> list[Any]:
    with db.transaction() as session:
        return insert_observations(session, rows)


def test_ids_come_back_in_order_with_their_rows(db: Database) -> None:
    first, second = _stream(db), _stream(db)
    rows = [
        NewObservation(first if i % 2 else second, T0 + timedelta(minutes=i), float(i))
        for i in range(50)
    ]
    stored = _insert(db, rows)
    assert len({s.id for s in stored}) == 50
    with db.reading() as session:
        for item, row in zip(stored, rows, strict=True):
            observation = session.get(Observation, item.id)
            assert observation is not None
            assert (observation.datastream_id, observation.result_number) == (
                row.datastream_id,
                row.result,
            )
            assert item.thing_id == session.get(Datastream, row.datastream_id).thing_id  # type: ignore[union-attr]


def test_feature_of_interest_is_made_once_per_location(db: Database) -> None:
    stream = _stream(db)
    _insert(db, [NewObservation(stream, T0, 1.0), NewObservation(stream, T0, 2.0)])
    _insert(db, [NewObservation(stream, T0, 3.0)])
    with db.reading() as session:
        features = session.scalars(select(FeatureOfInterest)).all()
        assert len(features) == 1 and features[0].location_id is not None
        assert set(session.scalars(select(Observation.feature_id))) == {features[0].id}


def test_latest_moves_only_forward(db: Database) -> None:
    stream = _stream(db)
    _insert(
        db, [NewObservation(stream, T0 + timedelta(hours=1), 5.0), NewObservation(stream, T0, 4.0)]
    )
    _insert(db, [NewObservation(stream, T0 - timedelta(days=1), 1.0)])  # late arrival
    with db.reading() as session:
        latest = session.get(Latest, stream)
        assert latest is not None
        assert (latest.phenomenon_time, latest.result_number) == (T0 + timedelta(hours=1), 5.0)
    stored = _insert(db, [NewObservation(stream, T0 + timedelta(hours=1), 6.0)])  # correction
    with db.reading() as session:
        latest = session.get(Latest, stream)
        assert latest is not None and latest.observation_id == stored[0].id


def test_datastream_ranges_widen(db: Database) -> None:
    stream = _stream(db)
    _insert(db, [NewObservation(stream, T0, 1.0, result_time=T0 + timedelta(minutes=1))])
    _insert(
        db,
        [
            NewObservation(stream, T0 - timedelta(hours=2), 1.0, phenomenon_time_end=T0),
            NewObservation(
                stream, T0 + timedelta(hours=1), 1.0, phenomenon_time_end=T0 + timedelta(hours=2)
            ),
        ],
    )
    with db.reading() as session:
        found = session.get(Datastream, stream)
        assert found is not None
        assert (found.phenomenon_time_start, found.phenomenon_time_end) == (
            T0 - timedelta(hours=2),
            T0 + timedelta(hours=2),
        )
        assert found.result_time_start == found.result_time_end == T0 + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("observation_type", "result", "kind", "column", "stored"),
    [
        ("OM_Measurement", 2.5, ResultType.NUMBER, "result_number", 2.5),
        ("OM_CountObservation", 7, ResultType.NUMBER, "result_number", 7.0),
        ("OM_TruthObservation", True, ResultType.BOOLEAN, "result_boolean", True),
        ("OM_CategoryObservation", "urn:dry", ResultType.STRING, "result_string", "urn:dry"),
        ("OM_Observation", {"a": [1, None]}, ResultType.JSON, "result_json", {"a": [1, None]}),
        ("OM_Observation", [1, 2], ResultType.JSON, "result_json", [1, 2]),
        ("OM_Observation", 2**60, ResultType.JSON, "result_json", 2**60),
    ],
)
def test_results_are_stored_by_type(
    db: Database, observation_type: str, result: Any, kind: int, column: str, stored: Any
) -> None:
    stream = _stream(db, observation_type)
    (item,) = _insert(db, [NewObservation(stream, T0, result, parameters={"serial": 3})])
    with db.reading() as session:
        observation = session.get(Observation, item.id)
        assert observation is not None
        assert observation.result_type == kind
        assert getattr(observation, column) == stored
        assert observation.parameters == {"serial": 3}
        assert result_from_columns(*result_columns(result)) == result


@pytest.mark.parametrize(
    ("row", "path"),
    [
        (NewObservation(999, T0, 1.0), "Datastream"),
        (NewObservation(1, T0, "high"), "result"),
        (NewObservation(1, T0, 1.0, feature_id=999), "FeatureOfInterest"),
        (NewObservation(1, datetime(2024, 6, 1), 1.0), "phenomenonTime"),
        (NewObservation(1, T0, 1.0, phenomenon_time_end=T0 - timedelta(1)), "phenomenonTime"),
    ],
)
def test_bad_rows_refuse_the_batch(db: Database, row: NewObservation, path: str) -> None:
    _stream(db)
    with pytest.raises(InvalidInput) as raised:
        _insert(db, [NewObservation(1, T0, 1.0), row])
    assert raised.value.details == {**raised.value.details, "row": 1, "path": path}
    with db.reading() as session:
        assert session.scalars(select(Observation.id)).all() == []


def test_a_thing_without_location_needs_a_feature(db: Database) -> None:
    stream = _stream(db, located=False)
    with pytest.raises(InvalidInput) as raised:
        _insert(db, [NewObservation(stream, T0, 1.0)])
    assert raised.value.details["path"] == "FeatureOfInterest"


def test_statements_do_not_grow_with_the_batch(db: Database) -> None:
    streams = [_stream(db) for _ in range(3)]
    _insert(db, [NewObservation(s, T0, 0.0) for s in streams])  # FeaturesOfInterest made
    executed: dict[int, int] = {}

    def count(*_: Any) -> None:
        executed[size] += 1

    for size in (10, 1000):
        rows = [
            NewObservation(streams[i % 3], T0 + timedelta(seconds=i), float(i), result_time=T0)
            for i in range(size)
        ]
        executed[size] = 0
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            _insert(db, rows)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert executed[1000] == executed[10] <= 9


def test_empty_batches_do_nothing(db: Database) -> None:
    assert _insert(db, []) == []


def test_result_fits_matches_the_storage() -> None:
    assert values.result_fits(values.OM_COUNT, 3.0)
    assert not values.result_fits(values.OM_MEASUREMENT, float("nan"))
    assert not values.result_fits(values.OM_OBSERVATION, "nul\x00")


def test_concurrent_batches_get_the_right_ids(db: Database) -> None:
    streams = [_stream(db) for _ in range(3)]
    _insert(db, [NewObservation(s, T0, 0.0) for s in streams])
    results: dict[int, list[Any]] = {}
    failures: list[BaseException] = []

    def work(stream: int) -> None:
        try:
            for batch in range(10):
                rows = [
                    NewObservation(
                        stream,
                        T0 + timedelta(seconds=batch * 100 + i),
                        float(stream * 10_000 + batch * 100 + i),
                    )
                    for i in range(100)
                ]
                results.setdefault(stream, []).extend(_insert(db, rows))
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)

    threads = [threading.Thread(target=work, args=(s,)) for s in streams]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with db.reading() as session:
        stored = dict(session.execute(select(Observation.id, Observation.result_number)).all())
    for items in results.values():
        assert len(items) == 1000
        for item in items:
            assert stored[item.id] == item.result


def test_each_thing_gets_the_feature_of_its_own_current_location(db: Database) -> None:
    first, second = _stream(db), _stream(db)
    _insert(db, [NewObservation(first, T0, 1.0), NewObservation(second, T0, 2.0)])
    with db.reading() as session:
        thing = session.scalars(select(Datastream.thing_id).where(Datastream.id == second)).one()
    moved = write.create(
        db, Actor.system(), "Locations",
        {"name": "new", "description": "d", "encodingType": "application/geo+json",
         "location": {"type": "Point", "coordinates": [118, 37]}},
        parent=("Things", thing, "Locations"),
    )  # fmt: skip
    stored = _insert(db, [NewObservation(first, T0, 3.0), NewObservation(second, T0, 4.0)])
    with db.reading() as session:
        locations = {
            item.datastream_id: session.scalars(
                select(FeatureOfInterest.location_id)
                .join(Observation, Observation.feature_id == FeatureOfInterest.id)
                .where(Observation.id == item.id)
            ).one()
            for item in stored
        }
    assert locations[second] == moved
    assert locations[first] not in (None, moved)
