"""Signing keys encrypted at rest: a C2SP ``PRIVATE+KEY+…`` string sealed with a passphrase.

The sealed form is one line of JSON, so that it cannot be mistaken for a plain key::

    {"sealed": "cityhub-key/1", "kdf": "scrypt", "n": 32768, "r": 8, "p": 1,
     "salt": "<base64>", "aead": "aes-256-gcm", "nonce": "<base64>", "ciphertext": "<base64>"}

scrypt (RFC 7914) stretches the passphrase into a 256-bit key; AES-256-GCM seals the key string
with the format name as associated data, so a changed header fails like a wrong passphrase.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from cityhub.errors import InvalidInput

FORMAT = "cityhub-key/1"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # ~0.1 s and 32 MiB: once per process start


class SealError(InvalidInput):
    """A sealed key cannot be opened: no passphrase, a wrong one, or a damaged file."""

    code = "sealed_key"


def is_sealed(text: str) -> bool:
    """Whether ``text`` (a key file's content) is a sealed key rather than a plain one."""
    return text.lstrip().startswith("{")


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def seal(skey: str, passphrase: str) -> str:
    """``skey`` sealed with ``passphrase``: the file content, one line, with a newline."""
    if not passphrase:
        raise SealError("an empty passphrase cannot seal a key")
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _key(passphrase, salt, **SCRYPT)
    ciphertext = AESGCM(key).encrypt(nonce, skey.encode("ascii"), FORMAT.encode())
    document = {
        "sealed": FORMAT,
        "kdf": "scrypt",
        **SCRYPT,
        "salt": base64.b64encode(salt).decode(),
        "aead": "aes-256-gcm",
        "nonce": base64.b64encode(nonce).decode(),
        "ciphertext": base64.b64encode(ciphertext).decode(),
    }
    return json.dumps(document) + "\n"


def unseal(text: str, passphrase: str | None) -> str:
    """The ``PRIVATE+KEY+…`` string of a sealed key file's ``text``."""
    if not passphrase:
        raise SealError("the key is encrypted: its passphrase is needed (CITYHUB_KEY_PASSPHRASE)")
    try:
        document: Any = json.loads(text)
        if document.get("sealed") != FORMAT or document.get("kdf") != "scrypt":
            raise SealError(f"not a {FORMAT} sealed key")
        n, r, p = (int(document[k]) for k in ("n", "r", "p"))
        if not (2**14 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
            raise SealError("the sealed key's scrypt parameters are out of range")
        salt, nonce, ciphertext = (
            base64.b64decode(document[k], validate=True) for k in ("salt", "nonce", "ciphertext")
        )
        key = _key(passphrase, salt, n, r, p)
        plain = AESGCM(key).decrypt(nonce, ciphertext, FORMAT.encode())
    except SealError:
        raise
    except InvalidTag:
        raise SealError("cannot open the sealed key: wrong passphrase or a damaged file") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SealError(f"the sealed key file is damaged: {exc}") from None
    return plain.decode("ascii")


def open_key_text(text: str, passphrase: str | None) -> str:
    """A key file's content as the plain key string, unsealing it when it is sealed."""
    return unseal(text, passphrase) if is_sealed(text) else text.strip()
