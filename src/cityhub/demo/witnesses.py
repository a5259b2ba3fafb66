"""The demo's three witnesses: 市农业农村局, 市市场监管局 and 市大数据局 each cosign the trace log.

Each witness is its own ``cityhub witness serve`` process (as each department would run its
own) on 127.0.0.1, ports 8801-8803 by default, with its own cosignature key and state under
``<data_dir>/demo/witnesses/<name>/``. The demo writes a C2SP tlog-policy naming the log's key,
the three witnesses and a quorum of 2 of 3 to ``<data_dir>/demo/trace-policy.txt`` and runs
the platform with ``trace_policy_file`` set to it, so that a checkpoint counts as published
only once two departments have cosigned it.

    with demo_witnesses(settings) as settings:   # trace_policy_file set, witnesses running
        ...                                        # seed, serve
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from cityhub.config import Settings
from cityhub.demo.trace_witness_process import (
    HOST,
    WITNESSES,
    WitnessProcess,
    WitnessSpec,
    check_port_free,
    witness_key,
)
from cityhub.demo.trace_witness_state import set_aside_if_stale
from cityhub.errors import ConfigurationError
from cityhub.trace.log.identity import load_identity

__all__ = [
    "DEFAULT_PORTS",
    "QUORUM",
    "WITNESSES",
    "DemoWitnesses",
    "WitnessProcess",
    "WitnessSpec",
    "check_port_free",
    "demo_witnesses",
    "policy_path",
    "policy_text",
    "start_witnesses",
    "witness_key",
]

DEFAULT_PORTS = (8801, 8802, 8803)
QUORUM = 2
GROUP = "demo"
READY_SECONDS = 90.0  # a cold start of the CLI takes tens of seconds on a busy 2-core box


def demo_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "demo"


def policy_path(settings: Settings) -> Path:
    """Where the demo writes its trust policy."""
    return demo_dir(settings) / "trace-policy.txt"


def policy_text(log_vkey: str, witnesses: Sequence[tuple[str, str, str]], quorum: int) -> str:
    """tlog-policy: the log, each (name, vkey, url) witness, ``quorum`` of them needed."""
    lines = ["# cityhub demo: the trace log and its three department witnesses", f"log {log_vkey}"]
    lines += [f"witness {name} {vkey} {url}" for name, vkey, url in witnesses]
    lines.append(f"group {GROUP} {quorum} " + " ".join(name for name, _, _ in witnesses))
    lines.append(f"quorum {GROUP}")
    return "\n".join(lines) + "\n"


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


class DemoWitnesses:
    """The three witness processes and the policy that trusts them; a context manager."""

    def __init__(
        self,
        settings: Settings,
        *,
        ports: Sequence[int] = DEFAULT_PORTS,
        host: str = HOST,
        quorum: int = QUORUM,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        if len(ports) != len(WITNESSES) or len(set(ports)) != len(ports):
            raise ConfigurationError(
                f"give {len(WITNESSES)} different witness ports", details={"ports": list(ports)}
            )
        self.echo = echo or (lambda _line: None)
        base = demo_dir(settings) / "witnesses"
        self.witnesses = {
            spec.name: WitnessProcess(spec, base / spec.name, port, host)
            for spec, port in zip(WITNESSES, ports, strict=True)
        }
        # The log key: created here if the platform has none yet (no policy read for it).
        identity = load_identity(settings.model_copy(update={"trace_policy_file": None}))
        self.origin = identity.origin
        self.log_vkey = identity.signer.verifier().vkey()
        self.policy_file = policy_path(settings)
        entries = [(w.spec.name, w.vkey, w.url) for w in self.witnesses.values()]
        self.policy = policy_text(self.log_vkey, entries, quorum)
        self.settings = settings.model_copy(update={"trace_policy_file": self.policy_file})
        self.started = False

    def start(self, tree_size: int | None = None) -> None:
        """Write the policy, check every port, start the witnesses and wait for each to answer.

        ``tree_size``: the leaves of the demo database's log; a witness state remembering more
        is from an earlier database and is set aside (``trace_witness_state``). Does nothing if
        the witnesses run already."""
        if self.started:
            return
        for witness in self.witnesses.values():
            check_port_free(witness.host, witness.port, witness.spec.name)
        if tree_size is not None:
            for witness in self.witnesses.values():
                message = set_aside_if_stale(witness.state_dir, self.origin, tree_size)
                if message:
                    self.echo(f"witness {witness.spec.name}: {message}")
        _write_atomically(self.policy_file, self.policy)
        try:
            for witness in self.witnesses.values():
                witness.start(self.log_vkey)
            deadline = time.monotonic() + READY_SECONDS
            for witness in self.witnesses.values():
                witness.wait_ready(deadline)
                self.echo(
                    f"witness {witness.spec.name} ({witness.spec.department_zh}) at {witness.url}"
                )
        except BaseException:
            self.stop()
            raise
        self.started = True

    def stop(self) -> None:
        for witness in self.witnesses.values():
            witness.stop()
        self.started = False

    def stop_one(self, name: str) -> None:
        """Stop one witness (the demo of a department being down)."""
        self.witnesses[name].stop()

    def start_one(self, name: str) -> None:
        """Start one witness again and wait until it answers."""
        witness = self.witnesses[name]
        witness.start(self.log_vkey)
        witness.wait_ready(time.monotonic() + READY_SECONDS)

    def __enter__(self) -> DemoWitnesses:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_witnesses(
    settings: Settings,
    *,
    ports: Sequence[int] = DEFAULT_PORTS,
    tree_size: int | None = None,
    echo: Callable[[str], None] | None = None,
) -> DemoWitnesses:
    """Start the demo witnesses (see the module doc); stop them with ``stop()`` or ``with``."""
    witnesses = DemoWitnesses(settings, ports=ports, echo=echo)
    witnesses.start(tree_size)
    return witnesses


@contextmanager
def demo_witnesses(
    settings: Settings,
    *,
    ports: Sequence[int] = DEFAULT_PORTS,
    tree_size: int | None = None,
    echo: Callable[[str], None] | None = None,
) -> Iterator[Settings]:
    """The settings to run the demo with while its witnesses run; they stop after the block.
    ``tree_size``: see ``DemoWitnesses.start``.

    A trust policy of the user's own (``trace_policy_file`` set) is left alone: no demo
    witnesses are started and the settings come back unchanged.
    """
    say = echo or (lambda _line: None)
    if settings.trace_policy_file is not None:
        say(f"trace log: using the policy {settings.trace_policy_file}; no demo witnesses started")
        yield settings
        return
    witnesses = start_witnesses(settings, ports=ports, tree_size=tree_size, echo=say)
    try:
        say(f"trace log: checkpoints need {QUORUM} of 3 cosignatures ({witnesses.policy_file})")
        yield witnesses.settings
    finally:
        witnesses.stop()
