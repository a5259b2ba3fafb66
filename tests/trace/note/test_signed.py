"""Signed notes: Go sumdb/note's Sign/Open cases, the C2SP example, and parser properties."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.trace.note import (
    NoteError,
    NoteSignature,
    NoteSigner,
    add_signatures,
    open_note,
    parse_note,
    sign_note,
    signer_from_skey,
    verifier_from_vkey,
)
from tests.trace.note.conftest import (
    ENOCH_SIG,
    ENOCH_VKEY,
    FOO_NOTE,
    FOO_VKEY,
    PETER_SIG,
    PETER_SKEY,
    PETER_TEXT,
    PETER_VKEY,
    make_signer,
)

PETER = verifier_from_vkey(PETER_VKEY)
ENOCH = verifier_from_vkey(ENOCH_VKEY)


def test_sign_gives_go_s_exact_note() -> None:
    assert sign_note(PETER_TEXT, [signer_from_skey(PETER_SKEY)]) == PETER_TEXT + "\n" + PETER_SIG


def test_c2sp_example_note_verifies() -> None:
    foo = verifier_from_vkey(FOO_VKEY)
    note, verified = open_note(FOO_NOTE, [foo])
    assert note.text == "This is an example message.\n" and verified == [foo]
    assert note.signatures[0].line() == FOO_NOTE.split("\n\n")[1]


def test_one_known_key_verifies_and_the_unknown_is_ignored() -> None:
    note, verified = open_note(PETER_TEXT + "\n" + PETER_SIG + ENOCH_SIG, [PETER])
    assert note.text == PETER_TEXT and verified == [PETER]
    assert [sig.name for sig in note.signatures] == ["PeterNeumann", "EnochRoot"]
    assert note.signatures[1].key_id == bytes.fromhex("af0cfe78")


def test_both_known_keys_verify() -> None:
    _, verified = open_note(PETER_TEXT + "\n" + PETER_SIG + ENOCH_SIG, [PETER, ENOCH])
    assert verified == [PETER, ENOCH]


def test_no_known_key_is_refused() -> None:
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(PETER_TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])


def test_the_same_verifier_listed_twice_is_not_ambiguous() -> None:
    _, verified = open_note(PETER_TEXT + "\n" + ENOCH_SIG, [ENOCH, PETER, ENOCH])
    assert verified == [ENOCH]


def test_two_different_keys_with_one_name_and_id_are_ambiguous() -> None:
    # Only reachable with a 32-bit key id collision; force one to test the guard.
    impostor = verifier_from_vkey(FOO_VKEY)
    object.__setattr__(impostor, "name", "EnochRoot")
    object.__setattr__(impostor, "key_id", ENOCH.key_id)
    with pytest.raises(NoteError, match="ambiguous key EnochRoot\\+af0cfe78"):
        open_note(PETER_TEXT + "\n" + ENOCH_SIG, [ENOCH, impostor])
    _, verified = open_note(PETER_TEXT + "\n" + PETER_SIG, [ENOCH, PETER, impostor])
    assert verified == [PETER]


def test_more_than_100_signatures_is_malformed() -> None:
    with pytest.raises(NoteError, match="more than 100"):
        open_note(PETER_TEXT + "\n" + PETER_SIG * 101, [PETER])
    with pytest.raises(NoteError, match="more than 100"):
        parse_note(PETER_TEXT + "\n" + PETER_SIG * 101)
    assert len(parse_note(PETER_TEXT + "\n" + PETER_SIG * 100).signatures) == 100


def test_at_least_16_distinct_signers_are_accepted() -> None:
    signers = [make_signer(f"k{i}.example", i) for i in range(20)]
    _, verified = open_note(sign_note("hello\n", signers), [s.verifier() for s in signers])
    assert len(verified) == 20


def test_a_bad_signature_from_a_known_key_rejects_the_note() -> None:
    broken = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match="invalid signature for key PeterNeumann\\+c74f20a3") as e:
        open_note(PETER_TEXT + "\n" + broken, [PETER])
    assert e.value.details == {"key": "PeterNeumann+c74f20a3", "line": 4}
    # Also when a good signature by that key comes first.
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(PETER_TEXT + "\n" + PETER_SIG + broken, [PETER])


def test_duplicated_signatures_verify_once() -> None:
    enoch_abcd = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    message = PETER_TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_abcd
    note, verified = open_note(message, [PETER])
    assert verified == [PETER] and len(note.signatures) == 5


@pytest.mark.parametrize(
    ("message", "reason"),
    [  # Go's badMsgs first
        (PETER_TEXT, "no blank line"),
        (PETER_TEXT + "\n", "no signature lines"),
        (PETER_TEXT + "\n" + PETER_SIG[:-1], "no signature lines"),
        ("\x01" + PETER_TEXT + "\n" + PETER_SIG, "control characters"),
        (b"\xff" + PETER_TEXT.encode() + b"\n" + PETER_SIG.encode(), "UTF-8"),
        (PETER_TEXT + "\n" + "— Bad Name" + PETER_SIG[14:-1], "no signature lines"),
        (PETER_TEXT + "\n" + "— Bad Name" + PETER_SIG[14:], "base64"),
        (PETER_TEXT + "\n" + "— Bad+Name" + PETER_SIG[14:], "invalid key name"),
        (PETER_TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "must start with"),
        (PETER_TEXT.replace("\n", "\r\n") + "\r\n" + PETER_SIG, "control characters"),
        (PETER_TEXT + "\n" + PETER_SIG.replace("—", "-"), "must start with"),
        (PETER_TEXT + "\n" + PETER_SIG.replace("— ", "—"), "must start with"),
        (PETER_TEXT + "\n" + PETER_SIG.replace(" x08", "  x08"), "base64"),
        (PETER_TEXT + "\n" + PETER_SIG.replace("=\n", "\n"), "base64"),
        (PETER_TEXT + "\n" + PETER_SIG.replace("AM=", "AN="), "base64"),  # stray low bits
        (PETER_TEXT + "\n— PeterNeumann x08gow==\n", "base64"),  # key id + 0 bytes
        (PETER_TEXT + "\n— PeterNeumann \n", "base64"),
        (PETER_TEXT + "\n— x08go/ZJkuBS9UG\n", "base64"),
        (PETER_TEXT + "\n—  x08go/ZJkuBS9UG\n", "invalid key name"),
        (PETER_TEXT + "\n" + PETER_SIG + "\n", "no signature lines"),
        (PETER_TEXT + "\n" + PETER_SIG + "\n" + PETER_SIG.replace("P", "\ud800", 1), "control"),
        ("", "no blank line"),
    ],
)
def test_malformed_notes(message: str | bytes, reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        open_note(message, [PETER])


def test_error_details_name_the_line() -> None:
    with pytest.raises(NoteError) as caught:
        parse_note(PETER_TEXT + "\n" + PETER_SIG + "nope\n")
    assert caught.value.details == {"line": 5}
    with pytest.raises(NoteError) as caught:
        parse_note("ok\nbad\x07\n\n" + PETER_SIG)
    assert caught.value.details == {"line": 2}


def test_misnamed_or_rehashed_signatures_are_unknown() -> None:
    for sig in (
        PETER_SIG.replace("PeterNeumann", "CarmenSandiego"),
        PETER_SIG.replace("x08g", "xxxx"),
    ):
        with pytest.raises(NoteError, match="no verifiable signatures"):
            open_note(PETER_TEXT + "\n" + sig, [PETER])


def test_text_may_hold_blank_lines_and_del_and_bytes_parse_alike() -> None:
    signer = signer_from_skey(PETER_SKEY)
    text = "a\n\n— not a signature\n\n\x7f\n"
    note, _ = open_note(sign_note(text, [signer]).encode(), [PETER])
    assert note.text == text


@pytest.mark.parametrize(
    ("text", "signers", "reason"),
    [
        ("abc", [signer_from_skey(PETER_SKEY)], "end with a newline"),
        ("a\x00\n", [signer_from_skey(PETER_SKEY)], "control"),
        ("abc\n", [], "at least one signer"),
    ],
)
def test_sign_refuses(text: str, signers: list[NoteSigner], reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        sign_note(text, signers)


def test_a_repeated_signer_signs_once() -> None:
    signer = signer_from_skey(PETER_SKEY)
    assert sign_note(PETER_TEXT, [signer, signer]) == PETER_TEXT + "\n" + PETER_SIG


def test_add_signatures_appends_and_dedupes_by_key() -> None:
    signed = PETER_TEXT + "\n" + PETER_SIG
    both = add_signatures(signed, [ENOCH_SIG])
    assert both == signed + ENOCH_SIG
    assert open_note(both, [PETER, ENOCH])[1] == [PETER, ENOCH]
    # A second line for a key already present is dropped; the first one stays.
    other = NoteSignature("EnochRoot", ENOCH.key_id, b"\x00" * 64).line()
    assert add_signatures(both, [other, PETER_SIG]) == both
    # A witness's response body (several lines in one string) is accepted as is.
    assert add_signatures(signed, ENOCH_SIG + other) == both
    assert add_signatures(signed, [ENOCH_SIG.rstrip("\n")]) == both


@pytest.mark.parametrize("lines", [["garbage\n"], [""], ["— a b c\n"], [PETER_SIG + "\n"]])
def test_add_signatures_refuses_malformed_lines(lines: list[str]) -> None:
    with pytest.raises(NoteError):
        add_signatures(PETER_TEXT + "\n" + PETER_SIG, lines)


def test_add_signatures_keeps_the_100_limit() -> None:
    signed = sign_note("x\n", [make_signer("log.example", 1)])
    lines = [NoteSignature(f"w{i}", b"\x00\x00\x00\x01", b"\x00" * 72).line() for i in range(99)]
    assert len(parse_note(add_signatures(signed, lines)).signatures) == 100
    with pytest.raises(NoteError, match="more than 100"):
        add_signatures(signed, [*lines, NoteSignature("w99", b"\x00" * 4, b"\x00").line()])


NEAR_NOTE = st.lists(
    st.sampled_from(
        ["\n", "\n\n", "— ", "—", " ", "PeterNeumann", "x08go/ZJ", "=", "+", "\x00", "é"]
    )
    | st.sampled_from([PETER_SIG, ENOCH_SIG, PETER_TEXT]),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text() | st.binary() | NEAR_NOTE)
def test_parse_note_raises_only_note_error(message: str | bytes) -> None:
    try:
        note = parse_note(message)
    except NoteError:
        return
    assert note.text.endswith("\n") and 1 <= len(note.signatures) <= 100
    with contextlib.suppress(NoteError):
        open_note(message, [PETER, ENOCH])


NOTE_TEXT = st.text(st.characters(codec="utf-8", min_codepoint=0x20) | st.just("\n")).map(
    lambda text: text + "\n"
)


@settings(max_examples=100, deadline=None)
@given(NOTE_TEXT, st.lists(st.integers(1, 5), min_size=1, max_size=4))
def test_sign_then_open_round_trips(text: str, numbers: list[int]) -> None:
    signers = [make_signer(f"k{n}.example", n) for n in numbers]
    message = sign_note(text, signers)
    note, verified = open_note(message, [s.verifier() for s in signers])
    assert note.text == text
    assert [v.name for v in verified] == list(dict.fromkeys(f"k{n}.example" for n in numbers))
    assert note.text + "\n" + "".join(sig.line() for sig in note.signatures) == message
