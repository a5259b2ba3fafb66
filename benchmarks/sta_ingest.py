"""Micro benchmark of the observation store: ``insert_observations`` against a raw bulk insert.

    python benchmarks/sta_ingest.py                    # SQLite in a temporary directory
    python benchmarks/sta_ingest.py --rows 1000000     # more rows
    python benchmarks/sta_ingest.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

One fresh database (on PostgreSQL a schema of its own, dropped afterwards) with 10 stations of
10 Datastreams each. In the same run, batch by batch in alternation so that both write into a
table of the same size:

- (a) ``insert_observations``: 1,000 rows a transaction, with everything it does — result
  typing, FeatureOfInterest from the Thing's Location, ``sta_latest``, time ranges;
- (b) baseline: the same rows as one SQLAlchemy Core ``executemany`` INSERT into
  ``sta_observations`` a transaction ("a raw bulk insert into the same database");
- (c) ``write.create_observations`` on DataArray bodies of 1,000 rows (ISO time strings):
  parsing and checking every row, access check, audit — CreateObservations without HTTP.

Prints rows/s of each and the ratios (a)/(b), (c)/(b). The issue's bar: 20,000 observations/s.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from cityhub.auth import Actor
from cityhub.db import Database, upgrade
from cityhub.sensing.models import Datastream, FeatureOfInterest, Observation, ResultType
from cityhub.sensing.observations import NewObservation, insert_observations
from cityhub.sensing.sta import values, write

START = datetime(2024, 1, 1, tzinfo=UTC)


@contextmanager
def database(url: str | None) -> Iterator[Database]:
    """A migrated, empty database: SQLite in a temporary directory, or a fresh PostgreSQL
    schema of ``url``."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
            upgrade(db)
            yield db
            db.engine.dispose()
        return
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        db = Database(scoped.render_as_string(hide_password=False))
        upgrade(db)
        yield db
        db.engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def stations(db: Database, count: int = 10, streams_each: int = 10) -> list[int]:
    """Create ``count`` stations; the ids of their Datastreams."""
    system = Actor.system()
    for number in range(count):
        write.create(
            db,
            system,
            "Things",
            {
                "name": f"station {number}",
                "description": "benchmark station",
                "Locations": [
                    {
                        "name": f"site {number}",
                        "description": "bank",
                        "encodingType": "application/geo+json",
                        "location": {"type": "Point", "coordinates": [116 + number / 10, 36.4]},
                    }
                ],
                "Datastreams": [
                    {
                        "name": f"element {element}",
                        "description": "water level",
                        "unitOfMeasurement": {"name": "metre", "symbol": "m"},
                        "observationType": values.OM_MEASUREMENT,
                        "Sensor": {"@iot.id": 1} if number or element else _sensor(),
                        "ObservedProperty": {"@iot.id": 1} if number or element else _property(),
                    }
                    for element in range(streams_each)
                ],
            },
        )
    with db.reading() as session:
        return list(session.scalars(select(Datastream.id).order_by(Datastream.id)))


def _sensor() -> dict[str, Any]:
    return {"name": "gauge", "description": "d", "encodingType": "text/html", "metadata": "m"}


def _property() -> dict[str, Any]:
    return {"name": "water level", "definition": "urn:level", "description": "d"}


def batches(streams: list[int], rows: int, size: int, offset: int) -> list[list[NewObservation]]:
    """``rows`` observations in batches of ``size``, spread over ``streams``; times start
    ``offset`` seconds after START so that runs do not overlap."""
    made = []
    for first in range(0, rows, size):
        made.append(
            [
                NewObservation(
                    datastream_id=streams[i % len(streams)],
                    phenomenon_time_start=START + timedelta(seconds=offset + i),
                    result=round(20 + (i % 500) / 100, 2),
                    parameters={"serial": i % 65536},
                )
                for i in range(first, min(first + size, rows))
            ]
        )
    return made


def raw_params(batch: list[NewObservation], feature_of: dict[int, int]) -> list[dict[str, Any]]:
    """The baseline's rows: the same values, already typed, with their FeatureOfInterest."""
    return [
        {
            "datastream_id": row.datastream_id,
            "feature_id": feature_of[row.datastream_id],
            "phenomenon_time_start": row.phenomenon_time_start,
            "result_type": ResultType.NUMBER,
            "result_number": row.result,
            "parameters": row.parameters,
        }
        for row in batch
    ]


def data_array(batch: list[NewObservation]) -> list[dict[str, Any]]:
    """A CreateObservations body holding ``batch``."""
    groups: dict[int, list[list[Any]]] = {}
    for row in batch:
        groups.setdefault(row.datastream_id, []).append(
            [values.format_instant(row.phenomenon_time_start), row.result]
        )
    return [
        {
            "Datastream": {"@iot.id": stream},
            "components": ["phenomenonTime", "result"],
            "dataArray": rows,
        }
        for stream, rows in groups.items()
    ]


def timed(work: Callable[[], object]) -> float:
    """Seconds ``work`` took."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--database-url", default=None)
    options = parser.parse_args()
    with database(options.database_url) as db:
        streams = stations(db)
        with db.transaction() as session:  # FeaturesOfInterest exist before timing starts
            insert_observations(session, [NewObservation(s, START, 0.0) for s in streams])
        with db.reading() as session:
            feature_of = dict(
                session.execute(
                    select(Observation.datastream_id, FeatureOfInterest.id).join(
                        FeatureOfInterest, FeatureOfInterest.id == Observation.feature_id
                    )
                ).all()
            )
        ours = batches(streams, options.rows, options.batch, offset=1)
        baseline = [
            raw_params(b, feature_of)
            for b in batches(streams, options.rows, options.batch, offset=1)
        ]
        bodies = [
            data_array(b)
            for b in batches(streams, options.rows, options.batch, offset=options.rows + 1)
        ]
        statement = insert(Observation)
        spent = {"insert_observations": 0.0, "raw executemany": 0.0, "CreateObservations": 0.0}
        system = Actor.system()
        for our_batch, raw_batch, body in zip(ours, baseline, bodies, strict=True):

            def store(batch: list[NewObservation] = our_batch) -> None:
                with db.transaction() as session:
                    insert_observations(session, batch)

            def raw(params: list[dict[str, Any]] = raw_batch) -> None:
                with db.transaction() as session:
                    session.connection().execute(statement, params)

            spent["raw executemany"] += timed(raw)
            spent["insert_observations"] += timed(store)
            spent["CreateObservations"] += timed(
                lambda b=body: write.create_observations(db, system, b)  # type: ignore[misc]
            )
    rates = {name: options.rows / seconds for name, seconds in spent.items()}
    backend = "PostgreSQL" if options.database_url else "SQLite"
    print(f"{options.rows:,} observations in batches of {options.batch:,} on {backend}")
    for name, rate in rates.items():
        print(f"  {name:<22} {rate:>10,.0f} rows/s")
    base = rates["raw executemany"]
    print(f"  ratio insert_observations / raw: {rates['insert_observations'] / base:.2f}")
    print(f"  ratio CreateObservations / raw:  {rates['CreateObservations'] / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
