"""A PostgreSQL server of the test's own, to stop and start under load.

It needs the server's programs (``initdb``, ``pg_ctl``: on PATH or Debian's
``/usr/lib/postgresql/<version>/bin``); without them the test skips with the reason, and fails
under ``CI=true``. As root it runs them as the ``postgres`` user, since PostgreSQL refuses root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ports import free_port


def _program(name: str) -> Path | None:
    found = shutil.which(name)
    if found:
        return Path(found)
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return candidates[-1] if candidates else None


@dataclass(frozen=True)
class Cluster:
    """A running server: its URL, and how to stop and start it."""

    folder: Path
    port: int
    pg_ctl: Path
    runner: tuple[str, ...]  # the prefix that runs a program as the cluster's owner

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        command = [*self.runner, str(self.pg_ctl), "-D", str(self.folder / "data"), "-w", *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=50"
        )
        self._ctl("-l", str(self.folder / "server.log"), "-o", options, "start")

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; ``immediate`` is as abrupt as a crash (recovery on the next start)."""
        self._ctl("-m", mode, "stop")


@contextmanager
def own_cluster() -> Iterator[Cluster]:
    """A new, started server on a free loopback port; removed afterwards."""
    initdb, pg_ctl = _program("initdb"), _program("pg_ctl")
    runner: tuple[str, ...] = ()
    reason = None
    if initdb is None or pg_ctl is None:
        reason = "PostgreSQL's initdb and pg_ctl are not installed"
    elif os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
            runner = ("runuser", "-u", "postgres", "--")
        except KeyError:
            reason = "running as root and there is no postgres user to run the server as"
    if reason is not None or initdb is None or pg_ctl is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"a PostgreSQL server of the test's own is required on CI: {reason}")
        pytest.skip(str(reason))
    folder = Path(tempfile.mkdtemp(prefix="cityhub-pg-", dir="/tmp"))
    if runner:
        shutil.chown(folder, "postgres", "postgres")
    data = str(folder / "data")
    subprocess.run(
        [
            *runner,
            str(initdb),
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    cluster = Cluster(folder, free_port(), pg_ctl, runner)
    cluster.start()
    try:
        yield cluster
    finally:
        with suppress(subprocess.CalledProcessError):  # already stopped
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
