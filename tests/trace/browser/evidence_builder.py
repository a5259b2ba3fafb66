"""Builds real batch evidence documents (``cityhub.trace/evidence/v1``) for the browser verifier.

Independent of ``cityhub.trace``: its own RFC 9162 tree, C2SP notes and DSSE envelopes, from
``cryptography`` Ed25519, ``hashlib`` and ``rfc8785``, straight from the brief's formats, so
the JavaScript verifier is checked against a second implementation rather than against itself.
Keys come from fixed seeds, so every document is reproducible.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ORIGIN = "127.0.0.1:8000/trace/log"
BATCH = "https://id.gs1.org/01/06901234000017/10/L1"
OTHER_LOT = "https://id.gs1.org/01/06901234000024/10/P7"
EVENT_TYPE = "application/vnd.gs1.epcis.event+json"
KEY_TYPE = "application/vnd.cityhub.trace.key+json"
LEAF_MAGIC = "cityhub.trace/leaf/v1"
COSIGNED_AT = 1_767_225_600  # 2026-01-01T00:00:00Z


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@dataclass(frozen=True)
class NoteKey:
    """An Ed25519 signed-note key (type 0x01) or witness cosignature key (type 0x04)."""

    name: str
    sig_type: int
    private: Ed25519PrivateKey

    @classmethod
    def from_label(cls, name: str, sig_type: int = 0x01, label: str = "") -> NoteKey:
        seed = sha256(f"evidence-builder/{label or name}".encode())
        return cls(name, sig_type, Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> bytes:
        return sha256(self.name.encode() + b"\n" + bytes([self.sig_type]) + self.public)[:4]

    @property
    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{b64(bytes([self.sig_type]) + self.public)}"

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


# --- RFC 9162 Merkle tree -------------------------------------------------------------------


def leaf_hash(leaf: bytes) -> bytes:
    return sha256(b"\x00" + leaf)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class Tree:
    """MTH and PATH of RFC 9162 §2.1.1 over a list of leaves, subtree hashes memoised."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.hashes = [leaf_hash(leaf) for leaf in leaves]
        self._mth = lru_cache(maxsize=None)(self._mth_uncached)

    def _mth_uncached(self, start: int, end: int) -> bytes:
        if end - start == 1:
            return self.hashes[start]
        k = split_point(end - start)
        return node_hash(self._mth(start, start + k), self._mth(start + k, end))

    def root(self, size: int) -> bytes:
        return self._mth(0, size) if size else sha256(b"")

    def path(self, index: int, size: int) -> list[bytes]:
        return self._path(index, 0, size)

    def _path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = split_point(n)
        if m < k:
            return [*self._path(m, start, start + k), self._mth(start + k, end)]
        return [*self._path(m - k, start + k, end), self._mth(start, start + k)]


# --- notes, envelopes, leaves ---------------------------------------------------------------


def signature_line(key: NoteKey, signature: bytes) -> str:
    return f"\u2014 {key.name} {b64(key.key_id + signature)}\n"


def cosignature(witness: NoteKey, body: str, timestamp: int) -> str:
    message = f"cosignature/v1\ntime {timestamp}\n{body}".encode()
    payload = timestamp.to_bytes(8, "big") + witness.sign(message)
    return signature_line(witness, payload)


def pae(payload_type: str, payload: bytes) -> bytes:
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def envelope(payload: bytes, payload_type: str, signer: NoteKey) -> dict[str, Any]:
    sig = signer.sign(pae(payload_type, payload))
    return {
        "payload": b64(payload),
        "payloadType": payload_type,
        "signatures": [{"keyid": signer.key_id.hex(), "sig": b64(sig)}],
    }


def envelope_hash(env: dict[str, Any]) -> str:
    return b64(sha256(rfc8785.dumps(env)))


def event_leaf(event_id: str, env: dict[str, Any], signer: NoteKey, lots: dict[str, str]) -> str:
    lines = [LEAF_MAGIC, "kind event", f"event {event_id}", f"envelope {envelope_hash(env)}"]
    lines.append(f"signer {signer.key_id.hex()}")
    lines += [f"batch {lot} {prev}" for lot, prev in sorted(lots.items())]
    return "\n".join(lines) + "\n"


def key_leaf(action: str, actor: str, vkey: str, env: dict[str, Any]) -> str:
    lines = [LEAF_MAGIC, "kind key", f"action {action}", f"actor {actor}", f"key {vkey}"]
    return "\n".join([*lines, f"envelope {envelope_hash(env)}"]) + "\n"


def filler_leaf(n: int) -> str:
    digest = b64(sha256(f"audit {n}".encode()))
    return f"{LEAF_MAGIC}\nkind audit-anchor\naudit {n * 10 + 1} {n * 10 + 10}\nhash {digest}\n"


def epcis_event(n: int, lot: str, with_other_lot: bool) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": f"2026-05-{1 + n % 28:02d}T08:{n % 60:02d}:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "https://liaocheng.cityhub.example/voc/BizStep-fertilising",
        "readPoint": {"id": "https://id.gs1.org/414/6901234000007"},
        "quantityList": [{"epcClass": lot, "quantity": 12.5 + n, "uom": "KGM"}],
        "cityhub:agriInput": {"name": "阿维菌素 1.8% 乳油", "dose": 0.3, "uom": "LTR"},
    }
    if with_other_lot:
        event["quantityList"].append({"epcClass": OTHER_LOT, "quantity": 1e21, "uom": "KGM"})
    # Stand-in for the CBV 2.0 hash: the verifier only compares it with the leaf.
    event["eventID"] = f"ni:///sha-256;{sha256(rfc8785.dumps(event)).hex()}?ver=CBV2.0"
    return event


# --- the document ---------------------------------------------------------------------------


@dataclass
class Actor:
    ref: str
    name: str
    key: NoteKey
    index: int = -1
    entry: dict[str, Any] = field(default_factory=dict)


@dataclass
class Options:
    events: int = 20
    filler_before: int = 1200  # unrelated leaves first, so log indices look like a real log's
    filler_between: int = 2
    revoke_after: int | None = None  # revoke actor 0's key after this many events, keep signing
    misregister: bool = False  # actor 0's registration leaf names another vkey
    policy_groups: str = "group bureau 2 w1 w2 w3\nquorum bureau\n"
    witnesses: int = 3


def build(options: Options | None = None) -> dict[str, Any]:
    opts = options or Options()
    log_key = NoteKey.from_label(ORIGIN)
    witnesses = [NoteKey.from_label(f"witness{i}.liaocheng.example", 0x04) for i in range(1, 4)][
        : opts.witnesses
    ]
    actors = [
        Actor(
            "91371500MA3C000001", "冠县梨园合作社", NoteKey.from_label("actor/91371500MA3C000001")
        ),
        Actor("sha256:" + "ab" * 32, "张三", NoteKey.from_label("actor/person")),
    ]
    leaves: list[str] = [filler_leaf(n) for n in range(opts.filler_before)]

    for actor in actors:
        statement = {"action": "register", "actor": actor.ref, "key": actor.key.vkey}
        env = envelope(rfc8785.dumps(statement), KEY_TYPE, actor.key)
        named = actor.key.vkey
        if opts.misregister and actor is actors[0]:
            named = NoteKey.from_label("actor/impostor").vkey
        actor.index = len(leaves)
        leaves.append(key_leaf("register", actor.ref, named, env))
        actor.entry = {
            "vkey": actor.key.vkey,
            "actor": {"ref": actor.ref, "name": actor.name},
            "envelope": env,
            "leaf": leaves[-1],
            "revoked_at_index": None,
        }

    events: list[dict[str, Any]] = []
    prev = {BATCH: "-", OTHER_LOT: "-"}
    for n in range(opts.events):
        leaves += [
            filler_leaf(opts.filler_before + len(leaves) + i) for i in range(opts.filler_between)
        ]
        if opts.revoke_after is not None and n == opts.revoke_after:
            revoked = actors[0]
            statement = {"action": "revoke", "actor": revoked.ref, "key": revoked.key.vkey}
            env = envelope(rfc8785.dumps(statement), KEY_TYPE, revoked.key)
            revoked.entry["revoked_at_index"] = len(leaves)
            leaves.append(key_leaf("revoke", revoked.ref, revoked.key.vkey, env))
        signer = actors[0].key if n % 3 else actors[1].key
        both = n % 4 == 1
        event = epcis_event(n, BATCH, both)
        env = envelope(rfc8785.dumps(event), EVENT_TYPE, signer)
        lots = {BATCH: prev[BATCH], **({OTHER_LOT: prev[OTHER_LOT]} if both else {})}
        index = len(leaves)
        leaves.append(event_leaf(event["eventID"], env, signer, lots))
        for lot in lots:
            prev[lot] = str(index)
        events.append(
            {"envelope": env, "leaf": leaves[-1], "signer": signer.key_id.hex(), "at": index}
        )
    leaves += [filler_leaf(10**6 + i) for i in range(3)]  # the log went on after the last event

    tree = Tree([leaf.encode() for leaf in leaves])
    size = len(leaves)
    body = f"{ORIGIN}\n{size}\n{b64(tree.root(size))}\n"
    note = body + "\n" + signature_line(log_key, log_key.sign(body.encode()))
    note += "".join(cosignature(w, body, COSIGNED_AT + i) for i, w in enumerate(witnesses))

    def bundle(index: int) -> str:
        path = "".join(b64(h) + "\n" for h in tree.path(index, size))
        return f"c2sp.org/tlog-proof@v1\nindex {index}\n{path}\n{note}"

    for actor in actors:
        actor.entry["bundle"] = bundle(actor.index)
    for event in events:
        event["bundle"] = bundle(event.pop("at"))
    policy = f"# trust policy of {ORIGIN}\nlog {log_key.vkey} http://{ORIGIN}\n"
    policy += "".join(f"witness w{i} {w.vkey}\n" for i, w in enumerate(witnesses, start=1))
    return {
        "format": "cityhub.trace/evidence/v1",
        "batch": BATCH,
        "policy": policy + opts.policy_groups,
        "events": events,
        "keys": {actor.key.key_id.hex(): actor.entry for actor in actors},
    }


def log_index(event: dict[str, Any]) -> int:
    """The log index a bundle gives for its entry."""
    return int(event["bundle"].split("\n")[1].removeprefix("index "))


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False)
