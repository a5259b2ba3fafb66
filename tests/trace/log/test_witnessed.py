"""The log with three real witnesses over HTTP: quorum 2 of 3, consistency proofs, outages."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.trace.log import Pending, TraceLog
from cityhub.trace.log.identity import load_identity
from cityhub.trace.note import generate_signer, verify_checkpoint
from cityhub.trace.witness import Witness, create_witness_app

ORIGIN = "test.example/log"


class Served:
    """A witness served by uvicorn in a thread, stoppable and restartable on the same port."""

    def __init__(self, witness: Witness, port: int) -> None:
        self.witness, self.port = witness, port
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            create_witness_app(self.witness), host="127.0.0.1", port=self.port, log_level="error"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self) -> None:
        assert self.server is not None and self.thread is not None
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def witnessed(
    bare_db: Database, settings: Settings, tmp_path: Path
) -> Iterator[tuple[TraceLog, list[Served]]]:
    config = settings.model_copy(update={"trace_origin": ORIGIN})
    log_vkey = load_identity(config).signer.verifier().vkey()
    served: list[Served] = []
    lines = [f"log {log_vkey}"]
    for number in range(3):
        signer = generate_signer(f"w{number}.test.example", 0x04)
        witness = Witness(signer, tmp_path / f"w{number}", [log_vkey])
        port = _free_port()
        served.append(Served(witness, port))
        lines.append(f"witness w{number} {signer.verifier().vkey()} http://127.0.0.1:{port}")
    lines += ["group all3 2 w0 w1 w2", "quorum all3"]
    policy = tmp_path / "policy.txt"
    policy.write_text("\n".join(lines) + "\n")
    for one in served:
        one.start()
    log = TraceLog(
        bare_db,
        config.model_copy(
            update={"trace_policy_file": policy, "trace_witness_timeout_seconds": 2.0}
        ),
    )
    log.start()
    yield log, served
    log.stop()
    for one in served:
        if one.server is not None and not one.server.should_exit:
            one.stop()


def _cosigners(log: TraceLog) -> list[str]:
    _, names = verify_checkpoint(log.checkpoint(), log.identity.policy)
    return sorted(names)


def test_checkpoints_are_cosigned_by_every_witness(
    witnessed: tuple[TraceLog, list[Served]],
) -> None:
    log, _ = witnessed
    for round_ in range(3):  # later rounds need consistency proofs from the last cosigned size
        log.append_blocking([Pending(f"r{round_} {i}\n".encode()) for i in range(7)])
        assert _cosigners(log) == ["w0", "w1", "w2"]
    assert log.published_size() == 21


def test_one_witness_down_still_publishes_two_down_blocks(
    witnessed: tuple[TraceLog, list[Served]],
) -> None:
    log, served = witnessed
    log.append_blocking([Pending(b"first\n")])
    served[0].stop()
    log.append_blocking([Pending(b"second\n")])
    assert _cosigners(log) == ["w1", "w2"]
    served[1].stop()
    waiting = log.submit([Pending(b"third\n")])
    with pytest.raises(TimeoutError):
        waiting.result(timeout=4)
    assert log.published_size() == 2  # never acknowledged without the quorum
    served[1].start()
    assert waiting.result(timeout=30) == [2]
    assert _cosigners(log) == ["w1", "w2"]
