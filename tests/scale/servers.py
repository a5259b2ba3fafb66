"""Real ``cityhub serve`` processes for the scale test: started on free ports, always stopped.

Each process is the CLI an operator runs (``python -m cityhub serve``) with the environment
given; its stdout and stderr go to a file, so that a failing test can show what the process
said and a test can look for errors it logged.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2

from tests.ports import free_port

START_SECONDS = 90.0  # a start imports the whole platform and may migrate a new database
STOP_SECONDS = 15.0


@dataclass
class Server:
    """One running ``cityhub serve`` process."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """Everything the process printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 80) -> str:
        """The last ``lines`` lines the process printed, without uvicorn's access log."""
        said = [line for line in self.output().splitlines() if not line.startswith("INFO:  ")]
        return "\n".join(said[-lines:])


def launch(name: str, env: dict[str, str], folder: Path) -> Server:
    """Start ``cityhub serve`` on a free port; its output goes to ``<folder>/<name>.log``."""
    port = free_port()
    log = folder / f"{name}.log"
    command = [sys.executable, "-m", "cityhub", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(name, f"http://127.0.0.1:{port}", process, log)


def _healthy(server: Server) -> bool:
    try:
        answer = httpx2.get(f"{server.url}/healthz", timeout=2.0)
    except httpx2.TransportError:
        return False
    return answer.status_code == 200 and answer.json().get("status") == "ok"


def wait_healthy(servers: list[Server]) -> list[Server]:
    """Wait until each process answers /healthz or has exited; the ones that exited.

    RuntimeError when one neither answers nor exits within ``START_SECONDS``.
    """
    deadline = time.monotonic() + START_SECONDS
    waiting, exited = list(servers), []
    while waiting:
        server = waiting[0]
        if server.process.poll() is not None:
            exited.append(waiting.pop(0))
        elif _healthy(server):
            waiting.pop(0)
        elif time.monotonic() > deadline:
            raise RuntimeError(
                f"{server.name} not healthy after {START_SECONDS} s:\n{server.tail()}"
            )
        else:
            time.sleep(0.2)
    return exited


def start_together(count: int, env: dict[str, str], folder: Path) -> tuple[list[Server], list[str]]:
    """``count`` processes started at the same moment, as a service manager starts them on a
    new platform; returns when all answer /healthz.

    A process that exits instead is reported (second value: what it said) and started again
    once the others are up, so that a start-up race does not hide what the hammering finds.
    """
    servers = [launch(f"process-{n}", env, folder) for n in range(1, count + 1)]
    launched = list(servers)
    try:
        exited = wait_healthy(servers)
        failures = [f"{s.name} exited with {s.process.returncode}:\n{s.tail()}" for s in exited]
        for server in exited:
            again = launch(f"{server.name}-again", env, folder)
            launched.append(again)
            if wait_healthy([again]):
                raise RuntimeError(f"{again.name} failed to start too:\n{again.tail()}")
            servers[servers.index(server)] = again
    except BaseException:
        stop_servers(launched)
        raise
    return servers, failures


def stop_servers(servers: list[Server]) -> None:
    """SIGTERM each process (uvicorn shuts down gracefully), SIGKILL what is left after a while."""
    for server in servers:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for server in servers:
        try:
            server.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            # Its own session: the kill reaches any child it started (none expected).
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=STOP_SECONDS)


def server_env(base: dict[str, str], settings: dict[str, str]) -> dict[str, str]:
    """The environment of the processes: ``base`` without any CITYHUB_* setting, plus ours."""
    env = {key: value for key, value in base.items() if not key.startswith("CITYHUB_")}
    env.update(settings)
    env["PYTHONUNBUFFERED"] = "1"  # the log file shows what was said before a crash
    return env
