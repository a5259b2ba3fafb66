"""note.js: the published signed-note vectors verify, and every malformed note, vkey,
checkpoint or tlog-proof bundle is refused with a reason rather than half-read."""

from __future__ import annotations

from typing import Any

import pytest

from tests.trace.browser.evidence_builder import NoteKey, b64

pytestmark = pytest.mark.browser

# Runs `body` with the note, crypto and bytes modules in scope and `arg` bound; a thrown
# FormatError comes back as {"error": message}. The body is spliced into the evaluated function
# because the site's CSP (served here too) forbids `new Function`.
CALL = """async (arg) => {
    const note = await import("/static/trace/note.js");
    const bytes = await import("/static/trace/bytes.js");
    const { loadCrypto } = await import("/static/trace/crypto.js");
    const cr = await loadCrypto();
    try {
        BODY
    } catch (error) {
        if (error instanceof bytes.FormatError) return { error: error.message };
        throw error;
    }
}"""

VERIFY_NOTE = """
    const key = await note.parseVKey(cr.sha256, arg.vkey);
    const parsed = note.parseSignedNote(arg.note);
    const line = parsed.signatures[0];
    const known = line.name === key.name && bytes.equal(line.keyId, key.keyId);
    return known && await cr.verifyEd25519(key.pub, line.sig, bytes.utf8(parsed.text));
"""


def call(tab: Any, body: str, arg: Any) -> Any:
    return tab.evaluate(CALL.replace("BODY", body), arg)


# C2SP signed-note.md and golang/mod sumdb/note/note_test.go (see trace-ledger.md §2.1).
C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
C2SP_NOTE = (
    "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2"
    "ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_NOTE = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n\n"
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZ"
    "b6KE6RyyBwJnAM=\n"
)


@pytest.mark.parametrize(
    ("vkey", "text", "valid"),
    [
        (C2SP_VKEY, C2SP_NOTE, True),
        (GO_VKEY, GO_NOTE, True),
        (C2SP_VKEY, C2SP_NOTE.replace("example message", "example massage"), False),
        (GO_VKEY, GO_NOTE.replace("problem,", "problem;"), False),
    ],
    ids=["c2sp", "go", "c2sp-tampered", "go-tampered"],
)
def test_published_note_vectors(tab: Any, vkey: str, text: str, valid: bool) -> None:
    assert call(tab, VERIFY_NOTE, {"vkey": vkey, "note": text}) is valid


PARSE_NOTE = "return note.parseSignedNote(arg).signatures.length;"
GOOD_SIG = b64(b"\x01\x02\x03\x04" + bytes(64))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"hello\n— k {GOOD_SIG}\n", "no blank line"),
        (f"hello\n\n- k {GOOD_SIG}\n", 'does not start with "— "'),
        (f"hello\n\n—k {GOOD_SIG}\n", 'does not start with "— "'),
        (f"hello\n\n— k  {GOOD_SIG}\n", "is not"),
        (f"hello\n\n— k {GOOD_SIG}", "does not end with a newline"),
        (f"hello\r\n\n— k {GOOD_SIG}\n", "control character"),
        (f"hello\n\n— k+x {GOOD_SIG}\n", "invalid key name"),
        (f"hello\n\n— k {GOOD_SIG.rstrip('=')}\n", "not canonical base64"),
        (f"hello\n\n— k {GOOD_SIG[:-3]}B==\n", "not canonical base64"),
        ("hello\n\n— k AQIDBA==\n", "too short"),
        ("hello\n\n", "does not end with a newline"),
    ],
    ids=[
        "no-blank-line",
        "hyphen",
        "no-space",
        "two-spaces",
        "no-final-newline",
        "carriage-return",
        "plus-in-name",
        "unpadded",
        "non-canonical-bits",
        "no-signature-bytes",
        "no-signatures",
    ],
)
def test_malformed_notes_are_refused(tab: Any, text: str, reason: str) -> None:
    result = call(tab, PARSE_NOTE, text)
    assert isinstance(result, dict), f"accepted: {text!r}"
    assert reason in result["error"]


def test_the_last_blank_line_separates_the_signatures(tab: Any) -> None:
    text = f"para one\n\npara two\n\n— k {GOOD_SIG}\n— j {GOOD_SIG}\n"
    body = "const n = note.parseSignedNote(arg); return [n.text, n.signatures.map(s => s.name)];"
    assert call(tab, body, text) == ["para one\n\npara two\n", ["k", "j"]]


WITNESS = NoteKey.from_label("w.example", 0x04)
WITNESS_KEY = b64(bytes([0x04]) + WITNESS.public)
TYPE_2_KEY = b64(bytes([0x02]) + bytes(32))
SHORT_KEY = b64(bytes([0x01]) + bytes(31))


@pytest.mark.parametrize(
    ("vkey", "reason"),
    [
        (C2SP_VKEY.replace("530d903a", "530d903b"), "does not match"),
        (C2SP_VKEY.replace("530d903a", "530D903A"), "is not <name>+<hex8>+<base64>"),
        ("example.com/foo+530d903a", "is not <name>+<hex8>+<base64>"),
        ("+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "invalid key name"),
        (f"a b+{WITNESS.key_id.hex()}+{WITNESS_KEY}", "invalid key name"),
        (f"k+00000000+{TYPE_2_KEY}", "not an Ed25519"),
        (f"k+00000000+{SHORT_KEY}", "not an Ed25519"),
    ],
    ids=["wrong-id", "upper-hex", "no-key", "empty-name", "space", "type-2", "short"],
)
def test_malformed_vkeys_are_refused(tab: Any, vkey: str, reason: str) -> None:
    result = call(tab, "return (await note.parseVKey(cr.sha256, arg)).name;", vkey)
    assert isinstance(result, dict), f"accepted: {vkey}"
    assert reason in result["error"]


def test_a_cosignature_vkey_is_read_with_its_type(tab: Any) -> None:
    body = "const k = await note.parseVKey(cr.sha256, arg); return [k.name, k.type, k.keyIdHex];"
    assert call(tab, body, WITNESS.vkey) == ["w.example", 4, WITNESS.key_id.hex()]


ROOT = b64(bytes(range(32)))
CHECKPOINT = f"example.com/log\n12\n{ROOT}\n\n— example.com/log {GOOD_SIG}\n"
PATH = f"{b64(bytes(32))}\n{b64(bytes([7]) * 32)}\n"


def test_a_bundle_is_read_exactly(tab: Any) -> None:
    bundle = f"c2sp.org/tlog-proof@v1\nextra {b64(b'hi')}\nindex 5\n{PATH}\n{CHECKPOINT}"
    body = """const b = note.parseProofBundle(arg);
        const c = note.parseCheckpoint(note.parseSignedNote(b.checkpoint).text);
        const extra = bytes.fromUtf8(b.extra);
        return [b.index, b.proof.length, extra, b.checkpoint, c.origin, c.size];"""
    assert call(tab, body, bundle) == [5, 2, "hi", CHECKPOINT, "example.com/log", 12]


@pytest.mark.parametrize(
    ("bundle", "reason"),
    [
        (f"c2sp.org/tlog-proof@v2\nindex 5\n{PATH}\n{CHECKPOINT}", "does not start with"),
        (f"c2sp.org/tlog-proof@v1\nindex 05\n{PATH}\n{CHECKPOINT}", "not a decimal"),
        (f"c2sp.org/tlog-proof@v1\nindex -5\n{PATH}\n{CHECKPOINT}", "not a decimal"),
        (f"c2sp.org/tlog-proof@v1\n{PATH}\n{CHECKPOINT}", '"index <n>"'),
        (f"c2sp.org/tlog-proof@v1\nindex 5\nextra aGk=\n{PATH}\n{CHECKPOINT}", "proof hash 1"),
        (f"c2sp.org/tlog-proof@v1\nindex 5\n{b64(bytes(31))}\n\n{CHECKPOINT}", "not 32 bytes"),
        (f"c2sp.org/tlog-proof@v1\nindex 5\n{PATH}{CHECKPOINT}", "proof hash 3"),
        ("c2sp.org/tlog-proof@v1\nindex 5\n", "no blank line"),
        (f"c2sp.org/tlog-proof@v1\nextra \nindex 5\n{PATH}\n{CHECKPOINT}", "extra is empty"),
    ],
    ids=[
        "magic",
        "leading-zero",
        "negative",
        "no-index",
        "extra-after-index",
        "short-hash",
        "no-blank-line",
        "no-checkpoint",
        "empty-extra",
    ],
)
def test_malformed_bundles_are_refused(tab: Any, bundle: str, reason: str) -> None:
    result = call(tab, "return note.parseProofBundle(arg).index;", bundle)
    assert isinstance(result, dict), f"accepted: {bundle!r}"
    assert reason in result["error"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (f"example.com/log\n012\n{ROOT}\n", "not a decimal"),
        (f"example.com/log\n12\n{b64(bytes(31))}\n", "not 32 bytes"),
        ("example.com/log\n12\n", "non-empty lines"),
        (f"\n12\n{ROOT}\n", "non-empty lines"),
        (f"example.com/log\n99999999999999999\n{ROOT}\n", "too large"),
    ],
    ids=["leading-zero", "short-root", "no-root", "empty-origin", "huge-size"],
)
def test_malformed_checkpoints_are_refused(tab: Any, body: str, reason: str) -> None:
    result = call(tab, "return note.parseCheckpoint(arg).size;", body)
    assert isinstance(result, dict), f"accepted: {body!r}"
    assert reason in result["error"]
