"""The demo's witness processes: keys, trust policy, ports (at work: see test_trace_demo)."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityhub.config import Settings
from cityhub.db import Database, upgrade
from cityhub.demo import witnesses
from cityhub.demo.trace_witness_state import log_tree_size, set_aside_if_stale
from cityhub.demo.witnesses import (
    QUORUM,
    WITNESSES,
    DemoWitnesses,
    check_port_free,
    demo_witnesses,
    policy_path,
    witness_key,
)
from cityhub.errors import ConfigurationError
from cityhub.trace.log.identity import load_identity
from cityhub.trace.log.models import TraceLeaf
from cityhub.trace.note import COSIGNATURE_V1, parse_policy
from cityhub.trace.witness import store


@pytest.fixture
def demo_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'c.db'}")


@pytest.fixture
def listener() -> Iterator[int]:
    """A port something listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def test_witness_key_is_made_once_and_private(tmp_path: Path) -> None:
    first = witness_key(tmp_path / "w", "witness.example/a")
    again = witness_key(tmp_path / "w", "witness.example/a")
    assert first.skey() == again.skey()
    assert first.kind == COSIGNATURE_V1
    mode = stat.S_IMODE(os.stat(tmp_path / "w" / "witness.skey").st_mode)
    assert mode == 0o600


def test_policy_trusts_the_log_and_needs_two_of_three(demo_settings: Settings) -> None:
    demo = DemoWitnesses(demo_settings, ports=(18901, 18902, 18903))
    policy = parse_policy(demo.policy)
    log_vkey = load_identity(demo_settings).signer.verifier().vkey()
    assert policy.log.vkey() == log_vkey
    assert sorted(policy.witnesses) == sorted(spec.name for spec in WITNESSES)
    assert [url for _, url in policy.witnesses.values()] == [
        "http://127.0.0.1:18901",
        "http://127.0.0.1:18902",
        "http://127.0.0.1:18903",
    ]
    names = list(policy.witnesses)
    assert QUORUM == 2
    assert not policy.satisfied(names[:1])
    assert policy.satisfied(names[:2]) and policy.satisfied(names[1:])
    # Only start() writes the file; the settings point at it already.
    assert demo.settings.trace_policy_file == policy_path(demo_settings)
    assert not policy_path(demo_settings).exists()


@pytest.mark.parametrize("ports", [(8801, 8802), (8801, 8801, 8802), (1, 2, 3, 4)])
def test_three_different_ports_are_needed(demo_settings: Settings, ports: tuple[int, ...]) -> None:
    with pytest.raises(ConfigurationError, match="3 different witness ports"):
        DemoWitnesses(demo_settings, ports=ports)


def test_a_taken_port_is_named(listener: int) -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_port_free("127.0.0.1", listener, "witness.example/a")
    assert f"port {listener}" in caught.value.message
    assert caught.value.details == {"port": listener, "witness": "witness.example/a"}


def test_nothing_starts_when_a_port_is_taken(
    demo_settings: Settings, listener: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    spawned: list[str] = []
    monkeypatch.setattr(
        witnesses.WitnessProcess, "start", lambda self, vkey: spawned.append(self.spec.name)
    )
    [one, two] = free_ports(2)
    demo = DemoWitnesses(demo_settings, ports=(one, listener, two))
    with pytest.raises(ConfigurationError, match=f"port {listener} for {WITNESSES[1].name}"):
        demo.start()
    assert spawned == []
    assert not policy_path(demo_settings).exists()


def test_the_users_own_policy_is_left_alone(demo_settings: Settings, tmp_path: Path) -> None:
    own = tmp_path / "my-policy.txt"
    settings = demo_settings.model_copy(update={"trace_policy_file": own})
    lines: list[str] = []
    with demo_witnesses(settings, echo=lines.append) as used:
        assert used is settings
    assert not (tmp_path / "demo" / "witnesses").exists()
    assert "no demo witnesses" in lines[0]


def test_a_witness_that_exits_at_start_is_reported(demo_settings: Settings) -> None:
    [port] = free_ports(1)
    process = witnesses.WitnessProcess(WITNESSES[0], demo_settings.data_dir / "w", port)
    (process.folder / "witness.skey").write_text("not a key\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="exited at start"):
        process.start("127.0.0.1:8000/trace/log+00000000+AAAA")
        process.wait_ready(deadline=float("inf"))
    process.stop()


def _remember(state: Path, origin: str, size: int) -> None:
    conn = store.connect(state)
    try:
        with store.transaction(conn):
            store.write_latest(conn, store.Latest(origin, size, bytes(32), "note"))
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("remembered", "tree", "set_aside"),
    [(10, 9, True), (10, 0, True), (10, 10, False), (10, 11, False), (None, 0, False)],
)
def test_a_witness_state_from_an_earlier_database_is_set_aside(
    tmp_path: Path, remembered: int | None, tree: int, set_aside: bool
) -> None:
    state = tmp_path / "w" / "state"
    if remembered is not None:
        _remember(state, "127.0.0.1:8000/trace/log", remembered)
        _remember(state, "other.example/log", 99)
    message = set_aside_if_stale(state, "127.0.0.1:8000/trace/log", tree)
    assert (message is not None) is set_aside
    assert state.exists() is (remembered is not None and not set_aside)
    if set_aside:
        [kept] = (tmp_path / "w").glob("state.stale-*")
        assert str(kept) in str(message) and f"remembered {remembered} entries" in str(message)


def test_log_tree_size_counts_the_leaves(demo_settings: Settings) -> None:
    db = Database(demo_settings.database_url_effective)
    upgrade(db)
    try:
        assert log_tree_size(db) == 0
        with db.transaction() as session:
            session.add_all([TraceLeaf(idx=0, data=b"a"), TraceLeaf(idx=1, data=b"b")])
        assert log_tree_size(db) == 2
    finally:
        db.dispose()
