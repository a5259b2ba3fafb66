"""Seeding the demo's traceability data: actors, demo keys, a few thousand signed events, an anchor.

What the demo shows (see docs/demo-trace.md): 东阿阿胶, 冠县鸭梨 and 莘县 greenhouse vegetables,
about 300 product lots from farm to shop (``trace_chains``), one contaminated 冰糖 lot to recall,
and one pear harvest inside a pesticide's safety interval. Everything goes through the platform's
own services, as a steward and the recorders would do it:

1. the actors are registered (``actors.register_actor``) and four recorder accounts linked;
2. each actor's demo key is registered by a signed key statement (a ``kind key`` log entry);
3. every event is signed with its recorder's demo key and recorded (``events.record_events``);
4. the audit trail written meanwhile is anchored in the log once.

Idempotent like the other demo seeds: what exists is skipped, a second run adds nothing. The
greenhouse climate in the vegetable chain comes from the generator: the sensing demo has no
greenhouse stations to take readings from (it monitors rivers, rain and a utility tunnel).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select

from cityhub.auth import Actor
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.demo.trace_actors import actor_ref, link_recorders, register_actors
from cityhub.demo.trace_chains import DemoTrace, build_demo_trace
from cityhub.demo.trace_keys import DemoKey, demo_key, registration
from cityhub.demo.trace_record import record_all, sign_all
from cityhub.trace.anchor import anchor_audit
from cityhub.trace.batches import name_product
from cityhub.trace.events import MAX_GROUP
from cityhub.trace.keys import register_key
from cityhub.trace.log import TraceLog
from cityhub.trace.models import TraceAuditAnchor, TraceBatch, TraceKey

DEMO_SEED = 20261127
DEMO_BATCHES = 300
GROUP_SIZE = MAX_GROUP  # events per record_events call: large groups take fewer waves


@dataclass(frozen=True)
class TraceSeedReport:
    """What seeding the traceability demo added this time (nothing on a second run)."""

    actors_created: list[str]
    links_created: list[str]
    keys_registered: list[str]
    events_recorded: int
    events_total: int
    anchor_index: int | None
    seconds: float


def demo_trace(seed: int = DEMO_SEED, batches: int = DEMO_BATCHES) -> DemoTrace:
    """The demo chains the seed records (deterministic)."""
    return build_demo_trace(seed=seed, batches=batches)


@contextmanager
def running_log(db: Database, settings: Settings, log: TraceLog | None) -> Iterator[TraceLog]:
    """``log`` if given (the caller runs it), else a log started for the block and stopped."""
    if log is not None:
        yield log
        return
    own = TraceLog(db, settings)
    own.start()
    try:
        yield own
    finally:
        own.stop()


def register_keys(
    db: Database, log: TraceLog, settings: Settings, keys: dict[str, DemoKey]
) -> list[str]:
    """Register the demo keys not registered yet (in parallel: one checkpoint covers many)."""
    with db.reading() as session:
        known = set(session.scalars(select(TraceKey.key_id)))
    missing = [key for key in keys.values() if key.key_id not in known]

    def one(key: DemoKey) -> str:
        record = register_key(
            db, log, Actor.system(), key.actor_ref, registration(key), settings=settings
        )
        return record.key_id

    if not missing:
        return []
    with ThreadPoolExecutor(8, "demo-trace-keys") as pool:
        return list(pool.map(one, missing))


def name_products(db: Database, trace: DemoTrace) -> list[str]:
    """Name the demo products (EPCIS events carry no product names) from the generator's GTIN
    master data, as a steward would (``batches.name_product``); only GTINs with an unnamed batch
    are touched. Returns those GTINs."""
    with db.reading() as session:
        unnamed = set(
            session.scalars(
                select(TraceBatch.gtin).where(
                    TraceBatch.gtin.is_not(None), TraceBatch.product_zh.is_(None)
                )
            )
        )
    named = []
    for product in trace.products:
        if product.gtin in unnamed:
            name_product(db, Actor.system(), product.gtin, product.name_zh, product.name_en)
            named.append(product.gtin)
    return named


def seed_trace(
    db: Database,
    settings: Settings,
    *,
    log: TraceLog | None = None,
    trace: DemoTrace | None = None,
    group_size: int = GROUP_SIZE,
) -> TraceSeedReport:
    """Add the traceability demo data that is missing (see the module doc).

    ``log``: a running log to append to (the platform's); without one, a log is started for the
    seeding with ``settings`` (its trust policy included) and stopped afterwards.
    """
    started = time.monotonic()
    trace = trace or demo_trace()
    actors = register_actors(db, trace.actors)
    links = link_recorders(db, DEMO_SEED)
    # Events name their recorder by its demo ref; the platform knows a 主体码 only hashed.
    refs = {actor.ref: actor_ref(actor) for actor in trace.actors}
    keys = {ref: demo_key(public) for ref, public in refs.items()}
    signed = sign_all(trace.events, keys.__getitem__)
    with running_log(db, settings, log) as running:
        registered = register_keys(db, running, settings, keys)
        recorded = record_all(db, running, settings, signed, group_size)
        named = name_products(db, trace)
        anchor = _anchor(db, running, fresh=bool(actors or registered or recorded or named))
    return TraceSeedReport(
        actors,
        links,
        registered,
        recorded,
        len(signed),
        anchor,
        round(time.monotonic() - started, 1),
    )


def _anchor(db: Database, log: TraceLog, *, fresh: bool) -> int | None:
    """One audit anchor after seeding; on a rerun that added nothing, only if none exists."""
    with db.reading() as session:
        anchored = session.scalar(select(TraceAuditAnchor.id).limit(1)) is not None
    if anchored and not fresh:
        return None
    result = anchor_audit(db, log, settle_seconds=0)
    return None if result is None else result.log_index
