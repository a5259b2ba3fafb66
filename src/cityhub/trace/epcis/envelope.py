"""DSSE v1 signed envelopes (as in-toto and sigstore) with Ed25519 and one signature.

``{"payload": <base64>, "payloadType": <type>,
"signatures": [{"keyid": <hex8>, "sig": <base64>}]}``; the signature covers ``PAE(type, payload)`` =
``"DSSEv1" SP len(type) SP type SP len(payload) SP payload`` (lengths as ASCII decimals of
byte counts).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cityhub.trace.epcis.canonical import canonical_json
from cityhub.trace.epcis.errors import EpcisError
from cityhub.trace.epcis.event_hash import event_hash_id

EVENT_PAYLOAD_TYPE = "application/vnd.gs1.epcis.event+json"
KEY_PAYLOAD_TYPE = "application/vnd.cityhub.trace.key+json"
PAYLOAD_TYPES = frozenset({EVENT_PAYLOAD_TYPE, KEY_PAYLOAD_TYPE})
_KEY_ID = re.compile(r"^[0-9a-f]{8}$")
_FIELDS = frozenset({"payload", "payloadType", "signatures"})


def _malformed(field: str, zh: str, en: str) -> EpcisError:
    path = "$" if not field else f"$.{field}"
    return EpcisError(
        f"malformed envelope: {en}",
        rule="envelope_malformed",
        path=path,
        reason_zh=zh,
        reason_en=en,
    )


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding of a payload and its type."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def _b64(text: Any, field: str) -> bytes:
    if not isinstance(text, str):
        raise _malformed(field, "须为 base64 文本", "must be base64 text")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise _malformed(field, "base64 编码无效", "invalid base64") from exc


def seal(
    payload_type: str, payload: bytes, key_id_hex: str, private_key: Ed25519PrivateKey
) -> dict[str, Any]:
    """Sign ``payload`` and wrap it in a DSSE envelope."""
    if not _KEY_ID.match(key_id_hex):
        raise _malformed(
            "signatures[0].keyid", "密钥标识须为 8 位小写十六进制", "keyid is 8 hex digits"
        )
    signature = private_key.sign(pae(payload_type, payload))
    return {
        "payload": base64.b64encode(payload).decode("ascii"),
        "payloadType": payload_type,
        "signatures": [{"keyid": key_id_hex, "sig": base64.b64encode(signature).decode("ascii")}],
    }


def open_envelope(envelope: Mapping[str, Any], expected_type: str) -> tuple[bytes, str, bytes]:
    """(payload, keyid, signature) of a well-formed envelope of the expected type."""
    if not isinstance(envelope, Mapping) or set(envelope) != _FIELDS:
        raise _malformed(
            "", "信封须恰好包含 payload、payloadType、signatures", "wrong envelope fields"
        )
    if envelope["payloadType"] != expected_type:
        raise _malformed("payloadType", "载荷类型不符", f"payloadType must be {expected_type}")
    payload = _b64(envelope["payload"], "payload")
    signatures = envelope["signatures"]
    if not isinstance(signatures, list) or len(signatures) != 1:
        raise _malformed("signatures", "须恰好有一个签名", "exactly one signature expected")
    entry = signatures[0]
    if not isinstance(entry, Mapping) or set(entry) != {"keyid", "sig"}:
        raise _malformed("signatures[0]", "签名须含 keyid 与 sig", "a signature has keyid and sig")
    keyid = entry["keyid"]
    if not isinstance(keyid, str) or not _KEY_ID.match(keyid):
        raise _malformed(
            "signatures[0].keyid", "密钥标识须为 8 位小写十六进制", "keyid is 8 hex digits"
        )
    sig = _b64(entry["sig"], "signatures[0].sig")
    if len(sig) != 64:
        raise _malformed(
            "signatures[0].sig", "Ed25519 签名须为 64 字节", "an Ed25519 signature is 64 bytes"
        )
    return payload, keyid, sig


@lru_cache(maxsize=256)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    # Loading a key costs as much as one verification; a batch is signed by one or two keys.
    return Ed25519PublicKey.from_public_bytes(raw)


def verify_signature(payload_type: str, payload: bytes, sig: bytes, public_key: bytes) -> None:
    """Check the Ed25519 signature over ``PAE(payload_type, payload)``, as opened by
    ``open_envelope`` (so the envelope is not decoded twice); EpcisError if it fails."""
    try:
        _public_key(bytes(public_key)).verify(sig, pae(payload_type, payload))
    except (InvalidSignature, ValueError) as exc:
        raise EpcisError(
            "signature invalid",
            rule="signature_invalid",
            path="$.signatures[0].sig",
            reason_zh="签名验证失败",
            reason_en="the signature does not verify with this key",
        ) from exc


def verify_envelope(envelope: Mapping[str, Any], public_key: bytes) -> bytes:
    """The payload of an envelope whose signature verifies with the 32-byte Ed25519 key."""
    payload_type = envelope.get("payloadType") if isinstance(envelope, Mapping) else None
    if payload_type not in PAYLOAD_TYPES:
        raise _malformed("payloadType", "未知的载荷类型", "unknown payloadType")
    payload, _, sig = open_envelope(envelope, str(payload_type))
    verify_signature(str(payload_type), payload, sig, public_key)
    return payload


def envelope_hash(envelope: Mapping[str, Any]) -> bytes:
    """SHA-256 of the envelope's RFC 8785 canonical JSON (what a leaf records)."""
    return hashlib.sha256(canonical_json(envelope)).digest()


def sign_event(
    event: dict[str, Any], key_id_hex: str, private_key: Ed25519PrivateKey
) -> dict[str, Any]:
    """Set ``event["eventID"]`` to its CBV 2.0 hash ID and sign the event's canonical JSON."""
    event["eventID"] = event_hash_id(event)
    return seal(EVENT_PAYLOAD_TYPE, canonical_json(event), key_id_hex, private_key)
