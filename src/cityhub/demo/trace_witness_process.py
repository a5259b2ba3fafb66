"""One demo witness process: its key, its port, the ``cityhub witness serve`` child and its end.

Used by ``demo.witnesses``, which runs three of them for the demo's trace log.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cityhub.errors import ConfigurationError
from cityhub.trace.note import COSIGNATURE_V1, NoteSigner, generate_signer, signer_from_skey

HOST = "127.0.0.1"
STOP_SECONDS = 5.0
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class WitnessSpec:
    """One department's witness: its key name (a schema-less URL) and who runs it."""

    name: str
    department: str  # department code
    department_zh: str


WITNESSES: tuple[WitnessSpec, ...] = (
    WitnessSpec("witness.nyncj.liaocheng.example", "NYNCJ", "市农业农村局"),
    WitnessSpec("witness.scjgj.liaocheng.example", "SCJGJ", "市市场监管局"),
    WitnessSpec("witness.dsjj.liaocheng.example", "DSJJ", "市大数据局"),
)


def witness_key(folder: Path, name: str) -> NoteSigner:
    """The witness's cosignature key from ``folder/witness.skey``, created (0600) on first use."""
    path = folder / "witness.skey"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return signer_from_skey(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    signer = generate_signer(name, COSIGNATURE_V1)
    try:
        # O_EXCL: two demos starting at once must not give one witness two identities.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return signer_from_skey(path.read_text(encoding="ascii").strip())
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(signer.skey() + "\n")
    return signer


def check_port_free(host: str, port: int, what: str) -> None:
    """ConfigurationError naming ``what`` if something listens on ``host:port`` already."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Same option as uvicorn: a port in TIME_WAIT is free for it, so it is free here too.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigurationError(
                f"port {port} for {what} is taken ({exc.strerror}); stop what listens there "
                "or choose other witness ports",
                details={"port": port, "witness": what},
            ) from exc


def _death_signal() -> Callable[[], None] | None:
    """Linux: a pre-exec hook that SIGTERMs the witness when the demo process dies without
    stopping it (kill -9), so that no orphan keeps the port. The function is looked up here, in
    the parent: between fork and exec the child only makes the one prctl call."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def hook() -> None:  # pragma: no cover - runs in the child
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return hook


class WitnessProcess:
    """One ``cityhub witness serve`` child process."""

    def __init__(self, spec: WitnessSpec, folder: Path, port: int, host: str = HOST) -> None:
        self.spec = spec
        self.folder = folder
        self.port = port
        self.host = host
        self.signer = witness_key(folder, spec.name)
        self.vkey = self.signer.verifier().vkey()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.folder / "witness.log"

    @property
    def state_dir(self) -> Path:
        return self.folder / "state"

    def start(self, log_vkey: str) -> None:
        """Spawn the process (after checking the port); ``wait_ready`` waits for it."""
        check_port_free(self.host, self.port, self.spec.name)
        command = [
            sys.executable,
            "-m",
            "cityhub",
            "witness",
            "serve",
            "--key-file",
            str(self.folder / "witness.skey"),
            "--state",
            str(self.state_dir),
            "--log",
            log_vkey,
            "--host",
            self.host,
            "--port",
            str(self.port),
        ]
        with self.log_file.open("ab") as output:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                preexec_fn=_death_signal(),
            )

    def answers(self) -> bool:
        """Whether the witness serves its own vkey at ``/vkey``."""
        try:
            with urllib.request.urlopen(f"{self.url}/vkey", timeout=1.0) as reply:
                return bool(reply.read().decode("utf-8").strip() == self.vkey)
        except (OSError, urllib.error.URLError, UnicodeDecodeError):
            return False

    def wait_ready(self, deadline: float) -> None:
        while not self.answers():
            if self.process is None or self.process.poll() is not None:
                raise ConfigurationError(
                    f"witness {self.spec.name} exited at start: {self._tail()}",
                    details={"log": str(self.log_file)},
                )
            if time.monotonic() > deadline:
                raise ConfigurationError(
                    f"witness {self.spec.name} did not answer at {self.url} in time",
                    details={"log": str(self.log_file)},
                )
            time.sleep(0.2)

    def stop(self) -> None:
        """Terminate (SIGTERM, then SIGKILL after a grace period) and reap the process."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _tail(self) -> str:
        try:
            lines = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "no output"
        return " | ".join(lines[-3:]) or "no output"
