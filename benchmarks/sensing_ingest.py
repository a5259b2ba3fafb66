"""Sensing at load: CreateObservations over HTTP with alarm rules active, against a raw insert.

    python benchmarks/sensing_ingest.py                          # SQLite, 200,000 observations
    python benchmarks/sensing_ingest.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

One run, one fresh database: 1,000 Datastreams (10 stations × 100), each with a water-level
alarm rule (four tiers). Then, in the same run:

- (b) baseline: the same number of rows inserted with one SQLAlchemy Core ``executemany`` per
  1,000 rows straight into ``sta_observations`` (what "a raw bulk insert" costs here);
- (a) ``POST /sta/v1.1/CreateObservations`` to a real ``cityhub serve`` process (uvicorn, its
  own process, the SL 651 gateway off), 1,000 observations a request, ``--clients`` keep-alive
  connections, as a station account with HTTP Basic — every observation is validated, stored,
  evaluated by the alarm engine; about 1 % of them cross a threshold;
- alarm latency: for every alarm raised, from the moment the last request carrying a crossing
  value of that Datastream was sent before it to the alarm's ``raised`` event as stored (same
  machine clock);
- "latest observation of each of 1,000 Datastreams": ``GET /api/sensing/latest`` is not what a
  dashboard needs to be timed on, so the domain query behind the map is timed directly.

Prints rates, the ratio (a)/(b) and the latency percentiles. Targets (issue 5): (a) ≥ 20,000
observations/s; p99 latency < 500 ms; latest-of-1,000 < 50 ms.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, insert, select, text
from sta_ingest import database  # the observation store's benchmark, beside this script

from cityhub import auth
from cityhub.auth import Actor, Role
from cityhub.db import Database
from cityhub.sensing import alarms
from cityhub.sensing.alarms.models import Alarm, AlarmEvent
from cityhub.sensing.models import Datastream, Latest, Observation
from cityhub.sensing.sta import write

STATIONS, STREAMS = 10, 100
BATCH = 1_000  # observations a request
PER_REQUEST = 10  # Datastreams a request
MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
PASSWORD = "benchmark-password-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def setup(db: Database) -> tuple[list[int], str, int]:
    """Stations, Datastreams with rules, a station account's token and a FeatureOfInterest for
    the baseline's rows; returns (Datastream ids, token, feature id)."""
    system = Actor.system()
    auth.bootstrap(db, admin_password="benchmark-admin-1")
    auth.create_user(
        db,
        system,
        username="bench.station",
        password=PASSWORD,
        department_code="SLJ",
        role=Role.STATION,
    )
    steward = Actor(None, "bench.steward", Role.STEWARD, "SLJ", "bench")
    for s in range(STATIONS):
        write.create(
            db,
            steward,
            "Things",
            {
                "name": f"station {s}",
                "description": "benchmark",
                "Locations": [
                    {
                        "name": f"station {s}",
                        "description": "benchmark",
                        "encodingType": "application/geo+json",
                        "location": {"type": "Point", "coordinates": [116 + s / 100, 36.4]},
                    }
                ],
                "Datastreams": [
                    {
                        "name": f"level {s}.{k}",
                        "description": "water level",
                        "observationType": MEASUREMENT,
                        "unitOfMeasurement": {"name": "metre", "symbol": "m", "definition": "m"},
                        "Sensor": {
                            "name": "gauge",
                            "description": "g",
                            "encodingType": "text/html",
                            "metadata": "none",
                        },
                        "ObservedProperty": {
                            "name": "water level",
                            "definition": "urn:z",
                            "description": "z",
                        },
                    }
                    for k in range(STREAMS)
                ],
            },
        )
    with db.reading() as session:
        ids = list(session.scalars(select(Datastream.id).order_by(Datastream.id)))
    for stream_id in ids:
        alarms.create_rule(db, steward, alarms.water_level_rule(stream_id, 31.5, 32.8, 33.2))
    token = auth.tokens.create_token(
        db, system, name="bench", lifetime=timedelta(days=1), username="bench.station"
    )
    feature = write.create(
        db,
        steward,
        "FeaturesOfInterest",
        {
            "name": "baseline",
            "description": "rows of the raw insert",
            "encodingType": "application/geo+json",
            "feature": {"type": "Point", "coordinates": [116.0, 36.4]},
        },
    )
    return ids, token.secret, feature


def bodies(ids: list[int], total: int, start: datetime) -> list[tuple[bytes, set[int]]]:
    """Request bodies of BATCH observations — PER_REQUEST Datastreams with a run of values
    each, as a gateway posts them — and the Datastreams whose values cross 31.5 in each."""
    per_stream = BATCH // PER_REQUEST
    made = []
    for b in range(total // BATCH):
        body = []
        crossing: set[int] = set()
        for j in range(PER_REQUEST):
            slot = b * PER_REQUEST + j
            stream = ids[slot % len(ids)]
            first = slot // len(ids) * per_stream
            rows: list[list[object]] = []
            for i in range(per_stream):
                n = first + i
                value = 30.0 + (n % 7) / 10
                if (slot * per_stream + i) % 100 == 0:  # ~1 %: above the yellow level
                    value = 31.6 + (n % 3) / 10
                    crossing.add(stream)
                rows.append([(start + timedelta(seconds=n)).isoformat(), value])
            body.append(
                {
                    "Datastream": {"@iot.id": stream},
                    "components": ["phenomenonTime", "result"],
                    "dataArray": rows,
                }
            )
        made.append((json.dumps(body).encode(), crossing))
    return made


def baseline(url: str, ids: list[int], feature: int, total: int, start: datetime) -> float:
    engine = create_engine(url)
    table = Observation.__table__
    rows = [
        {
            "datastream_id": ids[n % len(ids)],
            "feature_id": feature,
            "phenomenon_time_start": start + timedelta(days=30, seconds=n // len(ids)),
            "result_type": 0,
            "result_number": 30.0,
        }
        for n in range(total)
    ]
    began = time.perf_counter()
    with engine.begin() as connection:
        for k in range(0, total, BATCH):
            connection.execute(insert(table), rows[k : k + BATCH])
    elapsed = time.perf_counter() - began
    with engine.begin() as connection:  # leave the table as the HTTP run will find it
        connection.execute(
            text(
                "DELETE FROM sta_observations WHERE result_type = 0 AND phenomenon_time_start >= :t"
            ),
            {"t": start + timedelta(days=29)},
        )
    engine.dispose()
    return total / elapsed


def post_all(
    port: int, token: str, work: list[tuple[bytes, set[int]]], clients: int
) -> tuple[float, dict[int, list[float]], int]:
    """Send every body; returns (seconds, send times of the requests carrying a crossing value,
    per Datastream, errors)."""
    credentials = base64.b64encode(f"bench.station:{token}".encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": f"Basic {credentials}"}
    sent: dict[int, list[float]] = {}
    errors = [0]
    lock = threading.Lock()

    def client(part: list[tuple[bytes, set[int]]]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for body, crossing in part:
            at = time.time()
            with lock:
                for stream in crossing:
                    sent.setdefault(stream, []).append(at)
            connection.request("POST", "/sta/v1.1/CreateObservations", body, headers)
            response = connection.getresponse()
            answer = response.read()
            if response.status != 201 or b'"error"' in answer:
                with lock:
                    errors[0] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(work[c::clients],)) for c in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, sent, errors[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="cityhub-sensing-") as tmp,
        database(args.database_url) as db,  # on PostgreSQL a schema of its own, dropped after
    ):
        url = db.url.render_as_string(hide_password=False)
        ids, token, feature = setup(db)
        start = datetime.now(UTC) - timedelta(days=1)
        work = bodies(ids, args.observations, start)
        raw = baseline(url, ids, feature, args.observations, start)
        port = free_port()
        env = {
            **os.environ,
            "CITYHUB_DATA_DIR": tmp,
            "CITYHUB_DATABASE_URL": url,
            "CITYHUB_PORT": str(port),
            "CITYHUB_SL651_PORT": "0",
            "CITYHUB_ADMIN_PASSWORD": "benchmark-admin-1",
            "CITYHUB_LOG_LEVEL": "warning",
        }
        server = subprocess.Popen([sys.executable, "-m", "cityhub", "serve"], env=env)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            seconds, sent, errors = post_all(port, token, work, args.clients)
        finally:
            server.terminate()
            server.wait(timeout=30)
        with db.reading() as session:
            stored = session.scalar(select(Observation.id).order_by(Observation.id.desc()))
            raised = session.execute(
                select(AlarmEvent.at, AlarmEvent.alarm_id).where(AlarmEvent.kind == "raised")
            ).all()
            streams = dict(session.execute(select(Alarm.id, Alarm.datastream_id)).all())
            latest_ids = ids[:1000]
            timings = []
            for _ in range(20):
                began = time.perf_counter()
                session.execute(select(Latest).where(Latest.datastream_id.in_(latest_ids))).all()
                timings.append(time.perf_counter() - began)
        db.dispose()
    rate = args.observations / seconds
    latencies = sorted(
        (at.timestamp() - max(t for t in sent[streams[alarm_id]] if t <= at.timestamp())) * 1000
        for at, alarm_id in raised
        if any(t <= at.timestamp() for t in sent.get(streams.get(alarm_id, -1), []))
    )
    print(
        f"{args.observations:,} observations, {len(ids):,} Datastreams with rules, "
        f"{args.clients} clients, {url.split(':')[0]}; errors {errors}, last id {stored}"
    )
    print(f"(b) raw bulk insert:       {raw:>10,.0f} observations/s")
    print(f"(a) CreateObservations:    {rate:>10,.0f} observations/s  (ratio a/b {rate / raw:.2f})")
    if latencies:
        q = statistics.quantiles(latencies, n=100)
        print(
            f"alarm latency over {len(latencies)} alarms: p50 {q[49]:.0f} ms, "
            f"p95 {q[94]:.0f} ms, p99 {q[98]:.0f} ms, max {latencies[-1]:.0f} ms"
        )
    print(
        f"latest observation of 1,000 Datastreams: best {min(timings) * 1000:.1f} ms, "
        f"median {statistics.median(timings) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
