"""The demo actors' signing keys: DEMO KEYS, derived from a published secret, never for real use.

A real actor generates its Ed25519 key on its own machine (``cityhub trace keygen`` or the web
page) and the platform never sees the private half. The demo has to sign thousands of events
for 31 invented firms, and a rerun must sign with the same keys as the first run (the keys are
registered in the append-only log), so each demo key's seed is
``HMAC-SHA256(DEMO_KEY_SECRET, actor ref)``. The secret is in this file: anyone can forge the
demo actors' signatures, which is exactly why these keys sign nothing but demo data.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cityhub.demo.trace_chain_model import CHINA
from cityhub.trace.note import NoteSigner
from cityhub.trace.statements import key_statement, sign_statement

DEMO_KEY_SECRET = b"cityhub demo trace keys v1: public on purpose, demo data only"
KEY_NAME_PREFIX = "demo.liaocheng.cityhub.example/actor/"
# Fixed, so that a rerun builds byte-identical statements; before the chains' first event.
REGISTERED_AT = datetime(2026, 2, 1, 9, 0, tzinfo=CHINA)


@dataclass(frozen=True)
class DemoKey:
    """An actor's demo key: the note signer (vkey, statements) and the raw key (envelopes)."""

    actor_ref: str
    signer: NoteSigner
    private_key: Ed25519PrivateKey

    @property
    def key_id(self) -> str:
        return self.signer.key_id.hex()

    @property
    def vkey(self) -> str:
        return self.signer.verifier().vkey()


def demo_key_name(actor_ref: str) -> str:
    """The key name of an actor's demo key: says ``demo`` and names the actor."""
    return KEY_NAME_PREFIX + actor_ref


def demo_key(actor_ref: str) -> DemoKey:
    """The actor's demo key; the same ref gives the same key on every machine and run."""
    seed = hmac.new(DEMO_KEY_SECRET, actor_ref.encode("utf-8"), hashlib.sha256).digest()
    signer = NoteSigner(demo_key_name(actor_ref), seed)
    return DemoKey(actor_ref, signer, Ed25519PrivateKey.from_private_bytes(seed))


def registration(key: DemoKey, at: datetime = REGISTERED_AT) -> dict[str, Any]:
    """The ``register`` key statement of the actor's demo key, signed by it, dated ``at``."""
    body = key_statement("register", key.actor_ref, time=at, vkey=key.vkey)
    return sign_statement(body, [key.signer])
