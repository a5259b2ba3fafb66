"""Signing the demo chains' events with the actors' demo keys and recording them in the log.

Each event is signed as its recorder would sign it (``epcis.sign_event``: CBV 2.0 hash ID, then
a DSSE envelope over the canonical JSON) and recorded through ``events.record_events``, the same
service the API uses, in groups of events in time order. Events already in the log (same hash
ID) are skipped, so a rerun records nothing.

Large groups are much faster: ``record_events`` appends a group in *waves* (an event waits for
the checkpoint over its lot's previous event), so a group costs one cosigned checkpoint per step
of its longest lot history, not per event. All 3,900 demo events in one group take 66 waves;
in groups of 100 they would take 384. Recording the chains in parallel threads was slower still
(the checking threads starve the checkpoint publisher of the GIL).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from cityhub.auth import Actor
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.demo.trace_chain_model import DemoEvent
from cityhub.demo.trace_keys import DemoKey
from cityhub.trace.epcis import sign_event
from cityhub.trace.events import record_events
from cityhub.trace.log import TraceLog
from cityhub.trace.models import TraceEvent

CHUNK = 500  # hashes per IN list


@dataclass(frozen=True)
class Signed:
    """A demo event signed: its CBV 2.0 hash ID and its envelope."""

    event_hash: str
    envelope: dict[str, Any]


def sign_all(events: Sequence[DemoEvent], keys: Callable[[str], DemoKey]) -> list[Signed]:
    """Every event signed by its recorder's key (``keys`` maps a recorder's demo ref)."""
    signed = []
    for demo in events:
        key = keys(demo.recorder)
        event = dict(demo.event)  # sign_event sets eventID: keep the generator's data as it is
        envelope = sign_event(event, key.key_id, key.private_key)
        signed.append(Signed(str(event["eventID"]), envelope))
    return signed


def recorded_hashes(db: Database, hashes: Sequence[str]) -> set[str]:
    """Which of ``hashes`` are recorded already."""
    found: set[str] = set()
    with db.reading() as session:
        for start in range(0, len(hashes), CHUNK):
            part = hashes[start : start + CHUNK]
            query = select(TraceEvent.event_hash).where(TraceEvent.event_hash.in_(part))
            found.update(session.scalars(query))
    return found


def record_stream(
    db: Database, log: TraceLog, settings: Settings, items: Sequence[Signed], group_size: int
) -> int:
    """Record ``items`` in groups of ``group_size``; returns how many were recorded."""
    caller = Actor.system()
    for start in range(0, len(items), group_size):
        group = [item.envelope for item in items[start : start + group_size]]
        record_events(db, log, caller, group, settings=settings)
    return len(items)


def record_all(
    db: Database, log: TraceLog, settings: Settings, signed: Sequence[Signed], group_size: int
) -> int:
    """Record the events not recorded yet, in order; returns how many."""
    done = recorded_hashes(db, [item.event_hash for item in signed])
    missing = [item for item in signed if item.event_hash not in done]
    return record_stream(db, log, settings, missing, group_size) if missing else 0
