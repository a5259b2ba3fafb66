"""DSSE v1 envelopes: PAE known answer, sign/verify, tampering, malformed envelopes."""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from cityhub.trace.epcis import (
    EVENT_PAYLOAD_TYPE,
    KEY_PAYLOAD_TYPE,
    EpcisError,
    canonical_json,
    envelope_hash,
    event_hash_id,
    open_envelope,
    pae,
    seal,
    sign_event,
    verify_envelope,
)
from tests.trace.epcis.events import HARVEST

# RFC 8032 §7.1 test 1 key: deterministic signatures make envelopes reproducible.
KEY = Ed25519PrivateKey.from_private_bytes(
    bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
)
PUBLIC = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
OTHER = (
    Ed25519PrivateKey.from_private_bytes(bytes(32))
    .public_key()
    .public_bytes(Encoding.Raw, PublicFormat.Raw)
)
KEY_ID = "1a2b3c4d"


def test_pae_known_answer() -> None:
    """The DSSE v1 specification's example."""
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_pae_counts_bytes_not_characters() -> None:
    assert pae("类型", "鸭梨".encode()) == "DSSEv1 6 类型 6 鸭梨".encode()
    assert pae("", b"") == b"DSSEv1 0  0 "


def test_seal_and_verify() -> None:
    assert PUBLIC.hex().startswith("d75a9801")
    envelope = seal(KEY_PAYLOAD_TYPE, b'{"k":1}', KEY_ID, KEY)
    assert envelope["payloadType"] == KEY_PAYLOAD_TYPE
    assert envelope["signatures"][0]["keyid"] == KEY_ID
    assert verify_envelope(envelope, PUBLIC) == b'{"k":1}'
    assert open_envelope(envelope, KEY_PAYLOAD_TYPE)[:2] == (b'{"k":1}', KEY_ID)
    assert seal(KEY_PAYLOAD_TYPE, b'{"k":1}', KEY_ID, KEY) == envelope  # Ed25519 is deterministic


def test_sign_event() -> None:
    event = copy.deepcopy(HARVEST)
    envelope = sign_event(event, KEY_ID, KEY)
    assert event["eventID"] == event_hash_id(HARVEST) == event_hash_id(event)
    assert base64.b64decode(envelope["payload"]) == canonical_json(event)
    assert verify_envelope(envelope, PUBLIC) == canonical_json(event)
    assert envelope_hash(envelope) == hashlib.sha256(canonical_json(envelope)).digest()
    reordered = dict(reversed(list(envelope.items())))
    assert envelope_hash(reordered) == envelope_hash(envelope)


def _flip_payload_byte(envelope: dict[str, Any]) -> None:
    payload = bytearray(base64.b64decode(envelope["payload"]))
    payload[len(payload) // 2] ^= 0x01
    envelope["payload"] = base64.b64encode(bytes(payload)).decode()


def _other_type(envelope: dict[str, Any]) -> None:
    envelope["payloadType"] = KEY_PAYLOAD_TYPE


def _flip_signature_bit(envelope: dict[str, Any]) -> None:
    sig = bytearray(base64.b64decode(envelope["signatures"][0]["sig"]))
    sig[0] ^= 0x80
    envelope["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()


@pytest.mark.parametrize("tamper", [_flip_payload_byte, _other_type, _flip_signature_bit])
def test_tampering_breaks_the_signature(tamper: Any) -> None:
    envelope = sign_event(copy.deepcopy(HARVEST), KEY_ID, KEY)
    tamper(envelope)
    with pytest.raises(EpcisError) as caught:
        verify_envelope(envelope, PUBLIC)
    assert str(caught.value) == "signature invalid"


def test_wrong_key() -> None:
    envelope = sign_event(copy.deepcopy(HARVEST), KEY_ID, KEY)
    with pytest.raises(EpcisError, match="signature invalid"):
        verify_envelope(envelope, OTHER)
    with pytest.raises(EpcisError, match="signature invalid"):
        verify_envelope(envelope, b"short")


def _envelope(**changes: Any) -> dict[str, Any]:
    out = seal(EVENT_PAYLOAD_TYPE, b"{}", KEY_ID, KEY)
    sig = out["signatures"][0]
    for key, value in changes.items():
        target = sig if key in ("keyid", "sig") else out
        if value is ...:
            del target[key]
        else:
            target[key] = value
    return out


SIG = _envelope()["signatures"][0]["sig"]


@pytest.mark.parametrize(
    ("envelope", "path"),
    [
        (_envelope(payload="not base64!"), "$.payload"),
        (_envelope(payload="e30"), "$.payload"),  # missing padding
        (_envelope(payload=None), "$.payload"),
        (_envelope(payload="中文"), "$.payload"),
        (_envelope(sig=SIG[:-4]), "$.signatures[0].sig"),  # 63 bytes
        (_envelope(sig=SIG.replace("+", "-").replace("/", "_") + "*"), "$.signatures[0].sig"),
        (_envelope(keyid="1A2B3C4D"), "$.signatures[0].keyid"),
        (_envelope(keyid="1a2b3c"), "$.signatures[0].keyid"),
        (_envelope(keyid=...), "$.signatures[0]"),
        (_envelope(signatures=[]), "$.signatures"),
        (_envelope(signatures=[SIG, SIG]), "$.signatures"),
        (_envelope(signatures=["x"]), "$.signatures[0]"),
        (_envelope(extra=1), "$"),
        (_envelope(payloadType=...), "$.payloadType"),
        (_envelope(payloadType="application/json"), "$.payloadType"),
        ("not an envelope", "$.payloadType"),
    ],
)
def test_malformed_envelopes(envelope: Any, path: str) -> None:
    with pytest.raises(EpcisError) as caught:
        verify_envelope(envelope, PUBLIC)
    assert (caught.value.details["rule"], caught.value.details["path"]) == (
        "envelope_malformed",
        path,
    )


def test_open_checks_the_expected_type() -> None:
    envelope = seal(KEY_PAYLOAD_TYPE, b"{}", KEY_ID, KEY)
    with pytest.raises(EpcisError) as caught:
        open_envelope(envelope, EVENT_PAYLOAD_TYPE)
    assert caught.value.details["path"] == "$.payloadType"


@pytest.mark.parametrize("bad_id", ["", "1A2B3C4D", "1a2b3c4d5", "xyzxyzxy"])
def test_seal_needs_a_hex8_key_id(bad_id: str) -> None:
    with pytest.raises(EpcisError):
        seal(EVENT_PAYLOAD_TYPE, b"{}", bad_id, KEY)
