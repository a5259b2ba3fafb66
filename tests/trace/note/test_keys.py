"""Note keys: the Go sumdb/note key vectors, key ids, name rules and cosigner keys."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cityhub.errors import InvalidInput
from cityhub.trace.note import (
    COSIGNATURE_V1,
    ED25519,
    NoteError,
    NoteVerifier,
    generate_signer,
    key_id,
    signer_from_skey,
    validate_key_name,
    verifier_from_vkey,
)
from tests.trace.note.conftest import ENOCH_VKEY, FOO_VKEY, PETER_SKEY, PETER_VKEY, make_signer

PETER_PUBLIC = base64.b64decode(PETER_VKEY.split("+", 2)[2])[1:]


def _vkey(name: str, kind: int, public: bytes) -> str:
    """A vkey with a correct key id for arbitrary (possibly invalid) key material."""
    kid = hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]
    return f"{name}+{kid.hex()}+{base64.b64encode(bytes([kind]) + public).decode()}"


def test_go_signer_key_gives_the_go_verifier_key() -> None:
    signer = signer_from_skey(PETER_SKEY)
    assert signer.name == "PeterNeumann" and signer.key_id == bytes.fromhex("c74f20a3")
    assert signer.verifier().vkey() == PETER_VKEY
    assert signer.skey() == PETER_SKEY


@pytest.mark.parametrize("vkey", [PETER_VKEY, ENOCH_VKEY, FOO_VKEY])
def test_published_verifier_keys_round_trip(vkey: str) -> None:
    verifier = verifier_from_vkey(vkey)
    assert verifier.kind == ED25519 and len(verifier.public_key) == 32
    assert verifier.vkey() == vkey


def test_key_id_is_sha256_of_name_newline_type_and_key() -> None:
    assert key_id("PeterNeumann", ED25519, PETER_PUBLIC) == bytes.fromhex("c74f20a3")
    assert key_id("PeterNeumann", COSIGNATURE_V1, PETER_PUBLIC) != bytes.fromhex("c74f20a3")


def _manglings(key: str) -> list[str]:
    # As Go's TestNewVerifier: every proper substring, and every character bumped by one.
    subs = [key[i:j] for i in range(len(key) + 1) for j in range(i + 1, len(key) + 1)]
    bumped = [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    return [k for k in subs + bumped if k != key]


def test_every_mangled_verifier_key_is_refused() -> None:
    for mangled in _manglings(PETER_VKEY):
        with pytest.raises(NoteError):
            verifier_from_vkey(mangled)


def test_every_mangled_signer_key_is_refused() -> None:
    for mangled in _manglings(PETER_SKEY):
        with pytest.raises(NoteError):
            signer_from_skey(mangled)


@pytest.mark.parametrize(
    ("vkey", "reason"),
    [
        # Go's two hand-made cases: wrong key length, unknown algorithm (ids adjusted).
        # (Its base64 also has stray low bits, which we refuse first.)
        ("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "base64"),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "unknown key type"),
        (_vkey("n", ED25519, PETER_PUBLIC[:31]), "32 bytes"),
        (_vkey("n", ED25519, PETER_PUBLIC + b"\x00"), "32 bytes"),
        (_vkey("n", 0x02, PETER_PUBLIC), "unknown key type 0x02"),
        (_vkey("n", 0x06, PETER_PUBLIC), "unknown key type 0x06"),
        (PETER_VKEY.replace("c74f20a3", "C74F20A3"), "lowercase hex"),
        (PETER_VKEY.replace("c74f20a3", "c74f20a4"), "key id does not match"),
        (PETER_VKEY.replace("+c74f20a3", "+0c74f20a3"), "8 lowercase hex"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n", "base64"),
        ("PeterNeumann+c74f20a3+", "base64"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key name"),
    ],
)
def test_bad_verifier_keys(vkey: str, reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        verifier_from_vkey(vkey)


@pytest.mark.parametrize(
    "name",
    ["PeterNeumann", "example.com/foo", "冠县鸭梨/log", "a—b", "127.0.0.1:8000/trace/log", "x"],
)
def test_valid_key_names(name: str) -> None:
    validate_key_name(name)


BAD_NAMES = ["", "a b", "a+b", "+", "a\tb", "a\nb", "a\x01b", "a\u00a0b", "a\u3000b"]
BAD_NAMES += ["a\u2028b", "a\x85b", "a\u2009b", "\ud800"]  # Unicode spaces, lone surrogate


@pytest.mark.parametrize("name", BAD_NAMES)
def test_invalid_key_names(name: str) -> None:
    with pytest.raises(NoteError):
        validate_key_name(name)
    with pytest.raises(NoteError):
        generate_signer(name)


def test_note_error_is_invalid_input_with_a_stable_code() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_key_name("a b")
    assert caught.value.code == "note_invalid" and caught.value.details == {"name": "a b"}


@pytest.mark.parametrize("kind", [ED25519, COSIGNATURE_V1])
def test_generated_keys_round_trip_through_text(kind: int) -> None:
    signer = generate_signer("example.com/w", kind)
    again = signer_from_skey(signer.skey())
    assert (again.name, again.key_id, again.kind) == (signer.name, signer.key_id, kind)
    verifier = verifier_from_vkey(signer.verifier().vkey())
    assert verifier == signer.verifier() and verifier.kind == kind
    assert base64.b64decode(signer.skey().split("+", 4)[4])[0] == kind


def test_signer_repr_hides_the_seed() -> None:
    signer = signer_from_skey(PETER_SKEY)
    assert PETER_SKEY.split("+", 4)[4] not in repr(signer) and "c74f20a3" in repr(signer)


def test_note_signature_verifies_and_tampering_fails() -> None:
    signer = signer_from_skey(PETER_SKEY)
    verifier = verifier_from_vkey(PETER_VKEY)
    sig = signer.sign(b"hi")
    assert verifier.verify(b"hi", sig)
    assert not verifier.verify(b"hj", sig)
    assert not verifier.verify(b"hi", bytes([sig[0] ^ 1]) + sig[1:])
    assert not verifier.verify(b"hi", sig[:63])
    with pytest.raises(NoteError, match="timestamp"):
        signer.sign(b"hi", timestamp=1)


BODY = b"example.com/log\n123\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n"


def test_cosigner_key_id_uses_type_0x04() -> None:
    cosigner = make_signer("witness.example", 7, COSIGNATURE_V1)
    plain = make_signer("witness.example", 7, ED25519)
    public = cosigner.verifier().public_key
    want = hashlib.sha256(b"witness.example\n\x04" + public).digest()[:4]
    assert cosigner.key_id == want != plain.key_id
    name, hex8, data = cosigner.verifier().vkey().split("+", 2)
    assert (name, hex8, base64.b64decode(data)) == ("witness.example", want.hex(), b"\x04" + public)
    assert cosigner.skey().startswith(f"PRIVATE+KEY+witness.example+{want.hex()}+")
    assert base64.b64decode(cosigner.skey().split("+", 4)[4]) == b"\x04" + bytes([7]) * 32


def test_cosignature_is_big_endian_timestamp_then_signature_over_cosignature_v1() -> None:
    cosigner = make_signer("witness.example", 7, COSIGNATURE_V1)
    sig = cosigner.sign(BODY, timestamp=0x0102030405060708)
    assert len(sig) == 72 and sig[:8] == bytes([1, 2, 3, 4, 5, 6, 7, 8])
    # Independently of our verifier: the raw Ed25519 key signs the cosignature/v1 message.
    raw = Ed25519PublicKey.from_public_bytes(cosigner.verifier().public_key)
    raw.verify(sig[8:], b"cosignature/v1\ntime 72623859790382856\n" + BODY)
    verifier = cosigner.verifier()
    assert verifier.verify(BODY, sig)
    assert not verifier.verify(BODY.replace(b"123", b"124"), sig)  # tampered body
    assert not verifier.verify(BODY, (1).to_bytes(8, "big") + sig[8:])  # tampered time
    assert not verifier.verify(BODY, sig[:71])
    # The same key as a plain note key must not accept it.
    plain = NoteVerifier(
        "witness.example",
        key_id("witness.example", ED25519, verifier.public_key),
        verifier.public_key,
        ED25519,
    )
    assert not plain.verify(BODY, sig) and not plain.verify(BODY, sig[8:])


def test_cosignature_timestamp_defaults_to_now_and_is_bounded() -> None:
    cosigner = make_signer("witness.example", 7, COSIGNATURE_V1)
    assert int.from_bytes(cosigner.sign(BODY)[:8], "big") > 1_700_000_000
    with pytest.raises(NoteError):
        cosigner.sign(BODY, timestamp=2**63)
    with pytest.raises(NoteError):
        cosigner.sign(BODY, timestamp=-1)
    # A signature claiming a time beyond 2^63 - 1 never verifies.
    forged = (2**63).to_bytes(8, "big") + cosigner.sign(BODY, timestamp=0)[8:]
    assert not cosigner.verifier().verify(BODY, forged)


def test_a_0x04_signer_key_is_accepted_with_its_key_id() -> None:
    cosigner = make_signer("witness.example", 9, COSIGNATURE_V1)
    again = signer_from_skey(cosigner.skey())
    assert again.kind == COSIGNATURE_V1 and again.key_id == cosigner.key_id
    wrong = cosigner.skey().replace(cosigner.key_id.hex(), "00000000")
    with pytest.raises(NoteError, match="key id"):
        signer_from_skey(wrong)


def test_verifier_constructor_checks_its_fields() -> None:
    good = verifier_from_vkey(PETER_VKEY)
    with pytest.raises(NoteError, match="key id"):
        NoteVerifier(good.name, b"\x00\x00\x00\x00", good.public_key, good.kind)
    with pytest.raises(NoteError, match="unknown key type"):
        NoteVerifier(good.name, good.key_id, good.public_key, 0x05)
