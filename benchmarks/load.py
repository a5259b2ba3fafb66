"""Load: a realistic mix of users against the demo city, at 10, 50 and 200 concurrent users.

    python benchmarks/load.py                      # SQLite, 45 s per level
    python benchmarks/load.py --users 10,50,200,400 --seconds 60
    python benchmarks/load.py --database-url postgresql://postgres@127.0.0.1/test

Seeds the demo city into a fresh data directory (``cityhub demo --no-serve``), adds a trace
actor with its key and a recorder account, signs the events the recorder will append (that is
the recorders' work, before the clock), then serves it with ``cityhub serve`` (one process,
loopback only) and runs locust headless (``load_users.py``) once per level: each user waits
0.5–1.5 s between requests, as a person or a station would. Prints, per level and endpoint,
requests, failures, throughput and p50/p95/p99, and writes the figures to --json and a chart
to --plot. The app's per-address rate limits are off here: every locust user comes from
127.0.0.1, which a real city's clients do not.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sta_ingest import database  # a fresh PostgreSQL schema, beside this script

from cityhub import auth
from cityhub.auth import Actor, Role
from cityhub.auth.models import Department
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.demo.accounts import DEMO_PASSWORD
from cityhub.sensing.models import Datastream, Thing
from cityhub.trace.actors import ActorIn, link_account, register_actor
from cityhub.trace.epcis import lgtin_uri
from cityhub.trace.events import seal_event
from cityhub.trace.keys import register_key
from cityhub.trace.log import TraceLog
from cityhub.trace.note import generate_signer
from cityhub.trace.statements import key_statement, sign_statement

HERE = Path(__file__).parent
FARM = "93371522MA3C0002X1"  # a valid 统一社会信用代码 (莘县), as in trace_append.py
GTIN = "06901234000047"
EVENTS_PER_LEVEL = 3_000
USERS = {"analyst": "swenj.analyst", "station": "slj.station", "recorder": "load.recorder"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(env: dict[str, str]) -> None:
    began = time.perf_counter()
    witnesses = [arg for _ in range(3) for arg in ("--witness-port", str(free_port()))]
    subprocess.run(
        [sys.executable, "-m", "cityhub", "demo", "--no-serve", *witnesses],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"demo city seeded in {time.perf_counter() - began:.0f} s", flush=True)


def tokens(settings: Settings) -> dict[str, str]:
    """API tokens of a demo analyst, a demo station account and the load test's recorder."""
    db = Database(settings.database_url_effective)
    made = {
        kind: auth.create_token(
            db, Actor.system(), name="load", lifetime=timedelta(days=1), username=username
        ).secret
        for kind, username in USERS.items()
    }
    db.dispose()
    return made


def trace_recorder(settings: Settings, events: int) -> list[dict[str, Any]]:
    """A trace actor with a registered key and the account ``load.recorder`` linked to it;
    ``events`` commissioning events of new lots, signed by that key."""
    db = Database(settings.database_url_effective)
    system = Actor.system()
    auth.create_user(
        db, system, username="load.recorder", password=DEMO_PASSWORD,
        department_code="NYNCJ", role=Role.RECORDER,
    )  # fmt: skip
    signer = generate_signer("load.farm")
    with TraceLog(db, settings) as log:
        register_actor(db, system, ActorIn(code=FARM, name_zh="莘县蔬菜合作社(压测)", kind="farm"))
        statement = key_statement("register", FARM, vkey=signer.verifier().vkey())
        register_key(db, log, system, FARM, sign_statement(statement, [signer]))
    link_account(db, system, FARM, "load.recorder")
    db.dispose()
    start = datetime.now(UTC) - timedelta(days=1)
    return [
        seal_event(
            {
                "type": "ObjectEvent",
                "action": "ADD",
                "eventTime": (start + timedelta(milliseconds=i)).isoformat().replace("+00:00", "Z"),
                "eventTimeZoneOffset": "+08:00",
                "bizStep": "commissioning",
                "quantityList": [
                    {"epcClass": lgtin_uri(GTIN, f"L{i}"), "quantity": 10, "uom": "KGM"}
                ],
            },
            signer,
        )
        for i in range(events)
    ]


def call(port: int, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if response.status >= 400:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
    return json.loads(data)


def context(
    port: int, settings: Settings, tokens: dict[str, str], events: list[dict[str, Any]]
) -> dict[str, Any]:
    """What the users need: tokens, datasets the analyst may read, Datastreams, queries."""
    found = call(port, "GET", "/api/datasets?rows=100", token=tokens["analyst"])
    datasets = []
    for item in found["data"]:
        try:
            call(
                port, "GET", f"/api/datasets/{item['name']}/rows?_limit=1", token=tokens["analyst"]
            )
            datasets.append(item["name"])
        except RuntimeError:
            continue  # no version yet, or not shared with the analyst's department
    streams = call(
        port, "GET", "/sta/v1.1/Datastreams?$top=200&$select=id", token=tokens["station"]
    )
    db = Database(settings.database_url_effective)
    with db.reading() as session:  # a station account writes to its own department's only
        writable = list(
            session.scalars(
                select(Datastream.id)
                .join(Thing, Thing.id == Datastream.thing_id)
                .join(Department, Department.id == Thing.department_id)
                .where(Department.code == "SLJ")
            )
        )
    db.dispose()
    return {
        "tokens": tokens,
        "datasets": datasets[:20],
        "datastreams": [s["@iot.id"] for s in streams["value"]],
        "writable": writable,
        "queries": ["水", "人口", "企业", "气象", "交通", "信用"],
        "events": events,
    }


def percentile(times: dict[str, int], share: float) -> float:
    """The ``share`` percentile of locust's response-time histogram (ms → count)."""
    ordered = sorted((float(ms), n) for ms, n in times.items())
    total, seen = sum(n for _, n in ordered), 0
    for ms, n in ordered:
        seen += n
        if seen >= share * total:
            return ms
    return ordered[-1][0] if ordered else 0.0


def run_level(
    port: int, users: int, seconds: int, ctx: dict[str, Any], out: Path
) -> list[dict[str, Any]]:
    prefix = out / f"users{users}"
    context_file = out / f"context{users}.json"
    context_file.write_text(json.dumps(ctx))
    env = {**os.environ, "CITYHUB_LOAD_CONTEXT": str(context_file)}
    with open(f"{prefix}.log", "w") as log:
        subprocess.run(
            [
                sys.executable, "-m", "locust", "-f", str(HERE / "load_users.py"), "--headless",
                "-u", str(users), "-r", str(max(1, users // 5)), "--run-time", f"{seconds}s",
                "--host", f"http://127.0.0.1:{port}", "--json-file", str(prefix),
                "--stop-timeout", "30", "--loglevel", "WARNING", "--only-summary",
            ],
            env=env, check=False, stdout=log, stderr=log,
        )  # fmt: skip
    errors = [line for line in Path(f"{prefix}.log").read_text().splitlines() if "Error" in line]
    if errors:  # a task that raised made no request: say so, or its endpoint silently vanishes
        print(f"{users} users: {len(errors)} error lines from locust, e.g. {errors[:3]}")
    stats = json.loads(Path(f"{prefix}.json").read_text())
    total = _aggregate(stats)
    elapsed = max(total["last_request_timestamp"] - total["start_time"], 1e-9)  # the whole run
    rows = []
    for entry in [*stats, total]:
        times = entry["response_times"]
        rows.append(
            {
                "users": users,
                "endpoint": entry["name"],
                "requests": entry["num_requests"],
                "failures": entry["num_failures"],
                "rps": entry["num_requests"] / elapsed,
                "p50": percentile(times, 0.50),
                "p95": percentile(times, 0.95),
                "p99": percentile(times, 0.99),
            }
        )
    return rows


def _aggregate(stats: list[dict[str, Any]]) -> dict[str, Any]:
    times: dict[str, int] = {}
    for entry in stats:
        for ms, n in entry["response_times"].items():
            times[ms] = times.get(ms, 0) + n
    return {
        "name": "Aggregated",
        "num_requests": sum(e["num_requests"] for e in stats),
        "num_failures": sum(e["num_failures"] for e in stats),
        "start_time": min(e["start_time"] for e in stats),
        "last_request_timestamp": max(e["last_request_timestamp"] or 0 for e in stats),
        "response_times": times,
    }


def print_level(rows: list[dict[str, Any]]) -> None:
    print(f"\n{rows[0]['users']} users")
    heads = ("requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms")
    print(f"{'endpoint':36} " + " ".join(f"{h:>9}" for h in heads))
    for r in rows:
        print(
            f"{r['endpoint'][:36]:36} {r['requests']:>9,} {r['failures']:>9,} {r['rps']:>9.1f} "
            f"{r['p50']:>9.0f} {r['p95']:>9.0f} {r['p99']:>9.0f}"
        )


def plot(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = sorted({r["users"] for r in results})
    endpoints = sorted({r["endpoint"] for r in results if r["endpoint"] != "Aggregated"})
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    for name in endpoints:
        p95 = [
            next((r["p95"] for r in results if r["users"] == u and r["endpoint"] == name), None)
            for u in levels
        ]
        left.plot(levels, p95, marker="o", label=name)
    left.set(
        xlabel="concurrent users",
        ylabel="p95 latency (ms)",
        xscale="log",
        yscale="log",
        title="p95 per endpoint",
    )
    left.legend(fontsize=7)
    total = [
        next(r for r in results if r["users"] == u and r["endpoint"] == "Aggregated")
        for u in levels
    ]
    right.plot(levels, [t["rps"] for t in total], marker="o", label="requests/s")
    right.plot(levels, [t["failures"] for t in total], marker="x", label="failures")
    right.set(
        xlabel="concurrent users", xscale="log", title="throughput and failures (all endpoints)"
    )
    right.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="10,50,200")
    parser.add_argument("--seconds", type=int, default=45)
    parser.add_argument("--database-url", help="default: SQLite in the temporary data directory")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--plot", type=Path, help="write the chart here (PNG)")
    args = parser.parse_args()
    levels = [int(n) for n in args.users.split(",")]
    with (
        tempfile.TemporaryDirectory(prefix="cityhub-load-") as tmp,
        database(args.database_url) as db,
    ):
        url = db.url.render_as_string(hide_password=False)
        db.dispose()
        port = free_port()
        env = {
            **os.environ,
            "CITYHUB_DATA_DIR": tmp,
            "CITYHUB_DATABASE_URL": url,
            "CITYHUB_PORT": str(port),
            "CITYHUB_SL651_PORT": "0",
            "CITYHUB_MQTT_PORT": "0",
            "CITYHUB_RATE_LIMIT_LOGIN_PER_MINUTE": "0",
            "CITYHUB_RATE_LIMIT_EXPENSIVE_PER_MINUTE": "0",
            "CITYHUB_LOG_LEVEL": "warning",
        }
        seed(env)
        settings = Settings(data_dir=Path(tmp), database_url=url, port=port)
        events = trace_recorder(settings, EVENTS_PER_LEVEL * len(levels))
        secrets = tokens(settings)
        server = subprocess.Popen([sys.executable, "-m", "cityhub", "serve"], env=env)
        results: list[dict[str, Any]] = []
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.5)
            for n, users in enumerate(levels):
                share = events[n * EVENTS_PER_LEVEL : (n + 1) * EVENTS_PER_LEVEL]
                ctx = context(port, settings, secrets, share)
                rows = run_level(port, users, args.seconds, ctx, Path(tmp))
                print_level(rows)
                results += rows
        finally:
            server.terminate()
            server.wait(timeout=60)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    if args.plot:
        plot(results, args.plot)


if __name__ == "__main__":
    main()
