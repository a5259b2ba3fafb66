"""Leaf formats: exact round trips, and every deviation refused with the line named."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.errors import InvalidInput
from cityhub.trace.leaves import (
    AuditAnchorLeaf,
    BatchLine,
    EventLeaf,
    KeyLeaf,
    Leaf,
    LeafError,
    b64_sha256,
    format_leaf,
    parse_leaf,
)

DIGEST = b64_sha256(hashlib.sha256(b"envelope").digest())
EVENT_ID = "ni:///sha-256;" + "ab" * 32 + "?ver=CBV2.0"
PUB = base64.b64encode(b"\x01" + bytes(range(32))).decode()
VKEY = f"91371500MA3C00000X+0a1b2c3d+{PUB}"
LOT = "https://id.gs1.org/01/06901234000017/10/L1"

EVENT_TEXT = (
    "cityhub.trace/leaf/v1\n"
    "kind event\n"
    f"event {EVENT_ID}\n"
    f"envelope {DIGEST}\n"
    "signer 0a1b2c3d\n"
    f"batch {LOT} -\n"
    "batch https://id.gs1.org/01/06901234000017/10/L2 1207\n"
)
KEY_TEXT = (
    "cityhub.trace/leaf/v1\n"
    "kind key\n"
    "action register\n"
    "actor 91371500MA3C00000X\n"
    f"key {VKEY}\n"
    f"envelope {DIGEST}\n"
)
ANCHOR_TEXT = f"cityhub.trace/leaf/v1\nkind audit-anchor\naudit 1 42\nhash {DIGEST}\n"


def test_the_three_kinds_parse_to_their_fields() -> None:
    assert parse_leaf(EVENT_TEXT.encode()) == EventLeaf(
        EVENT_ID,
        DIGEST,
        "0a1b2c3d",
        (BatchLine(LOT, None), BatchLine("https://id.gs1.org/01/06901234000017/10/L2", 1207)),
    )
    assert parse_leaf(KEY_TEXT.encode()) == KeyLeaf("register", "91371500MA3C00000X", VKEY, DIGEST)
    assert parse_leaf(ANCHOR_TEXT.encode()) == AuditAnchorLeaf(1, 42, DIGEST)


@pytest.mark.parametrize("text", [EVENT_TEXT, KEY_TEXT, ANCHOR_TEXT])
def test_format_gives_back_the_exact_bytes(text: str) -> None:
    assert format_leaf(parse_leaf(text.encode())) == text.encode()


def _swap(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


BAD: list[tuple[str, str, int]] = [
    ("no final newline", EVENT_TEXT[:-1], 7),
    ("CRLF", EVENT_TEXT.replace("\n", "\r\n"), 1),
    ("wrong header", _swap(EVENT_TEXT, "leaf/v1", "leaf/v2"), 1),
    ("unknown kind", _swap(EVENT_TEXT, "kind event", "kind other"), 2),
    (
        "lines out of order",
        _swap(
            EVENT_TEXT, f"envelope {DIGEST}\nsigner 0a1b2c3d", f"signer 0a1b2c3d\nenvelope {DIGEST}"
        ),
        4,
    ),
    ("upper-case event hash", _swap(EVENT_TEXT, "ab" * 32, "AB" * 32), 3),
    ("short event hash", _swap(EVENT_TEXT, "ab" * 32, "ab" * 31), 3),
    (
        "envelope hash of 31 bytes",
        _swap(EVENT_TEXT, DIGEST, base64.b64encode(bytes(31)).decode()),
        4,
    ),
    ("envelope hash unpadded", _swap(EVENT_TEXT, DIGEST, DIGEST.rstrip("=")), 4),
    ("signer of 7 hex digits", _swap(EVENT_TEXT, "signer 0a1b2c3d", "signer 0a1b2c3"), 5),
    ("prev with a leading zero", _swap(EVENT_TEXT, " 1207", " 01207"), 7),
    ("prev negative", _swap(EVENT_TEXT, " 1207", " -1207"), 7),
    ("batch without prev", _swap(EVENT_TEXT, f"{LOT} -", LOT), 6),
    ("batches unsorted", _swap(EVENT_TEXT, "10/L2", "10/L0"), 7),
    ("batch duplicated", _swap(EVENT_TEXT, "10/L2 1207", "10/L1 1207"), 7),
    ("blank line", EVENT_TEXT + "\n", 8),
    ("extra field", EVENT_TEXT + "note x\n", 8),
    ("missing signer", _swap(EVENT_TEXT, "signer 0a1b2c3d\n", ""), 5),
    ("key action unknown", _swap(KEY_TEXT, "action register", "action delete"), 3),
    ("actor a name", _swap(KEY_TEXT, "actor 91371500MA3C00000X", "actor 张三"), 4),
    (
        "vkey of another type",
        _swap(KEY_TEXT, PUB, base64.b64encode(b"\x04" + bytes(32)).decode()),
        5,
    ),
    ("vkey short", _swap(KEY_TEXT, PUB, base64.b64encode(b"\x01" + bytes(31)).decode()), 5),
    ("key leaf extra line", KEY_TEXT + "batch x -\n", 7),
    ("anchor range reversed", _swap(ANCHOR_TEXT, "audit 1 42", "audit 43 42"), 3),
    ("anchor id leading zero", _swap(ANCHOR_TEXT, "audit 1 42", "audit 01 42"), 3),
    ("anchor hash missing", _swap(ANCHOR_TEXT, f"hash {DIGEST}\n", ""), 4),
]


@pytest.mark.parametrize(("name", "text", "line"), BAD, ids=[case[0] for case in BAD])
def test_malformed_leaves_are_refused_naming_the_line(name: str, text: str, line: int) -> None:
    with pytest.raises(LeafError) as caught:
        parse_leaf(text.encode())
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.details["line"] == line, caught.value.message


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(LeafError):
        parse_leaf(b"cityhub.trace/leaf/v1\nkind \xff\n")


def test_format_refuses_what_parse_would_refuse() -> None:
    with pytest.raises(LeafError):
        format_leaf(EventLeaf(EVENT_ID, DIGEST, "XYZ", ()))
    with pytest.raises(LeafError):
        format_leaf(EventLeaf(EVENT_ID, DIGEST, "0a1b2c3d", (BatchLine("b", 1), BatchLine("a", 2))))


def _ed25519(public: bytes) -> str:
    return base64.b64encode(b"\x01" + public).decode()


hex64 = st.text("0123456789abcdef", min_size=64, max_size=64)
digests = st.binary(min_size=32, max_size=32).map(b64_sha256)
indices = st.integers(min_value=0, max_value=2**62)
lots = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=60)
events = st.builds(
    EventLeaf,
    hex64.map(lambda h: f"ni:///sha-256;{h}?ver=CBV2.0"),
    digests,
    st.text("0123456789abcdef", min_size=8, max_size=8),
    st.dictionaries(lots, st.none() | indices, max_size=6).map(
        lambda d: tuple(BatchLine(lot, prev) for lot, prev in sorted(d.items()))
    ),
)
vkeys = st.tuples(
    st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="+"),
        min_size=1,
        max_size=30,
    ),
    st.text("0123456789abcdef", min_size=8, max_size=8),
    st.binary(min_size=32, max_size=32),
).map(lambda t: f"{t[0]}+{t[1]}+{_ed25519(t[2])}")
keys = st.builds(
    KeyLeaf,
    st.sampled_from(["register", "rotate", "revoke"]),
    st.just("91371500MA3C00000X") | hex64.map(lambda h: f"sha256:{h}"),
    vkeys,
    digests,
)
anchors = (
    st.tuples(indices, indices)
    .map(sorted)
    .flatmap(lambda pair: st.builds(AuditAnchorLeaf, st.just(pair[0]), st.just(pair[1]), digests))
)


@given(events | keys | anchors)
def test_round_trip(leaf: Leaf) -> None:
    assert parse_leaf(format_leaf(leaf)) == leaf


@given(st.sampled_from([EVENT_TEXT, KEY_TEXT, ANCHOR_TEXT]), st.data())
def test_any_accepted_mutation_formats_back_to_itself(text: str, data: st.DataObject) -> None:
    raw = bytearray(text.encode())
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] = data.draw(st.integers(0, 255))
    try:
        leaf = parse_leaf(bytes(raw))
    except LeafError:
        return
    assert format_leaf(leaf) == bytes(raw)
