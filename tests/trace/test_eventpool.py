"""The worker pool gives what the in-process checks give, envelope by envelope."""

from __future__ import annotations

import base64
import copy
from typing import Any

from cityhub.trace import eventpool
from cityhub.trace.epcis import lgtin_uri
from cityhub.trace.eventprep import Prepared, prepare_many
from cityhub.trace.events import seal_event
from cityhub.trace.note import generate_signer


def _event(i: int) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "eventTime": f"2026-05-01T08:{i // 60:02d}:{i % 60:02d}.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "bizStep": "storing",
        "quantityList": [
            {"epcClass": lgtin_uri("06901234000016", f"L{i}"), "quantity": 1.5, "uom": "KGM"}
        ],
    }


def _summary(item: Prepared) -> tuple[Any, ...]:
    error = None if item.error is None else (type(item.error).__name__, item.error.message)
    return (item.stage, item.key_id, error, item.event_hash, item.envelope_digest)


def test_pooled_and_in_process_checks_agree_on_good_and_bad_envelopes() -> None:
    signer = generate_signer("pool.test")
    envelopes = [seal_event(_event(i), signer) for i in range(60)]
    tampered = copy.deepcopy(envelopes[7])  # one payload byte changed: signature fails
    payload = bytearray(base64.b64decode(tampered["payload"]))
    payload[20] ^= 1
    tampered["payload"] = base64.b64encode(bytes(payload)).decode()
    envelopes[7] = tampered
    envelopes[11] = {"payload": "not base64!", "payloadType": "x", "signatures": []}
    unknown = generate_signer("pool.other")
    envelopes[13] = seal_event(_event(13), unknown)  # a key the caller did not supply
    keys = {signer.key_id.hex(): signer.verifier().public_key}

    pooled = eventpool.prepare_all(envelopes, keys)
    alone = prepare_many(envelopes, keys)
    eventpool.shutdown()

    assert [_summary(p) for p in pooled] == [_summary(p) for p in alone]
    stages = [p.stage for p in alone]
    assert stages[7] == "verify" and stages[11] == "open" and stages[13] == "key"
    assert stages.count("done") == 57
