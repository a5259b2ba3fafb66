"""Checkpoint bodies (Go sumdb FormatTree golden, C2SP example) and timestamped cosignatures."""

from __future__ import annotations

import base64
import contextlib
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.trace.note import (
    Checkpoint,
    NoteError,
    NoteSignature,
    add_signatures,
    cosignature_timestamp,
    open_note,
    parse_checkpoint,
    parse_note,
    sign_checkpoint,
)
from tests.trace.note.conftest import LOG_NAME, SOFA_NOTE, SOFA_TIME, make_signer

GO_TREE = "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"
HELLO = hashlib.sha256(b"\x00hello world").digest()  # Go's tlog.RecordHash("hello world")
ROOT = base64.b64encode(HELLO).decode()


def test_format_gives_go_s_golden_tree() -> None:
    assert Checkpoint("go.sum database tree", 123456789012, HELLO).body() == GO_TREE


def test_parse_reads_go_s_golden_tree() -> None:
    assert parse_checkpoint(GO_TREE) == Checkpoint("go.sum database tree", 123456789012, HELLO)
    # Go refuses "not-" + tree by its fixed first line; a checkpoint's origin is free
    # text, and checking it against the log's name is verify_checkpoint's job.
    assert parse_checkpoint("not-" + GO_TREE).origin == "not-go.sum database tree"


def test_extension_lines_are_kept() -> None:
    # Go's ParseTree ignores trailing junk; for a checkpoint those are extension lines.
    cp = parse_checkpoint(GO_TREE + "JOE\nANN\n")
    assert cp.extensions == ("JOE", "ANN") and cp.body() == GO_TREE + "JOE\nANN\n"


def test_c2sp_example_checkpoint_parses() -> None:
    cp = parse_checkpoint(parse_note(SOFA_NOTE).text)
    assert (cp.origin, cp.size) == ("example.com/behind-the-sofa", 20852163)
    assert base64.b64encode(cp.root).decode() == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="


@pytest.mark.parametrize("size", [0, 1, 10, 2**63, 2**64 - 1])
def test_sizes_in_range(size: int) -> None:
    assert parse_checkpoint(f"o\n{size}\n{ROOT}\n").size == size


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("o\n0xabcdef\n" + ROOT + "\n", 2),  # Go's bad trees
        ("o\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n", 3),
        ("o\n0123\n" + ROOT + "\n", 2),  # leading zero
        ("o\n00\n" + ROOT + "\n", 2),
        ("o\n-1\n" + ROOT + "\n", 2),
        ("o\n+1\n" + ROOT + "\n", 2),
        ("o\n 1\n" + ROOT + "\n", 2),
        ("o\n1 \n" + ROOT + "\n", 2),
        ("o\n１\n" + ROOT + "\n", 2),  # fullwidth digit
        ("o\n٣\n" + ROOT + "\n", 2),  # Arabic-Indic digit
        (f"o\n{2**64}\n" + ROOT + "\n", 2),
        ("o\n1\n" + base64.b64encode(HELLO[:31]).decode() + "\n", 3),  # 31 bytes
        ("o\n1\n" + base64.b64encode(HELLO + b"!").decode() + "\n", 3),  # 33 bytes
        ("o\n1\n" + ROOT.rstrip("=") + "\n", 3),  # unpadded
        ("o\n1\n" + ROOT.replace("b0=", "b1=") + "\n", 3),  # stray low bits
        ("o\n1\n" + ROOT.replace("+", "-") + "\n", 3),  # URL alphabet
        ("o\n1\n", 2),
        ("\n1\n" + ROOT + "\n", 1),  # empty origin
        ("o\n1\n" + ROOT + "\n\next\n", 4),  # empty extension line
    ],
)
def test_bad_checkpoints(body: str, line: int) -> None:
    with pytest.raises(NoteError) as caught:
        parse_checkpoint(body)
    assert caught.value.details.get("line") == line


@pytest.mark.parametrize(
    "body", ["o\n1\n" + ROOT, "o\r\n1\r\n" + ROOT + "\r\n", "o\t\n1\n" + ROOT + "\n", ""]
)
def test_checkpoints_must_be_newline_terminated_note_text(body: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(body)


@pytest.mark.parametrize(
    "fields",
    [
        ("", 1, HELLO),
        ("a\nb", 1, HELLO),
        ("o", -1, HELLO),
        ("o", 2**64, HELLO),
        ("o", 1, HELLO[:31]),
    ],
)
def test_checkpoint_constructor_refuses_what_it_cannot_print(
    fields: tuple[str, int, bytes],
) -> None:
    with pytest.raises(NoteError):
        Checkpoint(*fields)
    with pytest.raises(NoteError):
        Checkpoint("o", 1, HELLO, ("",))


def test_signed_checkpoint_opens_with_the_log_key() -> None:
    log = make_signer(LOG_NAME, 1)
    note = sign_checkpoint(Checkpoint(LOG_NAME, 5, HELLO), log)
    opened, verified = open_note(note, [log.verifier()])
    assert parse_checkpoint(opened.text) == Checkpoint(LOG_NAME, 5, HELLO)
    assert verified == [log.verifier()]


def test_a_log_key_must_be_named_as_the_origin() -> None:
    with pytest.raises(NoteError, match="is not the origin"):
        sign_checkpoint(Checkpoint("other.example/log", 5, HELLO), make_signer(LOG_NAME, 1))


def _cosign(note: str, number: int, timestamp: int) -> tuple[str, NoteSignature]:
    cosigner = make_signer(f"w{number}.example", number, 0x04)
    body = parse_note(note).text.encode()
    sig = NoteSignature(cosigner.name, cosigner.key_id, cosigner.sign(body, timestamp=timestamp))
    return add_signatures(note, [sig.line()]), sig


def test_cosignature_round_trip() -> None:
    log = make_signer(LOG_NAME, 1)
    note = sign_checkpoint(Checkpoint(LOG_NAME, 5, HELLO), log)
    cosigned, sig = _cosign(note, 21, 1_700_000_000)
    cosigner = make_signer("w21.example", 21, 0x04)
    parsed = parse_note(cosigned)
    assert parsed.signatures[1] == sig and len(base64.b64decode(sig.line().split()[-1])) == 76
    assert (
        sig.key_id
        == hashlib.sha256(b"w21.example\n\x04" + cosigner.verifier().public_key).digest()[:4]
    )
    assert cosignature_timestamp(parsed.signatures[1]) == 1_700_000_000
    assert sig.signature[:8] == (1_700_000_000).to_bytes(8, "big")
    _, verified = open_note(cosigned, [log.verifier(), cosigner.verifier()])
    assert verified == [log.verifier(), cosigner.verifier()]


def test_cosignature_over_a_tampered_body_fails() -> None:
    log = make_signer(LOG_NAME, 1)
    cosigned, _ = _cosign(sign_checkpoint(Checkpoint(LOG_NAME, 5, HELLO), log), 21, 1)
    tampered = cosigned.replace("\n5\n", "\n6\n", 1)
    cosigner = make_signer("w21.example", 21, 0x04).verifier()
    with pytest.raises(NoteError, match=r"invalid signature for key w21\.example"):
        open_note(tampered, [cosigner])


def test_c2sp_example_cosignature_carries_its_timestamp() -> None:
    witness = parse_note(SOFA_NOTE).signatures[1]
    assert witness.name == "witness.example.com/w1" and len(witness.signature) == 72
    assert cosignature_timestamp(witness) == SOFA_TIME


def test_a_plain_signature_has_no_timestamp() -> None:
    with pytest.raises(NoteError, match="not a timestamped cosignature"):
        cosignature_timestamp(parse_note(SOFA_NOTE).signatures[0])


@settings(deadline=None)
@given(
    st.text(st.characters(codec="utf-8", min_codepoint=0x20), min_size=1),
    st.integers(0, 2**64 - 1),
    st.binary(min_size=32, max_size=32),
    st.lists(st.text(st.characters(codec="utf-8", min_codepoint=0x20), min_size=1)),
)
def test_format_then_parse_round_trips(
    origin: str, size: int, root: bytes, extensions: list[str]
) -> None:
    cp = Checkpoint(origin, size, root, tuple(extensions))
    assert parse_checkpoint(cp.body()) == cp


@given(st.text())
def test_parse_checkpoint_raises_only_note_error(body: str) -> None:
    with contextlib.suppress(NoteError):
        parse_checkpoint(body)
