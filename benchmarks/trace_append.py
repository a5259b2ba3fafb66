"""Durable signed-event appends: the trace log against pymerkle, in the same run.

    python benchmarks/trace_append.py                       # 20,000 events, SQLite
    python benchmarks/trace_append.py --events 50000 --clients 8
    python benchmarks/trace_append.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

(a) cityhub: ``record_events`` — the whole append path short of HTTP: each DSSE envelope's
    Ed25519 signature, the EPCIS 2.0 schema, the CBV 2.0 event hash ID, the batch rules, one leaf
    per event sequenced durably (SQLite ``synchronous=FULL``) with the event's rows, a signed
    checkpoint published, and a proof bundle returned per event. Requests of ``--batch`` events on
    distinct lots come from ``--clients`` threads at once (as recorders' requests would); the
    events are signed before the clock starts (that is the recorders' work).
(b) pymerkle ``SqliteTree.append_entry`` on the same leaf bytes: its durable single append
    (one commit each), and ``append_entries`` in one bulk call: tree appends only, no checks.

Prints events/s and the ratios. The issue's bar: 5,000 events/s on 2 cores with a checkpoint at
least every second.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pymerkle import SqliteTree
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from cityhub.auth import Actor
from cityhub.config import Settings
from cityhub.db import Database, upgrade
from cityhub.trace.actors import ActorIn, register_actor
from cityhub.trace.epcis import lgtin_uri
from cityhub.trace.events import record_events, seal_event
from cityhub.trace.keys import register_key
from cityhub.trace.log import TraceLog
from cityhub.trace.log.models import TraceCheckpoint
from cityhub.trace.note import generate_signer
from cityhub.trace.statements import key_statement, sign_statement

FARM = "93371522MA3C0002X1"  # a valid 统一社会信用代码 (莘县)
GTIN = "06901234000047"
START = datetime.now(UTC) - timedelta(days=2)


@contextmanager
def database(url: str | None, tmp: Path) -> Iterator[str]:
    if url is None:
        yield f"sqlite:///{tmp / 'trace.db'}"
        return
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def stamp(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def commissioning(lot: str, i: int) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "action": "ADD",
        "eventTime": stamp(i * 0.001),
        "eventTimeZoneOffset": "+08:00",
        "bizStep": "commissioning",
        "quantityList": [{"epcClass": lot, "quantity": 100, "uom": "KGM"}],
    }


def storing(lot: str, i: int) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "eventTime": stamp(3600 + i * 0.001),
        "eventTimeZoneOffset": "+08:00",
        "bizStep": "storing",
        "disposition": "in_progress",
        "quantityList": [{"epcClass": lot, "quantity": 100, "uom": "KGM"}],
        "readPoint": {"id": "https://id.gs1.org/414/6901234000019"},
    }


class ThreadProfiles:
    """cProfile (CPU time per thread) in every thread (clients, sequencer, publisher), cleared when
    the clock starts so the profile covers the timed part only."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    def _hook(self, *_: Any) -> None:
        profile = cProfile.Profile(time.thread_time)
        with self._lock:
            self.profiles.append(profile)
        profile.enable()  # replaces this hook in the calling thread

    def start(self) -> None:
        threading.setprofile(self._hook)
        self._hook()

    def clear(self) -> None:
        for profile in list(self.profiles):
            profile.clear()

    def dump(self, path: str) -> None:
        threading.setprofile(None)
        stats: pstats.Stats | None = None
        for profile in self.profiles:
            profile.disable()
            profile.create_stats()
            if stats is None:
                stats = pstats.Stats(profile)
            else:
                stats.add(profile)
        if stats is not None:
            stats.dump_stats(path)


def run_ours(
    url: str, tmp: Path, events: int, batch: int, clients: int, profiles: ThreadProfiles | None
) -> tuple[float, int]:
    db = Database(url)
    upgrade(db)
    settings = Settings(data_dir=tmp, database_url=url, trace_origin="bench.example/trace/log")
    system = Actor.system()
    with TraceLog(db, settings) as log:
        register_actor(db, system, ActorIn(code=FARM, name_zh="莘县蔬菜合作社", kind="farm"))
        signer = generate_signer("bench.farm")
        statement = key_statement("register", FARM, vkey=signer.verifier().vkey())
        register_key(db, log, system, FARM, sign_statement(statement, [signer]))
        lots = [lgtin_uri(GTIN, f"B{i}") for i in range(events)]
        print(f"  signing {2 * events:,} events (recorders' side) …", flush=True)
        created = [seal_event(commissioning(lot, i), signer) for i, lot in enumerate(lots)]
        observed = [seal_event(storing(lot, i), signer) for i, lot in enumerate(lots)]
        for first in range(0, events, 1000):  # the lots must exist before they are observed
            record_events(db, log, system, created[first : first + 1000], settings=settings)
        requests = [observed[i : i + batch] for i in range(0, events, batch)]
        cursor = iter(requests)
        lock = threading.Lock()

        def client() -> None:
            while True:
                with lock:
                    request = next(cursor, None)
                if request is None:
                    return
                record_events(db, log, system, request, settings=settings)

        with db.reading() as session:
            checkpoints_before = session.scalar(select(func.count()).select_from(TraceCheckpoint))
        if profiles is not None:
            profiles.clear()
        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        with db.reading() as session:
            checkpoints = session.scalar(select(func.count()).select_from(TraceCheckpoint))
    db.dispose()
    return elapsed, int(checkpoints or 0) - int(checkpoints_before or 0)


def run_pymerkle(tmp: Path, events: int) -> tuple[float, float]:
    leaves = [b"cityhub.trace/leaf/v1\nkind event\nevent %d\n" % i for i in range(events)]
    single = SqliteTree(str(tmp / "single.db"))
    started = time.perf_counter()
    for leaf in leaves:
        single.append_entry(leaf)
    one = time.perf_counter() - started
    bulk = SqliteTree(str(tmp / "bulk.db"))
    started = time.perf_counter()
    bulk.append_entries(leaves)
    many = time.perf_counter() - started
    return one, many


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100, help="events per request")
    parser.add_argument("--clients", type=int, default=8, help="requests in flight at once")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--pymerkle-events", type=int, default=5_000)
    parser.add_argument("--profile", metavar="PATH", help="write a cProfile of every thread")
    args = parser.parse_args()
    profiles = ThreadProfiles() if args.profile else None
    if profiles is not None:
        profiles.start()
    with tempfile.TemporaryDirectory() as name, database(args.database_url, Path(name)) as url:
        tmp = Path(name)
        print(
            f"cityhub record_events, {args.events:,} events, {args.clients} clients × "
            f"{args.batch} events per request:"
        )
        elapsed, checkpoints = run_ours(url, tmp, args.events, args.batch, args.clients, profiles)
        if profiles is not None:
            profiles.dump(args.profile)
        ours = args.events / elapsed
        print(
            f"  {ours:,.0f} events/s ({elapsed:.2f} s, {checkpoints} checkpoints published, "
            f"{checkpoints / elapsed:.1f}/s)"
        )
        print(f"pymerkle SqliteTree, {args.pymerkle_events:,} leaves:")
        one, many = run_pymerkle(tmp, args.pymerkle_events)
        single, bulk = args.pymerkle_events / one, args.pymerkle_events / many
        print(f"  append_entry (one commit each): {single:,.0f}/s")
        print(f"  append_entries (one bulk call): {bulk:,.0f}/s")
    print(f"ratio cityhub / pymerkle single: {ours / single:.1f}x; / bulk: {ours / bulk:.2f}x")
    print(f"target 5,000 events/s: {'met' if ours >= 5000 else 'NOT met'}")


if __name__ == "__main__":
    main()
