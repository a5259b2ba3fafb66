"""Equivocation: 422, evidence in the table and a file, a CRITICAL log line, an alarm POST."""

from __future__ import annotations

import base64
import json
import logging
import queue
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from cityhub.trace.note import NoteSigner, open_note
from cityhub.trace.witness import Equivocation, OldSizeMismatch, Witness, create_witness_app
from cityhub.trace.witness.alarm import EVIDENCE_DIR, post_alarm
from tests.trace.witness.conftest import ToyLog, advance


@pytest.fixture
def alarms() -> Iterator[tuple[str, queue.Queue[dict[str, Any]]]]:
    """A tiny HTTP server that queues every JSON body POSTed to it."""
    received: queue.Queue[dict[str, Any]] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.put(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host!s}:{port}/alarm", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def alarmed(
    witness_signer: NoteSigner, state_dir: Path, log: ToyLog, alarms: tuple[str, Any]
) -> Iterator[Witness]:
    w = Witness(witness_signer, state_dir, [log.vkey()], alarm_url=alarms[0])
    yield w
    w.close()


def test_equivocation_is_422_with_evidence_and_alarm(
    alarmed: Witness,
    log: ToyLog,
    state_dir: Path,
    alarms: tuple[str, queue.Queue[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    advance(alarmed, log, 2, 6)
    stored_note = alarmed.latest()[0].note
    fork = log.fork(3)
    client = TestClient(create_witness_app(alarmed))
    with caplog.at_level(logging.CRITICAL, logger="cityhub.trace.witness"):
        response = client.post("/add-checkpoint", content=fork.body(6, 6))
    assert response.status_code == 422
    assert any(
        r.levelno == logging.CRITICAL and log.origin in r.getMessage() for r in caplog.records
    )

    alarm = alarms[1].get(timeout=5)
    roots = [base64.b64encode(log.root(6)).decode(), base64.b64encode(fork.root(6)).decode()]
    assert alarm == {
        "kind": "witness.equivocation",
        "witness": alarmed.name,
        "origin": log.origin,
        "size": 6,
        "roots": roots,
        "evidence": [stored_note, alarm["evidence"][1]],
    }
    for note in alarm["evidence"]:  # both are signed by the log: proof of misbehaviour
        open_note(note, [log.signer.verifier()])
    assert alarm["evidence"][1].startswith(fork.checkpoint(6).split("\n\n")[0])

    [evidence] = alarmed.evidence()
    assert (evidence.size, evidence.roots) == (6, (log.root(6), fork.root(6)))
    [file] = (state_dir / EVIDENCE_DIR).iterdir()
    assert json.loads(file.read_text(encoding="utf-8"))["evidence"] == alarm["evidence"]
    listed = client.get("/evidence").json()
    assert [e["roots"] for e in listed] == [roots]

    # The witness's view is unchanged, and the same pair is not recorded or alarmed twice.
    assert alarmed.latest()[0].note == stored_note
    assert client.post("/add-checkpoint", content=fork.body(6, 6)).status_code == 422
    assert len(alarmed.evidence()) == 1
    with pytest.raises(queue.Empty):
        alarms[1].get(timeout=0.5)


def test_equivocation_with_stale_old_size_is_409_and_still_evidence(
    alarmed: Witness, log: ToyLog, alarms: tuple[str, queue.Queue[dict[str, Any]]]
) -> None:
    advance(alarmed, log, 6)
    with pytest.raises(OldSizeMismatch):
        alarmed.add_checkpoint(0, [], log.fork(1).checkpoint(6))
    assert len(alarmed.evidence()) == 1
    assert alarms[1].get(timeout=5)["size"] == 6


def test_inconsistent_larger_tree_is_422_but_no_evidence(
    alarmed: Witness, log: ToyLog, alarms: tuple[str, queue.Queue[dict[str, Any]]]
) -> None:
    """A fork at a larger size only fails its proof: not proof of misbehaviour on its own."""
    advance(alarmed, log, 6)
    fork = log.fork(3)
    client = TestClient(create_witness_app(alarmed))
    assert client.post("/add-checkpoint", content=fork.body(6, 9)).status_code == 422
    assert alarmed.evidence() == []
    assert alarmed.latest()[0].size == 6
    with pytest.raises(queue.Empty):
        alarms[1].get(timeout=0.3)


def test_unreachable_alarm_does_not_hold_up_the_422(
    witness_signer: NoteSigner, state_dir: Path, log: ToyLog
) -> None:
    # TEST-NET-1 drops packets: the alarm hangs until its timeout, the 422 must not wait.
    w = Witness(witness_signer, state_dir, [log.vkey()], alarm_url="http://192.0.2.1:9/alarm")
    try:
        advance(w, log, 4)
        started = time.monotonic()
        with pytest.raises(Equivocation):
            w.add_checkpoint(4, [], log.fork(0).checkpoint(4))
        assert time.monotonic() - started < 1.0
        assert len(w.evidence()) == 1
    finally:
        w.close()


def test_failed_alarm_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: connection refused
    with caplog.at_level(logging.ERROR, logger="cityhub.trace.witness.alarm"):
        post_alarm(f"http://127.0.0.1:{port}/alarm", {"kind": "witness.equivocation"})
    assert any("alarm" in r.getMessage() for r in caplog.records)
