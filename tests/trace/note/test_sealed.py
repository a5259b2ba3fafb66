"""Signing keys sealed at rest with a passphrase (scrypt + AES-256-GCM)."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.trace.note import generate_signer, signer_from_skey
from cityhub.trace.note.sealed import SealError, is_sealed, open_key_text, seal, unseal

SKEY = generate_signer("trace.liaocheng.gov.cn/agri").skey()
PASSPHRASE = "黄河 water level 32.5 m"  # non-ASCII passphrases work


def test_a_sealed_key_opens_with_its_passphrase_only() -> None:
    sealed = seal(SKEY, PASSPHRASE)
    assert is_sealed(sealed) and sealed.endswith("\n") and "PRIVATE+KEY" not in sealed
    assert unseal(sealed, PASSPHRASE) == SKEY
    assert signer_from_skey(open_key_text(sealed, PASSPHRASE)).skey() == SKEY
    with pytest.raises(SealError, match="wrong passphrase"):
        unseal(sealed, PASSPHRASE + " ")


def test_each_sealing_is_fresh() -> None:
    assert seal(SKEY, PASSPHRASE) != seal(SKEY, PASSPHRASE)  # new salt and nonce


def test_plain_key_files_pass_through() -> None:
    assert open_key_text(SKEY + "\n", None) == SKEY
    assert open_key_text(SKEY + "\n", PASSPHRASE) == SKEY


@pytest.mark.parametrize("passphrase", [None, ""])
def test_a_sealed_key_without_a_passphrase_says_which_setting(passphrase: str | None) -> None:
    with pytest.raises(SealError, match="CITYHUB_KEY_PASSPHRASE"):
        unseal(seal(SKEY, PASSPHRASE), passphrase)


def test_an_empty_passphrase_cannot_seal() -> None:
    with pytest.raises(SealError):
        seal(SKEY, "")


def _edited(field: str, value: object) -> str:
    document = json.loads(seal(SKEY, PASSPHRASE))
    document[field] = value
    return json.dumps(document)


def _flipped(field: str) -> str:
    document = json.loads(seal(SKEY, PASSPHRASE))
    raw = bytearray(base64.b64decode(document[field]))
    raw[0] ^= 1
    return _edited(field, base64.b64encode(bytes(raw)).decode())


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (_flipped("ciphertext"), "wrong passphrase or a damaged file"),
        (_flipped("nonce"), "wrong passphrase or a damaged file"),
        (_flipped("salt"), "wrong passphrase or a damaged file"),
        (_edited("sealed", "cityhub-key/2"), "not a cityhub-key/1"),
        (_edited("n", 3), "out of range"),
        (_edited("n", 2**30), "out of range"),  # would cost 1 TiB of memory
        (_edited("salt", "not base64!"), "damaged"),
        ('{"sealed": "cityhub-key/1"', "damaged"),
        ("{}", "not a cityhub-key/1"),
        ("[]", "damaged"),
    ],
)
def test_damaged_sealed_files_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(SealError, match=reason):
        unseal(text, PASSPHRASE)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300).map(lambda t: "{" + t))
def test_any_sealed_looking_text_opens_or_raises_seal_error(text: str) -> None:
    with pytest.raises(SealError):
        unseal(text, PASSPHRASE)
