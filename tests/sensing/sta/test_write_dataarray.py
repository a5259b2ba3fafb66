"""CreateObservations (DataArray extension): good rows stored, bad rows None, bad headers
refused whole."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from cityhub.db import Database
from cityhub.errors import InvalidInput, PermissionDenied
from cityhub.sensing.bus import Bus
from cityhub.sensing.models import Observation
from cityhub.sensing.observations import StoredObservation
from cityhub.sensing.sta import write
from tests.sensing.sta.test_write_support import Actors, actors, counts, new_station

__all__ = ["actors"]


def _group(stream_id: int, rows: list[Any], components: list[str] | None = None) -> dict[str, Any]:
    return {
        "Datastream": {"@iot.id": stream_id},
        "components": components or ["phenomenonTime", "result", "FeatureOfInterest/id"],
        "dataArray": rows,
    }


def test_good_rows_are_stored_and_bad_rows_are_none(db: Database, actors: Actors) -> None:
    _, stream_id = new_station(db, actors.steward, observations=1)  # makes FeatureOfInterest 1
    rows = [
        ["2010-12-23T10:20:00-0700", 20, 1],
        ["2010-12-23T10:21:00-0700", "high", 1],  # not a number
        ["2010-12-23T10:22:00-0700", 21.5, None],  # FoI from the Thing's Location
        ["yesterday", 22, 1],  # bad time
        ["2010-12-23T10:23:00-0700", 23],  # short row
        ["2010-12-23T10:24:00-0700", 24, 999],  # no such FoI
        ["2010-12-23T10:25:00-0700", 25, [1]],  # an id that is no id
        "not a row",
        ["2010-12-23T10:26:00Z/2010-12-23T10:31:00Z", 26, 1],
    ]
    before = counts(db)["Observations"]
    ids = write.create_observations(db, actors.station, [_group(stream_id, rows)])
    assert [i is None for i in ids] == [False, True, False, True, True, True, True, True, False]
    assert counts(db)["Observations"] == before + 3
    with db.reading() as session:
        first = session.get(Observation, ids[0])
        assert first is not None
        assert first.phenomenon_time_start == datetime(2010, 12, 23, 17, 20, tzinfo=UTC)
        last = session.get(Observation, ids[-1])
        assert last is not None and last.phenomenon_time_end is not None


def test_optional_components(db: Database, actors: Actors) -> None:
    _, stream_id = new_station(db, actors.steward)
    components = [
        "result",
        "phenomenonTime",
        "resultTime",
        "validTime",
        "parameters",
        "resultQuality",
    ]
    rows = [
        [
            1.5,
            "2024-06-01T08:00:00Z",
            "2024-06-01T08:01:00Z",
            "2024-06-01T08:00:00Z/2024-06-01T09:00:00Z",
            {"serial": 1},
            {"flag": "ok"},
        ],
        [1.6, "2024-06-01T08:05:00Z", None, None, None, None],
        [1.7, "2024-06-01T08:10:00Z", "bad", None, None, None],
        [1.8, "2024-06-01T08:15:00Z", None, None, "serial=1", None],
    ]
    ids = write.create_observations(db, actors.steward, [_group(stream_id, rows, components)])
    assert [i is not None for i in ids] == [True, True, False, False]
    with db.reading() as session:
        stored = session.get(Observation, ids[0])
        assert stored is not None
        assert stored.parameters == {"serial": 1}
        assert stored.result_quality == {"flag": "ok"}
        assert stored.result_time == datetime(2024, 6, 1, 8, 1, tzinfo=UTC)
        assert stored.valid_time_end == datetime(2024, 6, 1, 9, tzinfo=UTC)


def test_several_groups_keep_request_order(db: Database, actors: Actors) -> None:
    _, first = new_station(db, actors.steward)
    _, second = new_station(db, actors.steward)
    ids = write.create_observations(
        db,
        actors.steward,
        [
            _group(first, [["2024-06-01T08:00:00Z", 1, None], ["2024-06-01T08:05:00Z", 2, None]]),
            _group(second, [["2024-06-01T08:00:00Z", 3, None]]),
        ],
    )
    with db.reading() as session:
        streams = [
            session.scalar(select(Observation.datastream_id).where(Observation.id == i))
            for i in ids
        ]
    assert streams == [first, first, second]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"Datastream": {"@iot.id": 1}}, ""),
        (["group"], "[0]"),
        ([{"components": ["phenomenonTime", "result"], "dataArray": []}], "[0].Datastream"),
        ([_group(999, [])], "[0].Datastream"),
        (
            [
                {
                    "Datastream": {"name": "x"},
                    "components": ["phenomenonTime", "result"],
                    "dataArray": [],
                }
            ],
            "[0].Datastream",
        ),
        ([_group(1, [], ["phenomenonTime"])], "[0].components"),
        ([_group(1, [], ["phenomenonTime", "result", "colour"])], "[0].components"),
        ([_group(1, [], ["phenomenonTime", "result", "result"])], "[0].components"),
        ([_group(1, [], "phenomenonTime,result")], "[0].components"),  # type: ignore[arg-type]
        ([{**_group(1, []), "dataArray": {"rows": []}}], "[0].dataArray"),
        ([{**_group(1, []), "MultiDatastream": {"@iot.id": 1}}], "[0].MultiDatastream"),
    ],
)
def test_bad_headers_refuse_the_request(db: Database, actors: Actors, body: Any, path: str) -> None:
    new_station(db, actors.steward)
    before = counts(db)
    with pytest.raises(InvalidInput) as raised:
        write.create_observations(db, actors.steward, body)
    assert raised.value.details["path"] == path
    assert counts(db) == before


def test_a_bad_header_after_a_good_group_stores_nothing(db: Database, actors: Actors) -> None:
    new_station(db, actors.steward)
    body = [_group(1, [["2024-06-01T08:00:00Z", 1, None]]), _group(2, [])]
    with pytest.raises(InvalidInput) as raised:
        write.create_observations(db, actors.steward, body)
    assert raised.value.details["path"] == "[1].Datastream"
    assert counts(db)["Observations"] == 0


def test_a_thing_without_location_needs_feature_ids(db: Database, actors: Actors) -> None:
    thing = write.create(
        db,
        actors.steward,
        "Things",
        {
            "name": "t",
            "description": "d",
            "Datastreams": [
                {
                    "name": "d",
                    "description": "d",
                    "unitOfMeasurement": {},
                    "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/"
                    "OM_Measurement",
                    "Sensor": {
                        "name": "s",
                        "description": "d",
                        "encodingType": "text/html",
                        "metadata": "m",
                    },
                    "ObservedProperty": {"name": "p", "definition": "d", "description": "d"},
                }
            ],
        },
    )
    assert thing > 0
    ids = write.create_observations(
        db, actors.steward, [_group(1, [["2024-06-01T08:00:00Z", 1, None]])]
    )
    assert ids == [None]


def test_refused_without_write_access(db: Database, actors: Actors) -> None:
    new_station(db, actors.steward)
    body = [_group(1, [["2024-06-01T08:00:00Z", 1, None]])]
    for actor in (actors.analyst, actors.other):
        with pytest.raises(PermissionDenied):
            write.create_observations(db, actor, body)
    assert counts(db)["Observations"] == 0


def test_stored_observations_reach_the_bus(db: Database, actors: Actors) -> None:
    new_station(db, actors.steward)
    heard: list[StoredObservation] = []
    bus = Bus()
    bus.subscribe(heard.extend)
    ids = write.create_observations(
        db, actors.steward, [_group(1, [["2024-06-01T08:00:00Z", 4.5, None]])], bus=bus
    )
    assert [(s.id, s.result, s.thing_id) for s in heard] == [(ids[0], 4.5, 1)]
    single = write.create(
        db,
        actors.steward,
        "Observations",
        {"result": 5.5},
        parent=("Datastreams", 1, "Observations"),
        bus=bus,
    )
    assert heard[-1].id == single
