"""Hashing of passwords (argon2id) and of random bearer secrets (SHA-256)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the user does not exist, so that timing does not reveal which names exist.
_DUMMY_HASH = _hasher.hash("cityhub-timing-equaliser")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no hash, spend the same time and say no."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def new_secret(prefix: str) -> str:
    """A random bearer secret with a recognisable prefix (256 bits of entropy)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(secret: str) -> str:
    """SHA-256 hex of a bearer secret; a fast hash suffices for 256-bit random values."""
    return hashlib.sha256(secret.encode()).hexdigest()


def random_password() -> str:
    """A random password for a first admin, readable enough to type."""
    return secrets.token_urlsafe(15)
