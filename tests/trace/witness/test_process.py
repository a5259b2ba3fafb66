"""``cityhub witness serve`` as a real process: driven over HTTP, killed -9, restarted."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityhub.errors import CityhubError
from cityhub.trace.note import (
    Checkpoint,
    NoteSigner,
    add_signatures,
    open_note,
    parse_checkpoint,
)
from cityhub.trace.witness import WitnessReply, request_cosignature
from cityhub.trace.witness.client import close_connections
from tests.trace.witness.conftest import ToyLog

ROOT = Path(__file__).parents[3]


def _command() -> list[str]:
    """``python -m cityhub witness serve`` once the lead has registered it, else the sub-app."""
    from cityhub.cli import app

    if any(group.name == "witness" for group in app.registered_groups):
        return [sys.executable, "-m", "cityhub", "witness", "serve"]
    runner = "from cityhub.cli.witness import witness_app; witness_app()"
    return [sys.executable, "-c", runner, "serve"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One ``serve`` process at a time on a fixed port and state directory."""

    def __init__(self, tmp_path: Path, key_file: Path, log_vkey: str) -> None:
        self.tmp_path, self.port = tmp_path, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [
            *_command(),
            *("--key-file", str(key_file), "--state", str(tmp_path / "state")),
            *("--log", log_vkey, "--port", str(self.port)),
        ]
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with (self.tmp_path / f"serve-{self.starts}.log").open("wb") as out:
            self.proc = subprocess.Popen(self.args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                with urllib.request.urlopen(self.url + "/vkey", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("witness did not start: " + self.output())

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()  # SIGKILL: no shutdown, no flush beyond what was committed
        self.proc.wait(10)

    def output(self) -> str:
        return (self.tmp_path / f"serve-{self.starts}.log").read_text(errors="replace")


@pytest.fixture
def server(tmp_path: Path, witness_signer: NoteSigner, log: ToyLog) -> Iterator[Server]:
    key_file = tmp_path / "w.key"
    key_file.write_text(witness_signer.skey() + "\n")
    os.chmod(key_file, 0o600)
    srv = Server(tmp_path, key_file, log.vkey())
    yield srv
    close_connections()
    if srv.proc is not None and srv.proc.poll() is None:
        srv.proc.kill()
        srv.proc.wait(10)


def _add(server: Server, log: ToyLog, old: int, new: int) -> WitnessReply:
    return request_cosignature(server.url, old, log.proof(old, new), log.checkpoint(new))


def _monitored(server: Server, log: ToyLog, witness_signer: NoteSigner) -> Checkpoint:
    """The witness's monitoring checkpoint, verified with the log and witness keys."""
    path = f"/{hashlib.sha256(log.origin.encode()).hexdigest()}/checkpoint"
    with urllib.request.urlopen(server.url + path, timeout=5) as response:
        note_text = response.read().decode()
    keys = [log.signer.verifier(), witness_signer.verifier()]
    note, verified = open_note(note_text, keys)
    assert set(verified) == set(keys)
    return parse_checkpoint(note.text)


def test_serve_kill_9_and_restart(server: Server, log: ToyLog, witness_signer: NoteSigner) -> None:
    server.start()
    size = 0
    for new in (1, 2, 3, 5, 8):
        reply = _add(server, log, size, new)
        assert reply.status == 200, reply
        open_note(add_signatures(log.checkpoint(new), reply.lines), [witness_signer.verifier()])
        size = new

    # Killed between requests: the restarted witness holds exactly the last cosigned size.
    server.kill9()
    server.start()
    stale = _add(server, log, 0, 13)  # also drives the client's dead pooled connection
    assert (stale.status, stale.witness_size) == (409, 8)
    assert _monitored(server, log, witness_signer) == Checkpoint(log.origin, 8, log.root(8))

    # Killed while a request is in flight: afterwards the size is 8 or 13, never anything else.
    in_flight: list[object] = []

    def submit() -> None:
        try:
            in_flight.append(_add(server, log, 8, 13))
        except CityhubError as exc:
            in_flight.append(exc)

    thread = threading.Thread(target=submit)
    thread.start()
    time.sleep(0.005)
    server.kill9()
    thread.join(10)
    server.start()
    reply = _add(server, log, 8, 21)
    if reply.status == 409:  # the in-flight request was committed before the kill
        assert reply.witness_size == 13
        reply = _add(server, log, 13, 21)
    else:
        answered = in_flight[0]
        assert not (isinstance(answered, WitnessReply) and answered.status == 200)
    assert reply.status == 200, reply
    assert _monitored(server, log, witness_signer) == Checkpoint(log.origin, 21, log.root(21))

    # SIGTERM: uvicorn shuts down cleanly, then re-raises the signal it caught.
    assert server.proc is not None
    server.proc.terminate()
    assert server.proc.wait(15) in (0, -signal.SIGTERM)
    assert "Finished server process" in server.output()
