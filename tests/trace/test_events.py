"""Recording events: every bad input refused with its position and path; leaves chain the lots."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import CityhubError, Conflict, InvalidInput, PermissionDenied
from cityhub.trace import events as events_module
from cityhub.trace.epcis import EVENT_PAYLOAD_TYPE, canonical_json, pae
from cityhub.trace.events import record_events, record_events_async, seal_event
from cityhub.trace.keys import revoke_key_as_admin
from cityhub.trace.leaves import BatchLine, EventLeaf, parse_leaf
from cityhub.trace.log import TraceLog
from cityhub.trace.models import TraceBatch, TraceEvent
from cityhub.trace.note import NoteSigner, generate_signer
from tests.trace.chain import CROP, FERTILISER, RAW, START, agri_input, event, new_key, qty
from tests.trace.people import Cast, cast

NOW = START + timedelta(days=30)


@dataclass
class Farm:
    people: Cast
    key: NoteSigner
    other: NoteSigner  # the processor's key


@pytest.fixture
def farm(db: Database, tlog: TraceLog) -> Farm:
    """The cast with keys for the farm and the processor, and crop lot CROP planted."""
    people = cast(db)
    key = new_key(db, tlog, people.farm)
    planted = event(
        "ObjectEvent", 1, "city:planting", action="ADD", quantityList=[qty(CROP, 10, "H87")]
    )
    record_events(db, tlog, people.recorder, [seal_event(planted, key)], now=NOW)
    return Farm(people, key, new_key(db, tlog, people.processor))


def inspect(hours: float = 2, lot: str = CROP, **extra: Any) -> dict[str, Any]:
    return event(
        "ObjectEvent",
        hours,
        "inspecting",
        action="OBSERVE",
        quantityList=[qty(lot, 1, "H87")],
        **extra,
    )


def _resign(envelope: dict[str, Any], payload: bytes, key: NoteSigner) -> dict[str, Any]:
    """An envelope over exactly ``payload`` (canonical or not), validly signed."""
    sig = key.sign(pae(EVENT_PAYLOAD_TYPE, payload))
    return {
        "payload": base64.b64encode(payload).decode(),
        "payloadType": envelope["payloadType"],
        "signatures": [{"keyid": key.key_id.hex(), "sig": base64.b64encode(sig).decode()}],
    }


def _unsigned(f: Farm) -> list[dict[str, Any]]:
    envelope = seal_event(inspect(), f.key)
    envelope["signatures"] = []
    return [envelope]


def _wrong_signature(f: Farm) -> list[dict[str, Any]]:
    envelope = seal_event(inspect(), f.key)
    envelope["signatures"][0]["sig"] = seal_event(inspect(3), f.key)["signatures"][0]["sig"]
    return [envelope]


def _tampered_payload(f: Farm) -> list[dict[str, Any]]:
    envelope = seal_event(inspect(), f.key)
    body = json.loads(base64.b64decode(envelope["payload"]))
    body["quantityList"][0]["quantity"] = 1000
    envelope["payload"] = base64.b64encode(canonical_json(body)).decode()
    return [envelope]


def _unknown_key(f: Farm) -> list[dict[str, Any]]:
    return [seal_event(inspect(), generate_signer("nobody"))]


def _other_actors_key(f: Farm) -> list[dict[str, Any]]:
    return [seal_event(inspect(), f.other)]  # the recorder does not record for the processor


def _wrong_type(f: Farm) -> list[dict[str, Any]]:
    envelope = seal_event(inspect(), f.key)
    envelope["payloadType"] = "application/json"
    return [envelope]


def _unknown_batch(f: Farm) -> list[dict[str, Any]]:
    return [seal_event(inspect(), f.key), seal_event(inspect(3, lot=RAW), f.key)]


def _unknown_input_lot(f: Farm) -> list[dict[str, Any]]:
    body = event(
        "ObjectEvent",
        3,
        "city:fertilising",
        action="OBSERVE",
        quantityList=[qty(CROP, 10, "H87")],
        **{"cityhub:agriInput": agri_input(FERTILISER)},
    )
    return [seal_event(body, f.key)]


def _malformed_epcis(f: Farm) -> list[dict[str, Any]]:
    body = inspect()
    body["action"] = "SOMETIMES"
    return [seal_event(body, f.key)]


def _missing_time_zone(f: Farm) -> list[dict[str, Any]]:
    body = inspect()
    del body["eventTimeZoneOffset"]
    return [seal_event(body, f.key)]


def _wrong_event_id(f: Farm) -> list[dict[str, Any]]:
    envelope = seal_event(inspect(), f.key)
    body = json.loads(base64.b64decode(envelope["payload"]))
    body["eventID"] = "ni:///sha-256;" + "0" * 64 + "?ver=CBV2.0"
    return [_resign(envelope, canonical_json(body), f.key)]


def _not_canonical(f: Farm) -> list[dict[str, Any]]:
    envelope = seal_event(inspect(), f.key)
    body = json.loads(base64.b64decode(envelope["payload"]))
    return [_resign(envelope, json.dumps(body, indent=1).encode(), f.key)]


def _in_future(f: Farm) -> list[dict[str, Any]]:
    return [seal_event(inspect(30 * 24 + 1), f.key)]  # an hour after NOW, beyond 300 s


def _out_of_order(f: Farm) -> list[dict[str, Any]]:
    later = seal_event(inspect(100), f.key)
    return [later, seal_event(inspect(98), f.key)]  # two hours before the lot's latest event


def _duplicate_in_db(f: Farm) -> list[dict[str, Any]]:
    planted = event(
        "ObjectEvent", 1, "city:planting", action="ADD", quantityList=[qty(CROP, 10, "H87")]
    )
    return [seal_event(planted, f.key)]


def _duplicate_in_group(f: Farm) -> list[dict[str, Any]]:
    return [seal_event(inspect(), f.key), seal_event(inspect(), f.key)]


def _created_twice(f: Farm) -> list[dict[str, Any]]:
    again = event(
        "ObjectEvent", 5, "city:planting", action="ADD", quantityList=[qty(CROP, 10, "H87")]
    )
    return [seal_event(again, f.key)]


BAD: list[tuple[str, Callable[[Farm], list[dict[str, Any]]], type[CityhubError], int, str, str]] = [
    ("unsigned", _unsigned, InvalidInput, 0, "envelope", "$.signatures"),
    ("wrong signature", _wrong_signature, InvalidInput, 0, "envelope", "$.signatures[0].sig"),
    (
        "payload changed after signing",
        _tampered_payload,
        InvalidInput,
        0,
        "envelope",
        "$.signatures[0].sig",
    ),
    ("unknown key", _unknown_key, InvalidInput, 0, "envelope", "$.signatures[0].keyid"),
    ("key of an actor not recorded for", _other_actors_key, PermissionDenied, 0, "envelope", "$"),
    ("wrong payload type", _wrong_type, InvalidInput, 0, "envelope", "$.payloadType"),
    ("unknown batch", _unknown_batch, InvalidInput, 1, "payload", "$.quantityList[0].epcClass"),
    (
        "unknown agri input lot",
        _unknown_input_lot,
        InvalidInput,
        0,
        "payload",
        "$['cityhub:agriInput'].lot",
    ),
    ("malformed EPCIS", _malformed_epcis, InvalidInput, 0, "payload", "$.action"),
    ("no time zone", _missing_time_zone, InvalidInput, 0, "payload", "$"),
    ("wrong eventID", _wrong_event_id, InvalidInput, 0, "payload", "$.eventID"),
    ("payload not canonical", _not_canonical, InvalidInput, 0, "payload", "$"),
    ("time in the future", _in_future, InvalidInput, 0, "payload", "$.eventTime"),
    ("out of order beyond tolerance", _out_of_order, InvalidInput, 1, "payload", "$.eventTime"),
    ("duplicate of a recorded event", _duplicate_in_db, Conflict, 0, "payload", "$.eventID"),
    ("duplicate within the group", _duplicate_in_group, Conflict, 1, "payload", "$.eventID"),
    ("batch created twice", _created_twice, Conflict, 0, "payload", "$.quantityList[0].epcClass"),
]


@pytest.mark.parametrize(
    ("name", "build", "error", "position", "part", "path"), BAD, ids=[case[0] for case in BAD]
)
def test_bad_events_are_refused_and_nothing_is_appended(
    db: Database,
    tlog: TraceLog,
    farm: Farm,
    name: str,
    build: Callable[[Farm], list[dict[str, Any]]],
    error: type[CityhubError],
    position: int,
    part: str,
    path: str,
) -> None:
    size = tlog.published_size()
    with pytest.raises(error) as caught:
        record_events(db, tlog, farm.people.recorder, build(farm), now=NOW)
    details = caught.value.details
    assert (details["event"], details["part"]) == (position, part), caught.value.message
    if path != "$":
        assert details["path"] == path, caught.value.message
    assert caught.value.message.startswith(f"event {position}: ")
    assert tlog.published_size() == size
    with db.reading() as session:
        assert len(session.scalars(select(TraceEvent.id)).all()) == 1


def test_a_revoked_key_is_refused(db: Database, tlog: TraceLog, farm: Farm) -> None:
    revoke_key_as_admin(db, tlog, farm.people.steward, farm.key.key_id.hex(), "lost")
    with pytest.raises(InvalidInput) as caught:
        record_events(db, tlog, farm.people.recorder, [seal_event(inspect(), farm.key)], now=NOW)
    assert caught.value.details["rule"] == "key_revoked"


def test_only_recorders_record(db: Database, tlog: TraceLog, farm: Farm) -> None:
    with pytest.raises(PermissionDenied):
        record_events(db, tlog, farm.people.steward, [seal_event(inspect(), farm.key)], now=NOW)
    with db.reading() as session:
        outcome = session.scalar(
            select(AuditEvent.outcome).where(
                AuditEvent.action == "trace.event.record", AuditEvent.actor == "nyncj.trace"
            )
        )
    assert outcome == "denied"


def test_leaves_chain_each_lot_and_rows_follow(db: Database, tlog: TraceLog, farm: Farm) -> None:
    harvest = event(
        "TransformationEvent",
        5,
        "city:harvesting",
        inputQuantityList=[qty(CROP, 10, "H87")],
        outputQuantityList=[qty(RAW, 50)],
    )
    # Created and used in one request: the second depends on the first.
    envelopes = [
        seal_event(inspect(3), farm.key),
        seal_event(harvest, farm.key),
        seal_event(inspect(6, lot=RAW), farm.key),
    ]
    recorded = record_events(db, tlog, farm.people.recorder, envelopes, now=NOW)
    with db.reading() as session:
        planted = session.scalar(select(TraceEvent.log_index).order_by(TraceEvent.log_index))
    first, second, third = (r.index for r in recorded)
    assert planted is not None and planted < first < second < third
    leaf = parse_leaf(tlog.leaf(second))
    assert isinstance(leaf, EventLeaf)
    assert leaf.batches == (BatchLine(CROP, first), BatchLine(RAW, None))
    assert leaf.signer == farm.key.key_id.hex()
    last = parse_leaf(tlog.leaf(third))
    assert isinstance(last, EventLeaf)
    assert (last.event, last.signer, last.batches) == (
        recorded[2].event_hash,
        farm.key.key_id.hex(),
        (BatchLine(RAW, second),),
    )
    with db.reading() as session:
        raw = session.get(TraceBatch, RAW)
        assert raw is not None
        assert (raw.created_index, raw.last_index, raw.gtin, raw.lot_code) == (
            second,
            third,
            "06901234000054",
            "R1",
        )
        stored = session.scalars(select(TraceEvent).where(TraceEvent.log_index == first)).one()
        assert stored.envelope == envelopes[0]
        records = session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.action == "trace.event.record")
        ).all()
    assert {r.event_hash for r in recorded} <= set(records)
    assert all(r.bundle.startswith("c2sp.org/tlog-proof@v1\nindex ") for r in recorded)


def test_harvest_within_the_safety_interval_is_flagged_not_refused(
    db: Database, tlog: TraceLog, farm: Farm
) -> None:
    supplier = new_key(db, tlog, farm.people.supplier)
    stock = event("ObjectEvent", 1.5, "commissioning", action="ADD", quantityList=[qty(FERTILISER)])
    record_events(db, tlog, Actor.system(), [seal_event(stock, supplier)], now=NOW)
    sprayed = event(
        "ObjectEvent",
        24,
        "city:pesticide_applying",
        action="OBSERVE",
        quantityList=[qty(CROP, 10, "H87")],
        **{"cityhub:agriInput": agri_input(FERTILISER, pesticide=True, day="2026-05-02")},
    )
    harvest = event(
        "TransformationEvent",
        24 * 5,
        "city:harvesting",
        inputQuantityList=[qty(CROP, 10, "H87")],
        outputQuantityList=[qty(RAW, 50)],
    )
    recorded = record_events(
        db,
        tlog,
        farm.people.recorder,
        [seal_event(sprayed, farm.key), seal_event(harvest, farm.key)],
        now=NOW,
    )
    assert recorded[0].findings == []
    [finding] = recorded[1].findings
    assert finding["rule"] == "harvest_within_safety_interval"
    with db.reading() as session:
        stored = session.scalars(
            select(TraceEvent.findings).where(TraceEvent.log_index == recorded[1].index)
        ).one()
    assert stored == recorded[1].findings


def test_the_async_variant_records_too(db: Database, tlog: TraceLog, farm: Farm) -> None:
    recorded = asyncio.run(
        record_events_async(
            db, tlog, farm.people.recorder, [seal_event(inspect(), farm.key)], now=NOW
        )
    )
    leaf = parse_leaf(tlog.leaf(recorded[0].index))
    assert isinstance(leaf, EventLeaf) and leaf.event == recorded[0].event_hash
    with pytest.raises(Conflict):
        asyncio.run(
            record_events_async(
                db, tlog, farm.people.recorder, [seal_event(inspect(), farm.key)], now=NOW
            )
        )


def _racing(monkeypatch: pytest.MonkeyPatch, rival: Callable[[], object]) -> None:
    """Let ``rival`` record just after the request was checked, before it is appended."""
    original = events_module._wave_entries
    raced: list[bool] = []

    def racing(db: Database, wave: Any, caller: Actor) -> Any:
        entries = original(db, wave, caller)
        if not raced:
            raced.append(True)
            rival()
        return entries

    monkeypatch.setattr(events_module, "_wave_entries", racing)


def test_a_writer_that_raced_on_the_same_lot_is_retried(
    db: Database, tlog: TraceLog, farm: Farm, monkeypatch: pytest.MonkeyPatch
) -> None:
    rival: list[int] = []
    _racing(
        monkeypatch,
        lambda: rival.extend(
            r.index
            for r in record_events(
                db, tlog, Actor.system(), [seal_event(inspect(4), farm.key)], now=NOW
            )
        ),
    )
    [recorded] = record_events(
        db, tlog, farm.people.recorder, [seal_event(inspect(3), farm.key)], now=NOW
    )
    leaf = parse_leaf(tlog.leaf(recorded.index))
    assert isinstance(leaf, EventLeaf)
    assert leaf.batches == (BatchLine(CROP, rival[0]),)  # rebuilt after the race
    with db.reading() as session:
        assert session.get(TraceBatch, CROP).last_index == recorded.index  # type: ignore[union-attr]


def test_the_same_event_recorded_meanwhile_is_a_conflict(
    db: Database, tlog: TraceLog, farm: Farm, monkeypatch: pytest.MonkeyPatch
) -> None:
    envelope = seal_event(inspect(3), farm.key)
    _racing(monkeypatch, lambda: record_events(db, tlog, Actor.system(), [envelope], now=NOW))
    with pytest.raises(Conflict, match="recorded meanwhile"):
        record_events(db, tlog, farm.people.recorder, [envelope], now=NOW)
    with db.reading() as session:
        assert len(session.scalars(select(TraceEvent.id)).all()) == 2
