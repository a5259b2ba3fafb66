"""C2SP tlog-proof bundles: round trips, path lengths from the RFC 9162 vectors, bad input."""

from __future__ import annotations

import base64
import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.trace.note import (
    Checkpoint,
    NoteError,
    ProofBundle,
    format_proof_bundle,
    parse_proof_bundle,
    sign_checkpoint,
)
from cityhub.trace.note.proof import inclusion_path_length
from tests.trace.note.conftest import LOG_NAME, make_signer

VECTORS = Path("/work/shared/reference/rfc9162-8leaf-vectors.json")
ROOT = bytes(range(32))
H = [bytes([i]) * 32 for i in range(64)]


def _checkpoint(size: int) -> str:
    return sign_checkpoint(Checkpoint(LOG_NAME, size, ROOT), make_signer(LOG_NAME, 1))


CP7 = _checkpoint(7)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_round_trip_without_extra() -> None:
    bundle = ProofBundle(2, (H[1], H[2], H[3]), CP7)
    text = format_proof_bundle(bundle)
    assert text == (
        f"c2sp.org/tlog-proof@v1\nindex 2\n{_b64(H[1])}\n{_b64(H[2])}\n{_b64(H[3])}\n\n{CP7}"
    )
    assert parse_proof_bundle(text) == bundle


def test_round_trip_with_extra() -> None:
    bundle = ProofBundle(6, (H[4], H[5]), CP7, extra=b"cityhub")
    text = format_proof_bundle(bundle)
    assert text.startswith("c2sp.org/tlog-proof@v1\nextra Y2l0eWh1Yg==\nindex 6\n")
    assert parse_proof_bundle(text) == bundle


def test_a_single_leaf_tree_has_an_empty_path() -> None:
    bundle = ProofBundle(0, (), _checkpoint(1))
    assert format_proof_bundle(bundle).startswith("c2sp.org/tlog-proof@v1\nindex 0\n\n")
    assert parse_proof_bundle(format_proof_bundle(bundle)) == bundle


def test_path_lengths_match_the_rfc9162_8_leaf_vectors() -> None:
    vectors = json.loads(VECTORS.read_text())["inclusion"]
    assert len(vectors) == 36
    for case in vectors:
        assert inclusion_path_length(case["index"], case["size"]) == len(case["path"]), case


@pytest.mark.parametrize(
    ("index", "size", "length"),
    [(0, 2**63, 63), (2**64 - 2, 2**64 - 1, 63), (5, 6, 2), (0, 1, 0)],
)
def test_path_lengths_of_large_trees(index: int, size: int, length: int) -> None:
    assert inclusion_path_length(index, size) == length


def _rfc9162_path_length(index: int, size: int) -> int:
    """Length of PATH(m, D[n]) straight from RFC 9162 §2.1.3.1's recursion."""
    if size == 1:
        return 0
    k = 1 << ((size - 1).bit_length() - 1)  # largest power of two below size
    if index < k:
        return _rfc9162_path_length(index, k) + 1
    return _rfc9162_path_length(index - k, size - k) + 1


@given(st.integers(1, 2**64 - 1).flatmap(lambda n: st.tuples(st.integers(0, n - 1), st.just(n))))
def test_path_length_follows_the_rfc_recursion(case: tuple[int, int]) -> None:
    assert inclusion_path_length(*case) == _rfc9162_path_length(*case)


def _good() -> str:
    return format_proof_bundle(ProofBundle(2, (H[1], H[2], H[3]), CP7, extra=b"x"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (_good().replace("tlog-proof@v1", "tlog-proof@v2"), "must start with"),
        ("\n" + _good(), "must start with"),
        (_good().replace("extra eA==\n", "extra \n"), "extra"),
        (_good().replace("extra eA==", "extra eA"), "extra"),
        (_good().replace("extra eA==", "extra  eA=="), "extra"),
        (_good().replace("extra eA==\nindex 2\n", "index 2\nextra eA==\n"), "path hash"),
        (_good().replace("index 2", "index 02"), "leading zeros"),
        (_good().replace("index 2", "index -2"), "leading zeros"),
        (_good().replace("index 2", "index  2"), "leading zeros"),
        (_good().replace("index 2", "index 2 "), "leading zeros"),
        (_good().replace("index 2", "Index 2"), "expected 'index"),
        (_good().replace("index 2\n", ""), "expected 'index"),
        ("c2sp.org/tlog-proof@v1\n\n" + CP7, "no index line"),
        (_good().replace("index 2", "index 7"), "outside the checkpoint"),
        (_good().replace("index 2", "index 18446744073709551616"), "leading zeros"),
        (_good().replace(_b64(H[3]) + "\n", ""), "needs 3"),
        (_good().replace(_b64(H[3]), _b64(H[3]) + "\n" + _b64(H[4])), "needs 3"),
        (_good().replace(_b64(H[2]), _b64(H[2][:31])), "path hash"),
        (_good().replace(_b64(H[2]), _b64(H[2]).rstrip("=")), "path hash"),
        (_good().replace("\n\n" + LOG_NAME, "\n" + LOG_NAME, 1), "path hash"),
        (_good().replace("\n\n" + LOG_NAME, "\n\n\n" + LOG_NAME, 1), "must not be empty"),
        (_good().split("\n\n—")[0] + "\n", "no blank line|no signature"),
        (_good().replace("\n7\n", "\n07\n"), "leading zeros"),
        (_good().replace("\n", "\r\n"), "no blank line"),
        (_good().replace("\n", "\r\n", 1), "must start with"),
        (_good()[: -len("\n")], "no signature lines"),
        ("", "no blank line"),
    ],
)
def test_malformed_bundles(text: str, reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        parse_proof_bundle(text)


def test_errors_in_the_checkpoint_count_lines_from_the_bundle_start() -> None:
    text = _good().replace("\n7\n", "\n07\n")
    with pytest.raises(NoteError) as caught:
        parse_proof_bundle(text)
    assert caught.value.details["line"] == text.split("\n").index("07") + 1


@pytest.mark.parametrize(
    "fields",
    [
        (0, (), CP7, None),  # path too short for size 7
        (2, (H[1], H[2], H[3][:31]), CP7, None),
        (2, (H[1], H[2], H[3]), CP7, b""),
        (-1, (), CP7, None),
        (2, (H[1], H[2], H[3]), "not a note", None),
    ],
)
def test_bundle_constructor_refuses_bad_fields(
    fields: tuple[int, tuple[bytes, ...], str, bytes | None],
) -> None:
    with pytest.raises(NoteError):
        ProofBundle(*fields)


@st.composite
def bundles(draw: st.DrawFn) -> ProofBundle:
    size = draw(st.integers(1, 2**20))
    index = draw(st.integers(0, size - 1))
    hashes = st.binary(min_size=32, max_size=32)
    path = tuple(draw(hashes) for _ in range(inclusion_path_length(index, size)))
    extra = draw(st.none() | st.binary(min_size=1, max_size=40))
    return ProofBundle(index, path, _checkpoint(size), extra)


@settings(deadline=None)  # each example signs a checkpoint
@given(bundles())
def test_format_then_parse_round_trips(bundle: ProofBundle) -> None:
    assert parse_proof_bundle(format_proof_bundle(bundle)) == bundle


@given(st.text(), st.sampled_from(["", "c2sp.org/tlog-proof@v1\n", _good()[:40]]))
def test_parse_raises_only_note_error(tail: str, head: str) -> None:
    with contextlib.suppress(NoteError):
        parse_proof_bundle(head + tail)
