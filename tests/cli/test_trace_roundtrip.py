"""keygen → submit → sign → submit → fetch → verify against the platform served by uvicorn over
real HTTP, as a recorder with an API token would do it from its own machine."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from cityhub import auth
from cityhub.auth import Actor, Role
from cityhub.cli.errors import exit_code_of
from cityhub.cli.trace import trace_app
from cityhub.cli.trace_submit import check_entry
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import CityhubError, InvalidInput
from cityhub.trace.actors import ActorIn, link_account, register_actor
from cityhub.web import create_app
from tests.trace.chain import CROP, RAW, event, qty
from tests.trace.people import FARM_CODE

INVALID, NOT_AUTHENTICATED, CONFLICT = 65, 77, 73


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(settings: Settings, db: Database) -> Iterator[str]:
    """The platform over real HTTP (uvicorn in a thread, the trace log running in it)."""
    port = _free_port()
    app = create_app(settings, db)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def token(db: Database) -> str:
    """An API token of a recorder account linked to the farm."""
    system = Actor.system()
    register_actor(db, system, ActorIn(code=FARM_CODE, name_zh="莘县合作社", kind="farm"))
    auth.create_user(
        db,
        system,
        username="farm.recorder",
        password="correct-horse-battery",
        department_code="NYNCJ",
        role=Role.RECORDER,
    )
    link_account(db, system, FARM_CODE, "farm.recorder")
    issued = auth.create_token(
        db, system, name="cli", lifetime=timedelta(days=1), username="farm.recorder"
    )
    return issued.secret


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout, stderr (or the error's message), as ``cityhub.cli.main`` maps them."""
    result = CliRunner().invoke(trace_app, list(args), env={"COLUMNS": "300"})
    error = result.exception
    if isinstance(error, CityhubError):
        return exit_code_of(error), result.stdout, error.message
    if error is not None and not isinstance(error, SystemExit):
        raise error
    return result.exit_code, result.stdout, result.stderr


def _events(tmp_path: Path) -> Path:
    add, observe = {"action": "ADD"}, {"action": "OBSERVE"}
    items = [
        event("ObjectEvent", 0, "city:planting", quantityList=[qty(CROP, 200, "H87")], **add),
        event(
            "TransformationEvent",
            900,
            "city:harvesting",
            inputQuantityList=[qty(CROP, 200, "H87")],
            outputQuantityList=[qty(RAW, 900)],
        ),
        event("ObjectEvent", 901, "shipping", quantityList=[qty(RAW, 900)], **observe),
    ]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def test_keygen_sign_submit_fetch_verify(server: str, token: str, tmp_path: Path) -> None:
    key = tmp_path / "farm.key"
    assert run("keygen", "--actor", FARM_CODE, "--out", str(key))[0] == 0
    statement = tmp_path / "farm.key.register.json"
    code, out, err = run("submit", "--url", server, "--token", token, str(statement))
    assert code == 0, err
    assert "recorded at log index 0" in out
    # The policy the recorder pins: fetched once, out of band, then trusted.
    policy = tmp_path / "policy.txt"
    with urllib.request.urlopen(f"{server}/trace/log/policy") as response:
        policy.write_bytes(response.read())
    key_proof = tmp_path / "farm.key.register.0.tlog-proof"
    code, out, err = run(
        "verify",
        str(key_proof),
        "--leaf",
        str(key_proof.with_suffix(".leaf")),
        "--policy",
        str(policy),
    )
    assert code == 0, err
    assert f"key register of {FARM_CODE}+" in out

    assert run("sign", "--key", str(key), str(_events(tmp_path)))[0] == 0
    signed = tmp_path / "events.signed.json"
    code, out, err = run("submit", "--url", server, "--token", token, str(signed))
    assert code == 0, err
    proofs = sorted(tmp_path.glob("events.signed.*.tlog-proof"))
    assert [p.name for p in proofs] == [f"events.signed.{i}.tlog-proof" for i in (1, 2, 3)]
    code, out, err = run(
        "verify",
        str(proofs[1]),
        "--leaf",
        str(proofs[1].with_suffix(".leaf")),
        "--policy",
        str(policy),
    )
    assert code == 0, err

    evidence = tmp_path / "raw.json"
    code, out, _ = run("fetch", "--url", server, "--lot", RAW, "-o", str(evidence))
    assert code == 0 and f"{RAW}: 2 event(s)" in out
    code, out, err = run("verify", "--policy", str(policy), str(evidence))
    assert code == 0, err
    assert f"verified {RAW}: 2 event(s)" in out

    # The client's own check: a leaf that does not name the envelope sent is refused.
    bundle = proofs[0].read_text(encoding="utf-8")
    envelopes = json.loads(signed.read_text(encoding="utf-8"))["envelopes"]
    with pytest.raises(InvalidInput, match="does not name the envelope"):
        check_entry(server, bundle, envelopes[1], None)

    # The same events again are duplicates; a wrong token is refused.
    assert run("submit", "--url", server, "--token", token, str(signed))[0] == CONFLICT
    assert run("submit", "--url", server, "--token", "wrong", str(signed))[0] == NOT_AUTHENTICATED


@pytest.mark.parametrize(
    ("content", "expected"),
    [('{"hello": 1}', 'expected {"envelopes"'), ("[", "not valid JSON")],
)
def test_submit_refuses_what_is_not_envelopes(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    code, _, message = run("submit", "--url", "http://127.0.0.1:9", "--token", "t", str(path))
    assert code == INVALID and expected in message


def test_submit_to_nothing_says_unreachable(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"envelopes": []}')
    code, _, message = run(
        "submit", "--url", f"http://127.0.0.1:{_free_port()}", "--token", "t", str(path)
    )
    assert code == 1 and message.startswith("cannot reach")


def test_only_http_urls(tmp_path: Path) -> None:
    code, _, message = run("fetch", "--url", "file:///etc", "--lot", RAW, "-o", str(tmp_path / "o"))
    assert code == INVALID and "http://" in message
