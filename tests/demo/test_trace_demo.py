"""The traceability demo end to end: seeded into a fresh SQLite database with three real witness
processes, it must record every event, publish cosigned checkpoints, recall the contaminated lot
to exactly the right retailers, flag the early pear harvest, serve evidence that verifies, and
keep publishing with one witness down but not with two."""

from __future__ import annotations

import concurrent.futures
import hashlib
import random
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from cityhub import auth
from cityhub.auth import Actor, hashing
from cityhub.config import Settings
from cityhub.db import Database, upgrade
from cityhub.demo.accounts import seed_accounts
from cityhub.demo.trace import TraceSeedReport, demo_trace, seed_trace
from cityhub.demo.trace_actors import RECORDER_ACTORS
from cityhub.demo.trace_chains import DemoTrace
from cityhub.demo.witnesses import WITNESSES, DemoWitnesses
from cityhub.trace.epcis import event_hash_id
from cityhub.trace.evidence import evidence_document, verify_evidence
from cityhub.trace.leaves import AuditAnchorLeaf, b64_sha256, format_leaf
from cityhub.trace.log import Pending, TraceLog
from cityhub.trace.models import (
    TraceActor,
    TraceActorAccount,
    TraceAuditAnchor,
    TraceEvent,
    TraceKey,
)
from cityhub.trace.note import parse_policy, verify_checkpoint
from cityhub.trace.recall import trace_forward
from tests.conftest import ADMIN_PASSWORD

PESTICIDE = "https://liaocheng.cityhub.example/voc/BizStep-pesticide_applying"
HARVEST = "https://liaocheng.cityhub.example/voc/BizStep-harvesting"
SAFETY_RULE = "harvest_within_safety_interval"


@dataclass
class Demo:
    db: Database
    settings: Settings
    witnesses: DemoWitnesses
    log: TraceLog
    trace: DemoTrace
    report: TraceSeedReport
    path: Path


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("trace-demo")
    path = folder / "city.db"
    settings = Settings(
        data_dir=folder,
        database_url=f"sqlite:///{path}",
        secret_key="test-secret-key",
        admin_password=ADMIN_PASSWORD,
        trace_witness_timeout_seconds=2,
    )
    db = Database(settings.database_url_effective)
    upgrade(db)
    with pytest.MonkeyPatch.context() as patch:  # cheap Argon2, as the autouse fixture does
        patch.setattr(hashing, "_hasher", PasswordHasher(time_cost=1, memory_cost=64))
        auth.bootstrap(db, admin_password=ADMIN_PASSWORD)
        seed_accounts(db)
    trace = demo_trace()
    with DemoWitnesses(settings, ports=free_ports(3)) as witnesses:
        log = TraceLog(db, witnesses.settings)
        log.start()
        try:
            report = seed_trace(db, witnesses.settings, log=log, trace=trace)
            yield Demo(db, witnesses.settings, witnesses, log, trace, report, path)
        finally:
            log.stop()
            db.dispose()


def test_every_event_is_recorded(demo: Demo) -> None:
    assert demo.report.events_recorded == demo.report.events_total == len(demo.trace.events)
    expected = {event_hash_id(dict(e.event)) for e in demo.trace.events}
    with demo.db.reading() as session:
        recorded = set(session.scalars(select(TraceEvent.event_hash)))
    assert recorded == expected
    assert demo.report.anchor_index is not None


def test_actors_keys_and_recorder_accounts(demo: Demo) -> None:
    with demo.db.reading() as session:
        actors = session.scalars(select(TraceActor)).all()
        keys = session.scalar(select(func.count()).select_from(TraceKey))
        links = session.scalar(select(func.count()).select_from(TraceActorAccount))
    assert len(actors) == len(demo.trace.actors) == len(demo.report.actors_created)
    assert keys == len(actors)
    assert links == len(RECORDER_ACTORS)
    people = [actor for actor in actors if actor.natural_person]
    assert len(people) == 1 and people[0].ref.startswith("sha256:")


def test_latest_checkpoint_is_cosigned_by_a_quorum(demo: Demo) -> None:
    policy = parse_policy(demo.witnesses.policy_file.read_text(encoding="utf-8"))
    checkpoint, cosigners = verify_checkpoint(demo.log.checkpoint(), policy)
    assert len(cosigners) >= 2
    assert set(cosigners) <= {spec.name for spec in WITNESSES}
    assert checkpoint.size == demo.log.published_size() >= len(demo.trace.events)


def test_recall_reaches_exactly_the_expected_retailers(demo: Demo) -> None:
    graph = trace_forward(demo.db, Actor.system(), demo.trace.contaminated_lot)
    retailers = {node["ref"] for node in graph.nodes.values() if node["type"] == "actor"}
    assert retailers == set(demo.trace.expected_recall_retailers)
    reached = {key for key, node in graph.nodes.items() if node["type"] == "lot"}
    assert reached & set(demo.trace.product_lots) == set(demo.trace.expected_recall_products)


def _early_pear_harvests(trace: DemoTrace) -> list[dict[str, Any]]:
    """Pear harvests before a pesticide's safety interval on their crop lot ended, computed from
    the generated events alone."""
    sprays: dict[str, list[tuple[date, int]]] = {}
    early = []
    for demo_event in trace.events:
        event = demo_event.event
        if demo_event.product != "pear":
            continue
        if event.get("bizStep") == PESTICIDE:
            agri = event["cityhub:agriInput"]
            for crop in event["quantityList"]:
                end = date.fromisoformat(agri["endDate"])
                sprays.setdefault(crop["epcClass"], []).append((end, agri["safetyIntervalDays"]))
        if event.get("bizStep") == HARVEST:
            picked = datetime.fromisoformat(event["eventTime"]).date()
            crops = [q["epcClass"] for q in event["inputQuantityList"]]
            if any(
                picked < end + timedelta(days=days)
                for crop in crops
                for end, days in sprays.get(crop, [])
            ):
                early.append(event)
    return early


def test_the_early_pear_harvest_is_flagged(demo: Demo) -> None:
    [early] = _early_pear_harvests(demo.trace)
    with demo.db.reading() as session:
        findings = session.scalar(
            select(TraceEvent.findings).where(TraceEvent.event_hash == event_hash_id(dict(early)))
        )
    assert findings is not None
    assert SAFETY_RULE in {finding["rule"] for finding in findings}


def test_no_harvest_outside_a_safety_interval_is_flagged(demo: Demo) -> None:
    with demo.db.reading() as session:
        rows = session.execute(select(TraceEvent.event_hash, TraceEvent.findings)).all()
    flagged = {event_hash for event_hash, findings in rows if findings}
    assert flagged == {event_hash_id(dict(early)) for early in _early_pear_harvests(demo.trace)}


def test_evidence_of_a_random_batch_verifies(demo: Demo) -> None:
    lot = random.Random(6).choice(demo.trace.product_lots)
    document = evidence_document(demo.db, demo.log, lot, caller=Actor.public())
    report = verify_evidence(document)
    assert report.ok, report.failures
    assert report.events == len(document["events"]) >= 3


def test_one_changed_byte_in_sqlite_is_caught(demo: Demo) -> None:
    """The recipe of docs/demo-trace.md: one character of a stored signature changed, and back."""
    lot = demo.trace.product_lots[0]
    with sqlite3.connect(demo.path) as connection:
        index, signature = connection.execute(TAMPER_FIND, (lot,)).fetchone()
        connection.execute(TAMPER, (index,))
    try:
        report = verify_evidence(evidence_document(demo.db, demo.log, lot, caller=Actor.public()))
        assert not report.ok
        assert report.failures == [f"event 1 (log index {index}): signature invalid"]
    finally:
        with sqlite3.connect(demo.path) as connection:
            connection.execute(UNDO, (signature, index))
    report = verify_evidence(evidence_document(demo.db, demo.log, lot, caller=Actor.public()))
    assert report.ok, report.failures


TAMPER_FIND = """
SELECT e.log_index, json_extract(e.envelope, '$.signatures[0].sig')
  FROM trace_events e JOIN trace_event_lots l ON l.event_id = e.id
 WHERE l.lot = ? ORDER BY e.log_index LIMIT 1
"""
TAMPER = """
UPDATE trace_events
   SET envelope = json_set(envelope, '$.signatures[0].sig',
       CASE WHEN substr(json_extract(envelope, '$.signatures[0].sig'), 1, 1) = 'A'
            THEN 'B' ELSE 'A' END
       || substr(json_extract(envelope, '$.signatures[0].sig'), 2))
 WHERE log_index = ?
"""
UNDO = """
UPDATE trace_events SET envelope = json_set(envelope, '$.signatures[0].sig', ?)
 WHERE log_index = ?
"""


def _probe(number: int) -> list[Pending]:
    """A leaf to append (shaped as an audit anchor; no anchor row refers to it)."""
    digest = hashlib.sha256(f"witness test {number}".encode()).digest()
    return [Pending(format_leaf(AuditAnchorLeaf(0, 0, b64_sha256(digest))))]


def test_publishing_needs_two_witnesses_of_three(demo: Demo) -> None:
    policy = parse_policy(demo.witnesses.policy_file.read_text(encoding="utf-8"))
    first, second, third = (spec.name for spec in WITNESSES)
    demo.witnesses.stop_one(first)
    try:
        demo.log.append_blocking(_probe(1), timeout=30)
        _, cosigners = verify_checkpoint(demo.log.checkpoint(), policy)
        assert sorted(cosigners) == sorted([second, third])

        demo.witnesses.stop_one(second)
        blocked = demo.log.submit(_probe(2))
        with pytest.raises(concurrent.futures.TimeoutError):
            blocked.result(timeout=4)
        demo.witnesses.start_one(second)
        [index] = blocked.result(timeout=60)
        checkpoint, cosigners = verify_checkpoint(demo.log.checkpoint(), policy)
        assert checkpoint.size > index
        assert second in cosigners and first not in cosigners
    finally:
        for name in (first, second):
            if demo.witnesses.witnesses[name].process is None:
                demo.witnesses.start_one(name)


def test_a_second_run_adds_nothing(demo: Demo) -> None:
    size = demo.log.published_size()
    with demo.db.reading() as session:
        anchors = session.scalar(select(func.count()).select_from(TraceAuditAnchor))
    again = seed_trace(demo.db, demo.settings, log=demo.log, trace=demo.trace)
    assert (again.actors_created, again.links_created, again.keys_registered) == ([], [], [])
    assert again.events_recorded == 0 and again.anchor_index is None
    assert demo.log.published_size() == size
    with demo.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(TraceAuditAnchor)) == anchors
