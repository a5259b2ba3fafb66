"""A toy log (own RFC 6962 tree, independent of ``cityhub.trace.merkle``) and a witness over it."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn

from cityhub.trace.note import (
    COSIGNATURE_V1,
    Checkpoint,
    NoteSigner,
    generate_signer,
    sign_checkpoint,
)
from cityhub.trace.witness import Witness, create_witness_app
from cityhub.trace.witness.client import close_connections, request_body

ORIGIN = "example.com/trace/log"
WITNESS_NAME = "witness.example/w1"


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 Merkle tree hash, written from the RFC's recursion."""
    if not leaves:
        return _sha(b"")
    if len(leaves) == 1:
        return _sha(b"\x00" + leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return _sha(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """RFC 6962 §2.1.2 SUBPROOF(m, D[n], b)."""
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*subproof(m, leaves[:k], whole), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


@dataclass
class ToyLog:
    """A log of ``leaves`` signed by ``signer``; ``fork`` gives an equivocating twin."""

    signer: NoteSigner
    leaves: list[bytes] = field(default_factory=lambda: [b"leaf %d" % i for i in range(64)])

    @property
    def origin(self) -> str:
        return self.signer.name

    def vkey(self) -> str:
        return self.signer.verifier().vkey()

    def root(self, size: int) -> bytes:
        return mth(self.leaves[:size])

    def checkpoint(self, size: int, root: bytes | None = None) -> str:
        cp = Checkpoint(self.origin, size, self.root(size) if root is None else root)
        return sign_checkpoint(cp, self.signer)

    def proof(self, old: int, new: int) -> list[bytes]:
        return [] if old in (0, new) else subproof(old, self.leaves[:new], True)

    def body(self, old: int, new: int) -> bytes:
        return request_body(old, self.proof(old, new), self.checkpoint(new))

    def fork(self, at: int) -> ToyLog:
        """Same key, same leaves before ``at``, different leaves from ``at`` on."""
        other = [*self.leaves[:at], *(b"forged %d" % i for i in range(at, len(self.leaves)))]
        return ToyLog(self.signer, other)


@pytest.fixture
def log() -> ToyLog:
    return ToyLog(generate_signer(ORIGIN))


@pytest.fixture
def witness_signer() -> NoteSigner:
    return generate_signer(WITNESS_NAME, COSIGNATURE_V1)


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def witness(witness_signer: NoteSigner, state_dir: Path, log: ToyLog) -> Iterator[Witness]:
    w = Witness(witness_signer, state_dir, [log.vkey()])
    yield w
    w.close()


def advance(witness: Witness, log: ToyLog, *sizes: int) -> None:
    """Have the witness cosign ``log`` at each size in turn, starting from what it holds."""
    latest = {e.origin: e.size for e in witness.latest()}.get(log.origin, 0)
    for size in sizes:
        witness.add_checkpoint(latest, log.proof(latest, size), log.checkpoint(size))
        latest = size


def free_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class Served:
    url: str
    clients: list[tuple[str, int]]  # the peer address of each HTTP request


@pytest.fixture
def served(witness: Witness) -> Iterator[Served]:
    """The witness app under a real uvicorn in a thread of this process."""
    inner = create_witness_app(witness)
    clients: list[tuple[str, int]] = []

    async def app(scope, receive, send):
        if scope["type"] == "http":
            clients.append(tuple(scope["client"]))
        await inner(scope, receive, send)

    sock = free_socket()
    config = uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        thread.join(0.01)
    host, port = sock.getsockname()
    try:
        yield Served(f"http://{host}:{port}", clients)
    finally:
        close_connections()
        server.should_exit = True
        thread.join(10)
        sock.close()
