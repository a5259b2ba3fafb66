"""Ed25519 note keys (C2SP signed-note type 0x01) and cosigner keys (tlog-cosignature 0x04).

Text forms, as in Go's sumdb/note and transparency-dev/formats::

    vkey  <name>+<hex8 key id>+<base64(kind || 32-byte public key)>
    skey  PRIVATE+KEY+<name>+<hex8 key id>+<base64(kind || 32-byte seed)>

key id = SHA-256(name || "\\n" || kind || public key)[:4]. A cosigner (0x04) signs
``"cosignature/v1\\ntime <ts>\\n" || checkpoint body`` and its signature is
timestamp(8, big-endian) || Ed25519 signature(64).
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cityhub.trace.note._text import b64decode, b64encode, is_valid_key_name, require
from cityhub.trace.note.errors import NoteError

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
KINDS = (ED25519, COSIGNATURE_V1)
TIMESTAMP_MAX = 2**63 - 1  # tlog-cosignature: the u64 timestamp MUST NOT exceed 2^63 - 1
_HEX8 = frozenset("0123456789abcdef")


def validate_key_name(name: str) -> None:
    """Raise NoteError unless ``name`` is a valid signed-note key name."""
    require(is_valid_key_name(name), f"invalid key name {name!r}", name=name)


def key_id(name: str, kind: int, public_key: bytes) -> bytes:
    """The 4-byte key id: SHA-256(name || 0x0A || kind || public key)[:4]."""
    material = name.encode("utf-8") + b"\n" + bytes([kind]) + public_key
    return hashlib.sha256(material).digest()[:4]


def cosignature_message(timestamp: int, body: bytes) -> bytes:
    """The message an Ed25519 cosigner signs for checkpoint ``body`` at ``timestamp``."""
    return b"cosignature/v1\ntime %d\n" % timestamp + body


@functools.lru_cache(maxsize=1024)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    # Loading is cheap but not free; the same few log and witness keys verify every
    # checkpoint, so keep the parsed objects.
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True)
class NoteVerifier:
    """A public key that verifies note signatures (0x01) or cosignatures (0x04)."""

    name: str
    key_id: bytes
    public_key: bytes
    kind: int

    def __post_init__(self) -> None:
        validate_key_name(self.name)
        require(self.kind in KINDS, f"unknown key type 0x{self.kind:02x}", kind=self.kind)
        require(len(self.public_key) == 32, "Ed25519 public key must be 32 bytes")
        expected = key_id(self.name, self.kind, self.public_key)
        require(self.key_id == expected, "key id does not match the key", name=self.name)

    def vkey(self) -> str:
        encoded = b64encode(bytes([self.kind]) + self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True if ``signature`` (without the key id) is valid for ``message``.

        For a cosigner, ``message`` is the checkpoint body and ``signature`` is
        timestamp(8) || sig(64); the cosignature/v1 message is built here.
        """
        if self.kind == COSIGNATURE_V1:
            if len(signature) != 72:
                return False
            timestamp = int.from_bytes(signature[:8], "big")
            if timestamp > TIMESTAMP_MAX:
                return False
            message, signature = cosignature_message(timestamp, message), signature[8:]
        if len(signature) != 64:
            return False
        try:
            _public_key(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


class NoteSigner:
    """A private Ed25519 key with its name; signs notes (0x01) or cosigns checkpoints (0x04)."""

    __slots__ = ("_private", "_public", "key_id", "kind", "name")

    def __init__(self, name: str, seed: bytes, kind: int = ED25519) -> None:
        validate_key_name(name)
        require(kind in KINDS, f"unknown key type 0x{kind:02x}", kind=kind)
        require(len(seed) == 32, "Ed25519 seed must be 32 bytes")
        self.name = name
        self.kind = kind
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self._public = self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.key_id = key_id(name, kind, self._public)

    def __repr__(self) -> str:  # never show the seed
        return f"NoteSigner({self.name!r}, key_id={self.key_id.hex()}, kind=0x{self.kind:02x})"

    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, self.key_id, self._public, self.kind)

    def sign(self, message: bytes, *, timestamp: int | None = None) -> bytes:
        """The signature (without key id) over ``message``.

        A cosigner treats ``message`` as the checkpoint body and returns
        timestamp(8) || sig(64); ``timestamp`` defaults to now.
        """
        if self.kind == ED25519:
            require(timestamp is None, "only cosignature keys take a timestamp")
            return self._private.sign(message)
        when = int(time.time()) if timestamp is None else timestamp
        require(0 <= when <= TIMESTAMP_MAX, "cosignature timestamp out of range", timestamp=when)
        signed = self._private.sign(cosignature_message(when, message))
        return when.to_bytes(8, "big") + signed

    def skey(self) -> str:
        seed = self._private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        encoded = b64encode(bytes([self.kind]) + seed)
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{encoded}"


def generate_signer(name: str, kind: int = ED25519) -> NoteSigner:
    """A new random key named ``name``."""
    seed = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return NoteSigner(name, seed, kind)


def _split_key(text: str) -> tuple[str, bytes, int, bytes]:
    """``<name>+<hex8>+<base64>`` → name, key id, kind, key material (strictly)."""
    name, _, rest = text.partition("+")
    hex8, _, encoded = rest.partition("+")
    validate_key_name(name)
    require(len(hex8) == 8 and set(hex8) <= _HEX8, "key id must be 8 lowercase hex digits")
    raw = b64decode(encoded)
    if not raw:
        raise NoteError("key data is not valid base64")
    require(raw[0] in KINDS, f"unknown key type 0x{raw[0]:02x}", kind=raw[0])
    require(len(raw) == 33, "Ed25519 key must be 32 bytes", length=len(raw) - 1)
    return name, bytes.fromhex(hex8), raw[0], raw[1:]


def verifier_from_vkey(vkey: str) -> NoteVerifier:
    """Parse a verifier key; the key id must match the name and key."""
    name, kid, kind, public = _split_key(vkey)
    try:
        return NoteVerifier(name, kid, public, kind)
    except NoteError as error:
        raise NoteError(f"invalid vkey: {error.message}", details={"vkey": vkey}) from None


def signer_from_skey(skey: str) -> NoteSigner:
    """Parse a signer key (``PRIVATE+KEY+…``); the key id must match the derived public key."""
    require(skey.startswith("PRIVATE+KEY+"), "signer key must start with PRIVATE+KEY+")
    name, kid, kind, seed = _split_key(skey.removeprefix("PRIVATE+KEY+"))
    signer = NoteSigner(name, seed, kind)
    require(signer.key_id == kid, "key id does not match the key", name=name)
    return signer
