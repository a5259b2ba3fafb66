"""Evidence documents verify offline, and every kind of tampering is detected and named."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from sqlalchemy import delete, select, update

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import NotFound
from cityhub.trace.evidence import evidence_document, verify_evidence
from cityhub.trace.log import TraceLog
from cityhub.trace.log.models import TraceCheckpoint, TraceLeaf
from cityhub.trace.models import TraceEvent, TraceEventLot
from cityhub.trace.note import COSIGNATURE_V1, generate_signer
from tests.trace.chain import PRODUCT, RAW, Chain, build_chain


@pytest.fixture
def chain(db: Database, tlog: TraceLog) -> Chain:
    return build_chain(db, tlog)


def test_the_document_has_the_brief_format_and_verifies(
    db: Database, tlog: TraceLog, chain: Chain
) -> None:
    doc = json.loads(json.dumps(evidence_document(db, tlog, PRODUCT, caller=Actor.public())))
    assert doc["format"] == "cityhub.trace/evidence/v1"
    assert doc["batch"] == PRODUCT
    assert doc["policy"].startswith("log ")
    assert set(doc) == {"format", "batch", "policy", "events", "keys"}
    assert len(doc["events"]) == 4  # processing, packing, receiving and selling at retailer B
    for entry in doc["events"]:
        assert set(entry) == {"envelope", "leaf", "bundle", "signer"}
        assert entry["signer"] in doc["keys"]
    notes = {entry["bundle"].split("\n\n", 1)[1] for entry in doc["events"]}
    assert len(notes) == 1  # one checkpoint for the whole document
    processor = chain.keys["processor"].key_id.hex()
    assert set(doc["keys"][processor]) == {
        "vkey",
        "actor",
        "envelope",
        "leaf",
        "bundle",
        "revoked_at_index",
    }
    assert doc["keys"][processor]["actor"]["ref"] == chain.people.processor
    report = verify_evidence(doc)
    assert report.ok, report.failures
    assert report.events == 4
    assert report.checkpoint_size == tlog.published_size()


def test_an_unknown_batch_has_no_evidence(db: Database, tlog: TraceLog, chain: Chain) -> None:
    with pytest.raises(NotFound):
        evidence_document(db, tlog, PRODUCT.replace("P1", "P9"), caller=Actor.public())


def _event_index(db: Database, lot: str, position: int) -> int:
    with db.reading() as session:
        indices = session.scalars(
            select(TraceEvent.log_index)
            .join(TraceEventLot, TraceEventLot.event_id == TraceEvent.id)
            .where(TraceEventLot.lot == lot)
            .distinct()
            .order_by(TraceEvent.log_index)
        ).all()
    return indices[position]


def _flip(text: str, position: int) -> str:
    char = text[position]
    return text[:position] + ("B" if char != "B" else "C") + text[position + 1 :]


def tamper_envelope(db: Database, tlog: TraceLog) -> tuple[int, str]:
    index = _event_index(db, PRODUCT, 1)
    with db.transaction() as session:
        row = session.scalars(select(TraceEvent).where(TraceEvent.log_index == index)).one()
        envelope = dict(row.envelope)
        envelope["payload"] = _flip(envelope["payload"], 40)
        session.execute(update(TraceEvent).where(TraceEvent.id == row.id).values(envelope=envelope))
    return index, f"event 2 (log index {index}): signature invalid"


def tamper_leaf(db: Database, tlog: TraceLog) -> tuple[int, str]:
    index = _event_index(db, PRODUCT, 2)
    with db.transaction() as session:
        data = bytearray(
            session.scalars(select(TraceLeaf.data).where(TraceLeaf.idx == index)).one()
        )
        position = data.index(b"sha-256;") + 8
        data[position] = ord("0") if data[position] != ord("0") else ord("1")
        session.execute(update(TraceLeaf).where(TraceLeaf.idx == index).values(data=bytes(data)))
    return index, f"event 3 (log index {index}): leaf not included in the log"


def tamper_checkpoint(db: Database, tlog: TraceLog) -> tuple[int, str]:
    size = tlog.published_size()
    with db.transaction() as session:
        note = session.scalars(
            select(TraceCheckpoint.note).where(TraceCheckpoint.size == size)
        ).one()
        root_at = note.index("\n", note.index("\n") + 1) + 5
        session.execute(
            update(TraceCheckpoint)
            .where(TraceCheckpoint.size == size)
            .values(note=_flip(note, root_at))
        )
    return size, "checkpoint: checkpoint signature invalid"


def drop_event(db: Database, tlog: TraceLog) -> tuple[int, str]:
    dropped = _event_index(db, PRODUCT, 1)
    after = _event_index(db, PRODUCT, 2)
    with db.transaction() as session:
        session.execute(delete(TraceEvent).where(TraceEvent.log_index == dropped))
    return dropped, (
        f"event 2 (log index {after}): the batch's previous event at log index {dropped} "
        "is missing from the document (dropped event)"
    )


def swap_events(db: Database, tlog: TraceLog) -> tuple[int, str]:
    first, second = _event_index(db, PRODUCT, 1), _event_index(db, PRODUCT, 2)
    with db.transaction() as session:
        session.execute(
            update(TraceEvent).where(TraceEvent.log_index == first).values(log_index=-1)
        )
        session.execute(
            update(TraceEvent).where(TraceEvent.log_index == second).values(log_index=first)
        )
        session.execute(
            update(TraceEvent).where(TraceEvent.log_index == -1).values(log_index=second)
        )
    return (
        first,
        f"event 2 (log index {first}): the leaf at this index is event 3's: events reordered",
    )


TAMPER: list[tuple[str, Callable[[Database, TraceLog], tuple[int, str]]]] = [
    ("byte of a stored envelope", tamper_envelope),
    ("byte of a stored leaf", tamper_leaf),
    ("byte of the checkpoint", tamper_checkpoint),
    ("dropped event", drop_event),
    ("two events swapped", swap_events),
]


@pytest.mark.parametrize(("name", "tamper"), TAMPER, ids=[case[0] for case in TAMPER])
def test_tampering_is_detected_and_named(
    db: Database,
    tlog: TraceLog,
    chain: Chain,
    name: str,
    tamper: Callable[[Database, TraceLog], tuple[int, str]],
) -> None:
    assert verify_evidence(evidence_document(db, tlog, PRODUCT, caller=Actor.public())).ok
    _, expected = tamper(db, tlog)
    report = verify_evidence(evidence_document(db, tlog, PRODUCT, caller=Actor.public()))
    assert not report.ok
    assert any(failure.startswith(expected) for failure in report.failures), report.failures


def test_a_document_edited_in_transit_fails(db: Database, tlog: TraceLog, chain: Chain) -> None:
    doc = evidence_document(db, tlog, RAW, caller=Actor.public())
    assert verify_evidence(doc).ok
    dropped = json.loads(json.dumps(doc))
    del dropped["events"][1]
    assert any("dropped event" in f for f in verify_evidence(dropped).failures)
    other_key = json.loads(json.dumps(doc))
    farm = chain.keys["farm"].key_id.hex()
    other_key["keys"][farm]["vkey"] = chain.keys["retailer_a"].verifier().vkey()
    assert any(f.startswith(f"key {farm}:") for f in verify_evidence(other_key).failures)
    forged = json.loads(json.dumps(doc))
    envelope = forged["events"][0]["envelope"]
    envelope["signatures"][0]["sig"] = base64.b64encode(bytes(64)).decode()
    assert any(f.endswith("signature invalid") for f in verify_evidence(forged).failures)
    assert not verify_evidence({"format": "x"}).ok
    assert not verify_evidence({**doc, "events": []}).ok


def test_a_policy_asking_for_witnesses_is_not_met_without_cosignatures(
    db: Database, tlog: TraceLog, chain: Chain
) -> None:
    doc = evidence_document(db, tlog, RAW, caller=Actor.public())
    witness = generate_signer("witness.nyncj.example", COSIGNATURE_V1).verifier().vkey()
    doc["policy"] = doc["policy"].rstrip("\n").replace("quorum none", "") + (
        f"\nwitness nyncj {witness}\nquorum nyncj\n"
    )
    report = verify_evidence(doc)
    assert not report.ok
    assert any(f.startswith("checkpoint: witness quorum not met") for f in report.failures), (
        report.failures
    )
