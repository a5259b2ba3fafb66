"""Sustained ingest of Observations over MQTT against a raw bulk insert into the same database.

    python benchmarks/mqtt_ingest.py                          # both brokers, 20,000 Observations
    python benchmarks/mqtt_ingest.py --broker external        # through Mosquitto (127.0.0.1:1883)
    python benchmarks/mqtt_ingest.py --per-message 1 --no-updates --broker external
    python benchmarks/mqtt_ingest.py --count 100000 --publishers 4 --database-url postgresql://…

Every Datastream has a four-tier water-level alarm rule and the alarm engine listens, as in
``sensing_ingest.py``; about 1 % of the values cross the yellow level. Publishers run as
separate processes (paho, QoS 1), spread over ``--streams`` Datastreams of
one station, with one Observation per message (the SensorThings MQTT extension) or arrays of
``--per-message`` (cityhub's extension). The MQTT rate is measured from the first publish to
the moment the last row is stored; the baseline inserts the same number of rows into
``sta_observations`` with one Core executemany, in the same database and the same run. Both
rates and their ratio are printed. "transport alone" is the ceiling of the transport on this
machine: the same publishers through the external broker to a paho subscriber that only counts.
"""

from __future__ import annotations

import argparse
import itertools
import json
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions
from sqlalchemy import delete, func, insert, select

from cityhub import auth
from cityhub.db import Database, upgrade
from cityhub.sensing import alarms
from cityhub.sensing.alarms.models import AlarmEvent
from cityhub.sensing.bus import Bus
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    Latest,
    Location,
    Observation,
    ObservedProperty,
    ResultType,
    Sensor,
    Thing,
    ThingLocation,
)
from cityhub.sensing.mqtt import BrokerBridge, EmbeddedBroker, ObservationIngester
from cityhub.sensing.mqtt.bridge import broker_address
from cityhub.sensing.sta.values import OM_MEASUREMENT

_RUNS = itertools.count()
SERVICE_ROOT = "http://127.0.0.1:8000/sta/v1.1"
PUBLISHER = r"""
import json, sys, time
from datetime import UTC, datetime, timedelta
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
host, port, user, token, prefix, count, first, per_message = sys.argv[1:9]
streams = json.loads(sys.argv[9])
START = datetime(2024, 6, 1, tzinfo=UTC)
client = mqtt.Client(CallbackAPIVersion.VERSION2)
if user:
    client.username_pw_set(user, token)
client.max_inflight_messages_set(1000)
client.connect(host, int(port))
client.loop_start()


def observation(n):
    seconds = int(first) + n
    when = (START + timedelta(seconds=seconds)).isoformat()
    level = 31.6 if seconds % 101 == 0 else 30.0 + seconds % 7 / 10  # ~1 % above yellow
    return {"result": level, "phenomenonTime": when}


size = int(per_message)
payloads = []
for start in range(0, int(count), size):
    stream = streams[start // size % len(streams)]
    items = [observation(n) for n in range(start, min(start + size, int(count)))]
    body = items[0] if size == 1 else items
    payloads.append((f"{prefix}v1.1/Datastreams({stream})/Observations", json.dumps(body)))
print("ready", flush=True)
sys.stdin.readline()
infos = [client.publish(topic, body, qos=1) for topic, body in payloads]
for info in infos:
    info.wait_for_publish(120)
client.disconnect()
client.loop_stop()
"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(db: Database, streams: int) -> tuple[list[int], int, tuple[str, str]]:
    """A station with ``streams`` Datastreams, its FeatureOfInterest, and a station token."""
    auth.bootstrap(db, admin_password="benchmark-admin-password")
    system = auth.Actor.system()
    user = auth.create_user(
        db,
        system,
        username="bench.station",
        password="bench-station-password",
        department_code="SLJ",
        role=auth.Role.STEWARD,
    )
    token = auth.create_token(
        db, system, name="bench", lifetime=timedelta(days=1), username=user.username
    )
    with db.transaction() as session:
        department = auth.departments.department_by_code(session, "SLJ")
        thing = Thing(name="bench", description="bench", department_id=department.id)
        location = Location(
            name="bench",
            description="bench",
            encoding_type="application/geo+json",
            location={"type": "Point", "coordinates": [115.98, 36.45]},
            x=115.98,
            y=36.45,
        )
        sensor = Sensor(name="s", description="s", encoding_type="text/html", metadata_="x")
        observed = ObservedProperty(name="level", definition="urn:level", description="level")
        session.add_all([thing, location, sensor, observed])
        session.flush()
        session.add(ThingLocation(thing_id=thing.id, location_id=location.id))
        feature = FeatureOfInterest(
            name="bench",
            description="bench",
            encoding_type="application/geo+json",
            feature=location.location,
            location_id=location.id,
        )
        session.add(feature)
        made = [
            Datastream(
                name=f"stream {i}",
                description="bench",
                unit_of_measurement={"name": "metre", "symbol": "m", "definition": "urn:m"},
                observation_type=OM_MEASUREMENT,
                thing_id=thing.id,
                sensor_id=sensor.id,
                observed_property_id=observed.id,
            )
            for i in range(streams)
        ]
        session.add_all(made)
        session.flush()
        ids = [stream.id for stream in made]
    steward = auth.Actor(None, "bench.steward", auth.Role.STEWARD, "SLJ", "bench")
    for stream_id in ids:
        alarms.create_rule(db, steward, alarms.water_level_rule(stream_id, 31.5, 32.8, 33.2))
    return ids, feature.id, (user.username, token.secret)


def alarm_bus(db: Database) -> Bus:
    """A bus with the alarm engine listening, as ``cityhub serve`` wires it."""
    bus = Bus()
    bus.subscribe(alarms.AlarmEngine(db).listen)
    return bus


def clear(db: Database) -> None:
    """Remove every Observation (between runs)."""
    with db.transaction() as session:
        session.execute(delete(Latest))
        session.execute(delete(Observation))


def raised(db: Database) -> int:
    """Alarm raises stored so far (the rules were active)."""
    with db.reading() as session:
        query = select(func.count()).select_from(AlarmEvent).where(AlarmEvent.kind == "raised")
        return int(session.scalar(query) or 0)


def stored(db: Database) -> int:
    """Observations in the database."""
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Observation)) or 0)


def baseline(db: Database, count: int, streams: list[int], feature_id: int) -> float:
    """Rows per second of one Core executemany into sta_observations."""
    start = datetime(2024, 6, 1, tzinfo=UTC)
    rows: list[dict[str, Any]] = [
        {
            "datastream_id": streams[i % len(streams)],
            "feature_id": feature_id,
            "phenomenon_time_start": start + timedelta(seconds=i),
            "result_type": ResultType.NUMBER,
            "result_number": i / 100,
        }
        for i in range(count)
    ]
    began = time.perf_counter()
    with db.transaction() as session:
        session.execute(insert(Observation), rows)
    rate = count / (time.perf_counter() - began)
    clear(db)
    return rate


def publish_and_wait(
    progress: Callable[[], int],
    port: int,
    credentials: tuple[str, str],
    prefix: str,
    count: int,
    publishers: int,
    streams: list[int],
    per_message: int,
) -> float:
    """Observations per second from the first publish until ``progress`` (stored rows, or
    messages received) has grown by ``count``."""
    share = count // publishers
    offset = next(_RUNS) * count  # each run's readings are newer than the last run's
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                PUBLISHER,
                "127.0.0.1",
                str(port),
                credentials[0],
                credentials[1],
                prefix,
                str(share if n < publishers - 1 else count - share * (publishers - 1)),
                str(offset + n * share),
                str(per_message),
                json.dumps(streams),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(publishers)
    ]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    before = progress()
    began = time.perf_counter()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    deadline = began + max(120.0, count / 500)
    while progress() - before < count and time.perf_counter() < deadline:
        time.sleep(0.005)
    elapsed = time.perf_counter() - began
    for process in processes:
        process.wait(60)
    done = progress() - before
    if done < count:
        print(f"  only {done} of {count} arrived in time")
    return done / elapsed


def checked(db: Database, ingester: ObservationIngester, count: int, rate: float) -> float:
    """``rate``, after making sure the rows are in the database."""
    if stored(db) < count:
        print(f"  only {stored(db)} of {count} stored (refused: {ingester.stats.refused})")
    return rate


def run_embedded(db: Database, args: argparse.Namespace, setup: Any, per_message: int) -> float:
    """The rate through the embedded broker (amqtt), the station's token as credentials."""
    streams, _, credentials = setup
    broker = EmbeddedBroker(
        db, alarm_bus(db), port=free_port(), service_root=SERVICE_ROOT, max_delay=args.delay
    )
    broker.start()
    try:
        rate = publish_and_wait(
            lambda: broker.ingester.stats.stored,
            broker.port,
            credentials,
            "",
            args.count,
            args.publishers,
            streams,
            per_message,
        )
        return checked(db, broker.ingester, args.count, rate)
    finally:
        broker.stop()


def run_external(db: Database, args: argparse.Namespace, setup: Any, per_message: int) -> float:
    """The rate through an external broker and the bridge (topics under a random prefix)."""
    streams, _, _ = setup
    prefix = f"bench-{secrets.token_hex(4)}/"
    bridge = BrokerBridge(
        db,
        alarm_bus(db),
        url=args.url,
        service_root=SERVICE_ROOT,
        client_id=f"cityhub-bench-{secrets.token_hex(4)}",
        prefix=prefix,
        publish_updates=not args.no_updates,
        max_delay=args.delay,
    )
    bridge.start()
    try:
        rate = publish_and_wait(
            lambda: bridge.ingester.stats.stored,
            bridge.port,
            ("", ""),
            prefix,
            args.count,
            args.publishers,
            streams,
            per_message,
        )
        return checked(db, bridge.ingester, args.count, rate)
    finally:
        bridge.stop()


def run_transport(db: Database, args: argparse.Namespace, setup: Any, per_message: int) -> float:
    """The ceiling of the transport: the same publishers through the external broker to a
    paho subscriber (MQTT 5, QoS 1, as the bridge) that only counts what it receives."""
    streams = setup[0]
    host, port, _, _, _ = broker_address(args.url)
    prefix = f"bench-{secrets.token_hex(4)}/"
    received = [0]
    counter = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)

    def count(client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        received[0] += per_message

    counter.on_message = count
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.ReceiveMaximum = 65535
    counter.connect(host, port, properties=properties)
    counter.subscribe(prefix + "v1.1/+/Observations", options=SubscribeOptions(qos=1))
    counter.loop_start()
    time.sleep(0.5)
    try:
        return publish_and_wait(
            lambda: received[0],
            port,
            ("", ""),
            prefix,
            args.count,
            args.publishers,
            streams,
            per_message,
        )
    finally:
        counter.disconnect()
        counter.loop_stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--broker", choices=["embedded", "external", "both"], default="both")
    parser.add_argument("--url", default="mqtt://127.0.0.1:1883", help="external broker")
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--publishers", type=int, default=2)
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument(
        "--per-message",
        default="1,100",
        help="Observations per message, comma-separated runs (1: the standard; more: arrays)",
    )
    parser.add_argument("--delay", type=float, default=0.005, help="batching window, seconds")
    parser.add_argument("--no-updates", action="store_true", help="bridge: publish no updates")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        db = Database(url)
        upgrade(db)
        setup = prepare(db, args.streams)
        raw = baseline(db, args.count, setup[0], setup[1])
        print(f"{db.dialect}: raw executemany {raw:,.0f} rows/s ({args.count:,} rows)")
        runs = {
            "embedded": [("embedded broker", run_embedded)],
            "external": [("external broker", run_external), ("transport alone", run_transport)],
        }
        chosen = (
            [*runs["embedded"], *runs["external"]] if args.broker == "both" else runs[args.broker]
        )
        for name, run in chosen:
            for size in (int(n) for n in args.per_message.split(",")):
                rate = run(db, args, setup, size)
                print(
                    f"MQTT {name}, {size} per message: {rate:,.0f} observations/s "
                    f"({args.count:,} observations, {args.publishers} publishers, QoS 1); "
                    f"ratio to raw {rate / raw:.3f}; alarms raised so far {raised(db):,}"
                )
                clear(db)
        db.dispose()


if __name__ == "__main__":
    main()
