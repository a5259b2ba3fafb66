"""The add-checkpoint body parser: exact spec syntax, round trip with the client's encoder."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.trace.witness import MalformedRequest, parse_add_checkpoint
from cityhub.trace.witness.client import request_body

NOTE = "example.com/log\n1\n" + "A" * 43 + "=\n\n— example.com/log AAAA\n"
HASH = base64.b64encode(bytes(32)).decode()


@pytest.mark.parametrize(
    ("body", "old", "proof_lines"),
    [
        (f"old 0\n\n{NOTE}", 0, 0),
        (f"old 7\n{HASH}\n{HASH}\n\n{NOTE}", 7, 2),
        (f"old 9223372036854775807\n\n{NOTE}", 2**63 - 1, 0),
        ("old 1\n" + f"{HASH}\n" * 63 + f"\n{NOTE}", 1, 63),
    ],
    ids=["no proof", "two lines", "largest old", "63 lines"],
)
def test_valid_bodies(body: str, old: int, proof_lines: int) -> None:
    request = parse_add_checkpoint(body.encode())
    assert (request.old_size, len(request.proof), request.checkpoint_note) == (
        old,
        proof_lines,
        NOTE,
    )


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (f"old 0\n{NOTE}", "no empty line"),  # NOTE's own blank line comes too late
        ("old 0\n\n", "no checkpoint"),
        (f"old 00\n\n{NOTE}", "leading zero"),
        (f"old +1\n\n{NOTE}", "sign"),
        (f"old ١\n\n{NOTE}", "non-ASCII digit"),
        (f"old 1\r\n\n{NOTE}", "carriage return"),
        (f"Old 1\n\n{NOTE}", "case"),
        (f"old  1\n\n{NOTE}", "two spaces"),
        (f"old 9223372036854775808\n\n{NOTE}", "beyond int64"),
        (f"old 1\n{HASH}\n" + f"{HASH}\n" * 63 + f"\n{NOTE}", "64 lines"),
        (f"old 1\n{HASH[:-1]}\n\n{NOTE}", "unpadded"),
        (f"old 1\n{HASH.replace('A', '-', 1)}\n\n{NOTE}", "url-safe alphabet"),
        (f"old 1\n{base64.b64encode(bytes(33)).decode()}\n\n{NOTE}", "33 bytes"),
        (f"old 1\n {HASH}\n\n{NOTE}", "leading space"),
        (f"old 1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n\n{NOTE}", "non-canonical"),
    ],
    ids=lambda v: v if len(v) < 30 else None,
)
def test_malformed_bodies(body: str, where: str) -> None:
    with pytest.raises(MalformedRequest):
        parse_add_checkpoint(body.encode())


def test_non_utf8_is_malformed() -> None:
    with pytest.raises(MalformedRequest) as caught:
        parse_add_checkpoint(b"old 0\n\nexample.com/\xc3(\n")
    assert caught.value.details == {"offset": 19}


@given(
    old=st.integers(0, 2**63 - 1),
    proof=st.lists(st.binary(min_size=32, max_size=32), max_size=63),
    note=st.text(min_size=1).filter(lambda t: "\x00" not in t),
)
def test_round_trip_with_client_encoding(old: int, proof: list[bytes], note: str) -> None:
    request = parse_add_checkpoint(request_body(old, proof, note))
    assert (request.old_size, request.proof, request.checkpoint_note) == (old, proof, note)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_parse_or_raise_malformed(body: bytes) -> None:
    try:
        request = parse_add_checkpoint(body)
    except MalformedRequest:
        return
    assert request.checkpoint_note and len(request.proof) <= 63
