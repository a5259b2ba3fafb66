"""The log's client against a real uvicorn: replies, keep-alive reuse, unreachable witnesses."""

from __future__ import annotations

import socket

import pytest

from cityhub.trace.note import NoteSigner, add_signatures, open_note
from cityhub.trace.witness import WitnessReply, WitnessUnreachable, request_cosignature
from cityhub.trace.witness.client import _reply, request_body
from tests.trace.witness.conftest import Served, ToyLog


def test_cosignature_then_409_then_recovery(
    served: Served, log: ToyLog, witness_signer: NoteSigner
) -> None:
    reply = request_cosignature(served.url, 0, [], log.checkpoint(5))
    assert reply.status == 200 and len(reply.lines) == 1
    assert reply.lines[0].startswith(f"— {witness_signer.name} ")
    cosigned = add_signatures(log.checkpoint(5), reply.lines)
    _, verified = open_note(cosigned, [witness_signer.verifier()])
    assert verified == [witness_signer.verifier()]

    stale = request_cosignature(served.url, 0, [], log.checkpoint(9))
    assert (stale.status, stale.witness_size, stale.lines) == (409, 5, [])
    again = request_cosignature(
        served.url, stale.witness_size or 0, log.proof(5, 9), log.checkpoint(9)
    )
    assert again.status == 200


def test_keep_alive_one_connection_for_many_calls(served: Served, log: ToyLog) -> None:
    size = 0
    for new in range(1, 9):
        assert (
            request_cosignature(served.url, size, log.proof(size, new), log.checkpoint(new)).status
            == 200
        )
        size = new
    assert len(served.clients) == 8
    assert len(set(served.clients)) == 1  # one TCP connection (same client port) for all


@pytest.mark.parametrize("suffix", ["", "/", "/add-checkpoint"])
def test_url_is_the_submission_prefix(served: Served, log: ToyLog, suffix: str) -> None:
    assert request_cosignature(served.url + suffix, 0, [], log.checkpoint(1)).status == 200


def test_other_statuses_come_back_as_replies(served: Served, log: ToyLog) -> None:
    reply = request_cosignature(served.url, 3, [], log.checkpoint(1))
    assert (reply.status, reply.lines, reply.witness_size) == (400, [], None)
    assert request_cosignature(served.url + "/nowhere/", 0, [], log.checkpoint(1)).status == 404


def test_unreachable_witness_raises() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(WitnessUnreachable):
        request_cosignature(f"http://127.0.0.1:{port}", 0, [], "x\n", timeout=1)
    with pytest.raises(WitnessUnreachable):
        request_cosignature("ftp://witness.example", 0, [], "x\n")


@pytest.mark.parametrize(
    ("status", "content_type", "data", "expected"),
    [
        (200, "text/plain", "— w AAAA\n— v BBBB\n", WitnessReply(200, ["— w AAAA", "— v BBBB"])),
        (409, "text/x.tlog.size", "17\n", WitnessReply(409, witness_size=17)),
        (409, "text/x.tlog.size; charset=utf-8", "17\n", WitnessReply(409, witness_size=17)),
        (409, "text/plain", "17\n", WitnessReply(409)),
        (409, "text/x.tlog.size", "²\n", WitnessReply(409)),
        (422, "text/plain", "bad\n", WitnessReply(422)),
    ],
)
def test_reply_parsing(status: int, content_type: str, data: str, expected: WitnessReply) -> None:
    reply = _reply(status, content_type, data.encode())
    assert (reply.status, reply.lines, reply.witness_size) == (
        expected.status,
        expected.lines,
        expected.witness_size,
    )


def test_request_body_is_the_spec_layout() -> None:
    body = request_body(12, [bytes(32), b"\xff" * 32], "o\n1\nr\n\n— o x\n")
    assert body == (
        b"old 12\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
        b"//////////////////////////////////////////8=\n\no\n1\nr\n\n\xe2\x80\x94 o x\n"
    )
