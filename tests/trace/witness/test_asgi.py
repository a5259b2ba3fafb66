"""Every status code of C2SP tlog-witness add-checkpoint, over HTTP, as one table."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient

from cityhub.trace.note import (
    Checkpoint,
    NoteSigner,
    cosignature_timestamp,
    generate_signer,
    open_note,
    parse_note,
    sign_checkpoint,
)
from cityhub.trace.witness import Witness, create_witness_app
from cityhub.trace.witness.client import request_body
from tests.trace.witness.conftest import ToyLog, advance


def _forged(note: str) -> str:
    """Flip one bit of the (last) signature's Ed25519 part."""
    head, _, encoded = note.rstrip("\n").rpartition(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 1
    return f"{head} {base64.b64encode(bytes(raw)).decode()}\n"


def _stranger(log: ToyLog) -> str:
    """Signed by a key with the log's name but another key (so another key id)."""
    cp = Checkpoint(log.origin, 4, log.root(4))
    return sign_checkpoint(cp, generate_signer(log.origin))


def _good_and_bad(log: ToyLog) -> str:
    good = log.checkpoint(4)
    bad_line = _forged(good).split("\n\n", 1)[1]
    return good + bad_line


@dataclass(frozen=True)
class Case:
    prior: tuple[int, ...]  # sizes the witness cosigned before the request
    body: Callable[[ToyLog], bytes]
    status: int
    text: str | None = None  # exact body expected (409)


EMPTY_ROOT = hashlib.sha256(b"").digest()
CASES: dict[str, Case] = {
    "unknown origin 404": Case(
        (), lambda log: ToyLog(generate_signer("other.example/log")).body(0, 4), 404
    ),
    "no signature 403": Case(
        (), lambda log: request_body(0, [], log.checkpoint(4).split("\n\n")[0] + "\n"), 403
    ),
    "no signature lines after blank 403": Case(
        (), lambda log: request_body(0, [], log.checkpoint(4).split("\n\n")[0] + "\n\n"), 403
    ),
    "forged signature 403": Case(
        (), lambda log: request_body(0, [], _forged(log.checkpoint(4))), 403
    ),
    "unknown key only 403": Case((), lambda log: request_body(0, [], _stranger(log)), 403),
    "good and bad trusted signature 403": Case(
        (), lambda log: request_body(0, [], _good_and_bad(log)), 403
    ),
    "old > size 400": Case((), lambda log: request_body(5, [], log.checkpoint(4)), 400),
    "old > size after cosigning 400": Case(
        (4,), lambda log: request_body(9, [], log.checkpoint(8)), 400
    ),
    "old != latest 409": Case((4,), lambda log: log.body(2, 8), 409, "4\n"),
    "old != never cosigned 409": Case((), lambda log: log.body(3, 8), 409, "0\n"),
    "old 0 after cosigning 409": Case((4,), lambda log: log.body(0, 8), 409, "4\n"),
    "size 0 with non-empty root 422": Case(
        (), lambda log: request_body(0, [], log.checkpoint(0, root=log.root(1))), 422
    ),
    "proof with old 0 422": Case(
        (), lambda log: request_body(0, [log.root(1)], log.checkpoint(4)), 422
    ),
    "proof with old = size 422": Case(
        (4,), lambda log: request_body(4, [log.root(1)], log.checkpoint(4)), 422
    ),
    "bad proof 422": Case(
        (4,),
        lambda log: request_body(4, [EMPTY_ROOT, *log.proof(4, 8)[1:]], log.checkpoint(8)),
        422,
    ),
    "short proof 422": Case(
        (3,), lambda log: request_body(3, log.proof(3, 8)[:-1], log.checkpoint(8)), 422
    ),
    "empty proof 422": Case((3,), lambda log: request_body(3, [], log.checkpoint(8)), 422),
    "same size other root 422": Case((4,), lambda log: log.fork(2).body(4, 4), 422),
    "happy 0 to 0": Case((), lambda log: log.body(0, 0), 200),
    "happy 0 to n": Case((), lambda log: log.body(0, 5), 200),
    "happy n to m": Case((5,), lambda log: log.body(5, 13), 200),
    "happy n to n": Case((5,), lambda log: log.body(5, 5), 200),
    "happy 0 to n after empty": Case((0,), lambda log: log.body(0, 7), 200),
    "happy power of two": Case((8,), lambda log: log.body(8, 37), 200),
}


@pytest.mark.parametrize("name", list(CASES))
def test_add_checkpoint_status(
    name: str, witness: Witness, witness_signer: NoteSigner, log: ToyLog
) -> None:
    case = CASES[name]
    advance(witness, log, *case.prior)
    client = TestClient(create_witness_app(witness))
    response = client.post("/add-checkpoint", content=case.body(log))
    assert response.status_code == case.status, response.text
    if case.status == 409:
        assert response.headers["content-type"] == "text/x.tlog.size"
        assert response.text == case.text
    if case.status != 200:
        return
    # The body is cosignature lines, each verifiable on the checkpoint with the witness key.
    assert response.text.startswith("— ") and response.text.endswith("\n")
    checkpoint = case.body(log).decode().split("\n\n", 1)[1]
    cosigned = checkpoint + response.text
    note, verified = open_note(cosigned, [witness_signer.verifier()])
    assert verified == [witness_signer.verifier()]
    [line] = [s for s in note.signatures if s.name == witness_signer.name]
    assert cosignature_timestamp(line) > 0


@pytest.mark.parametrize(
    "body",
    [
        b"old 0\n" + b"example.com/trace/log\n4\n",  # no empty line at all
        b"old 4\nAAAA\n\n",  # no checkpoint after the empty line
        b"old 04\n\nx\n",
        b"old -1\n\nx\n",
        b"old 1 \n\nx\n",
        b"olds 1\n\nx\n",
        b"\n\nx\n",
        b"old 0\n" + b"not base64!\n\nx\n",
        b"old 0\n" + base64.b64encode(b"short") + b"\n\nx\n",
        b"old 0\n" + b"\xff\xfe\n\nx\n",
        b"old 18446744073709551616\n\nx\n",
    ],
    ids=lambda b: repr(b[:24]),
)
def test_malformed_bodies_are_400(body: bytes, witness: Witness) -> None:
    response = TestClient(create_witness_app(witness)).post("/add-checkpoint", content=body)
    assert response.status_code == 400, response.text


def test_64_proof_lines_is_400_and_63_is_not(witness: Witness, log: ToyLog) -> None:
    client = TestClient(create_witness_app(witness))
    line = log.root(1)
    assert (
        client.post(
            "/add-checkpoint", content=request_body(4, [line] * 64, log.checkpoint(8))
        ).status_code
        == 400
    )
    # 63 lines parse; the proof is just wrong (and the old size too).
    assert (
        client.post(
            "/add-checkpoint", content=request_body(0, [line] * 63, log.checkpoint(8))
        ).status_code
        == 422
    )


def test_proof_line_missing_blank_line_is_400(witness: Witness, log: ToyLog) -> None:
    body = f"old 4\n{base64.b64encode(log.root(1)).decode()}\n{log.checkpoint(8)}"
    response = TestClient(create_witness_app(witness)).post("/add-checkpoint", content=body)
    assert response.status_code == 400


def test_non_utf8_checkpoint_is_400(witness: Witness, log: ToyLog) -> None:
    body = log.body(0, 4).replace(b"example.com", b"ex\xffmple.com")
    response = TestClient(create_witness_app(witness)).post("/add-checkpoint", content=body)
    assert response.status_code == 400


def test_too_large_body_is_413(witness: Witness) -> None:
    response = TestClient(create_witness_app(witness)).post(
        "/add-checkpoint", content=b"old 0\n\n" + b"x" * 70_000
    )
    assert response.status_code == 413


def test_monitoring_checkpoint(witness: Witness, witness_signer: NoteSigner, log: ToyLog) -> None:
    client = TestClient(create_witness_app(witness))
    path = f"/{hashlib.sha256(log.origin.encode()).hexdigest()}/checkpoint"
    assert client.get(path).status_code == 404  # known log, nothing cosigned yet
    advance(witness, log, 3, 9)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    log_verifier = log.signer.verifier()
    note, verified = open_note(response.text, [log_verifier, witness_signer.verifier()])
    assert set(verified) == {log_verifier, witness_signer.verifier()}
    assert note.text == Checkpoint(log.origin, 9, log.root(9)).body()
    assert len(parse_note(response.text).signatures) == 2
    assert client.get(f"/{'0' * 64}/checkpoint").status_code == 404
    assert client.get(f"/{'A' * 64}/checkpoint").status_code == 404


def test_vkey_evidence_and_routing(witness: Witness, witness_signer: NoteSigner) -> None:
    client = TestClient(create_witness_app(witness))
    response = client.get("/vkey")
    assert response.text == witness_signer.verifier().vkey() + "\n"
    evidence = client.get("/evidence")
    assert evidence.status_code == 200 and evidence.json() == []
    assert client.get("/add-checkpoint").status_code == 405
    assert client.post("/vkey").status_code == 405
    assert client.get("/nothing").status_code == 404
    assert client.post("/nothing").status_code == 404
