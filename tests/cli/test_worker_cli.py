"""``cityhub worker`` as real processes: the SL 651 gateway without a web server, stopped by
SIGTERM, and taken over by a second worker process when the first is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cityhub.cli import app
from tests.cli.shell import invoke, platform_env
from tests.conftest import ADMIN_PASSWORD
from tests.ports import answers, free_port

STARTUP_SECONDS = 90  # import, migrations of a fresh database, first election


class WorkerProcess:
    """One ``python -m cityhub worker`` with its output in a file."""

    def __init__(self, tmp_path: Path, name: str, env: dict[str, str], *args: str) -> None:
        self.log = tmp_path / f"{name}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cityhub", "worker", *args],
                cwd=tmp_path,  # no .env of a developer's checkout
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not condition():
            assert self.proc.poll() is None, f"exited before {what}:\n{self.output()}"
            assert time.monotonic() < deadline, f"no {what}:\n{self.output()}"
            time.sleep(0.1)

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


@pytest.fixture
def worker_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a worker process over the test's database, on a free SL 651 port."""
    return {
        **os.environ,
        "CITYHUB_DATABASE_URL": database_url,
        "CITYHUB_DATA_DIR": str(tmp_path / "data"),
        "CITYHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CITYHUB_SL651_PORT": str(free_port()),
        "CITYHUB_MQTT_PORT": "0",
        "CITYHUB_WORKER_STANDBY_SECONDS": "0.2",
        "CITYHUB_LOG_LEVEL": "info",
    }


@pytest.fixture
def processes() -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for process in started:
        process.close()


def test_worker_runs_the_gateway_and_stops_on_sigterm(
    tmp_path: Path, worker_env: dict[str, str], processes: list[WorkerProcess]
) -> None:
    port = int(worker_env["CITYHUB_SL651_PORT"])
    worker = WorkerProcess(tmp_path, "worker", worker_env, "--workers", "sl651")
    processes.append(worker)
    worker.wait_until(lambda: answers(port), "SL 651 gateway")
    assert worker.terminate() == 0, worker.output()
    assert not answers(port)
    output = worker.output()
    assert "worker sl651: runs in" in output
    assert "worker alarms" not in output  # only what --workers names
    assert "cityhub worker stopped" in output


def test_a_second_worker_takes_the_gateway_over_when_the_first_is_killed(
    tmp_path: Path, worker_env: dict[str, str], processes: list[WorkerProcess]
) -> None:
    port = int(worker_env["CITYHUB_SL651_PORT"])
    worker_env["CITYHUB_WORKERS"] = "sl651"  # the setting, this time
    first = WorkerProcess(tmp_path, "first", worker_env)
    processes.append(first)
    first.wait_until(lambda: answers(port), "SL 651 gateway")
    second = WorkerProcess(tmp_path, "second", worker_env)
    processes.append(second)
    second.wait_until(lambda: "stands by" in second.output(), "standby")
    first.proc.kill()  # no clean shutdown: the lock goes with the process
    first.proc.wait(timeout=30)
    second.wait_until(lambda: "taken over" in second.output() and answers(port), "take-over")
    assert second.terminate() == 0, second.output()


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield from platform_env(database_url, tmp_path, monkeypatch)


@pytest.mark.parametrize("command", ["worker", "serve"])
def test_an_unknown_worker_is_a_configuration_error(env: None, command: str) -> None:
    code, message = invoke(app, command, "--workers", "sl651,gatway")
    assert code == 78
    assert "'gatway'" in message
