"""``cityhub trace verify``: offline checks of an evidence document or one proof bundle; exit 0
only when everything verified, 65 naming the first failure for each kind of tampering."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from cityhub import auth
from cityhub.auth import Actor, hashing
from cityhub.cli.errors import exit_code_of
from cityhub.cli.trace import trace_app
from cityhub.config import Settings
from cityhub.db import Database, upgrade
from cityhub.errors import CityhubError
from cityhub.trace.evidence import evidence_document
from cityhub.trace.log import TraceLog
from cityhub.trace.note import generate_signer
from tests.conftest import ADMIN_PASSWORD
from tests.trace.chain import PRODUCT, build_chain

Doc = dict[str, Any]
INVALID = 65


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Doc]:
    """The evidence document of the test chain's product lot, built once for the module."""
    home = tmp_path_factory.mktemp("trace-verify")
    settings = Settings(
        data_dir=home,
        database_url=f"sqlite:///{home / 'cityhub.db'}",
        secret_key="test-secret-key",
        admin_password=ADMIN_PASSWORD,
        derived_scheduler_seconds=0,
        sl651_port=0,
        mqtt_port=0,
        trace_origin="trace.test.example/log",
    )
    db = Database(settings.database_url_effective)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            hashing, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        )
        upgrade(db)
        auth.bootstrap(db, admin_password=ADMIN_PASSWORD)
        with TraceLog(db, settings) as log:
            build_chain(db, log)
            doc = evidence_document(db, log, PRODUCT, caller=Actor.public())
    db.dispose()
    yield json.loads(json.dumps(doc))


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout, stderr, with a CityhubError mapped as ``cityhub.cli.main`` does."""
    result = CliRunner().invoke(trace_app, list(args), env={"COLUMNS": "300"})
    error = result.exception
    if isinstance(error, CityhubError):
        return exit_code_of(error), result.stdout, error.message
    if error is not None and not isinstance(error, SystemExit):
        raise error
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, doc: Doc, name: str = "evidence.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def copy(doc: Doc) -> Doc:
    result: Doc = json.loads(json.dumps(doc))
    return result


def _index(doc: Doc, position: int) -> int:
    return int(doc["events"][position]["bundle"].split("\nindex ", 1)[1].split("\n", 1)[0])


def _flip(text: str, position: int) -> str:
    char = text[position]
    return text[:position] + ("B" if char != "B" else "C") + text[position + 1 :]


def change_payload_byte(doc: Doc) -> str:
    envelope = doc["events"][1]["envelope"]
    payload = bytearray(base64.b64decode(envelope["payload"]))
    at = payload.index(b"eventTime") + 14  # a digit of the year
    payload[at] = ord("9") if payload[at] != ord("9") else ord("8")
    envelope["payload"] = base64.b64encode(bytes(payload)).decode()
    return f"event 2 (log index {_index(doc, 1)}): signature invalid"


def change_leaf_byte(doc: Doc) -> str:
    entry = doc["events"][2]
    at = entry["leaf"].index("sha-256;") + 8
    entry["leaf"] = (
        entry["leaf"][:at] + ("0" if entry["leaf"][at] != "0" else "1") + entry["leaf"][at + 1 :]
    )
    return f"event 3 (log index {_index(doc, 2)}): leaf not included in the log"


def change_checkpoint_byte(doc: Doc) -> str:
    # The same forged checkpoint in every bundle, as a forger who rewrote the root would send.
    note = doc["events"][0]["bundle"].split("\n\n", 1)[1]
    root_at = note.index("\n", note.index("\n") + 1) + 5
    forged = _flip(note, root_at)
    for entry in [*doc["events"], *doc["keys"].values()]:
        entry["bundle"] = entry["bundle"].replace(note, forged)
    return "checkpoint: checkpoint signature invalid"


def drop_event(doc: Doc) -> str:
    dropped, after = _index(doc, 1), _index(doc, 2)
    del doc["events"][1]
    return (
        f"event 2 (log index {after}): the batch's previous event at log index {dropped} "
        "is missing from the document (dropped event)"
    )


def swap_events(doc: Doc) -> str:
    events = doc["events"]
    events[1], events[2] = events[2], events[1]
    return f"event 3 (log index {_index(doc, 2)}): not in log order"


TAMPER: list[tuple[str, Callable[[Doc], str]]] = [
    ("changed payload byte", change_payload_byte),
    ("changed leaf byte", change_leaf_byte),
    ("changed checkpoint byte", change_checkpoint_byte),
    ("dropped event", drop_event),
    ("swapped events", swap_events),
]


def test_a_valid_document_verifies_with_every_check_ticked(evidence: Doc, tmp_path: Path) -> None:
    code, out, err = run("verify", str(write(tmp_path, evidence)))
    assert code == 0, err
    assert "✗" not in out
    assert out.count("✓") >= len(evidence["events"]) + len(evidence["keys"]) + 2
    assert f"verified {PRODUCT}: 4 event(s)" in out
    assert "keys were taken from the document" in err  # not pinned


@pytest.mark.parametrize(("name", "tamper"), TAMPER, ids=[case[0] for case in TAMPER])
def test_each_tampering_fails_and_is_named(
    evidence: Doc, tmp_path: Path, name: str, tamper: Callable[[Doc], str]
) -> None:
    doc = copy(evidence)
    expected = tamper(doc)
    code, out, message = run("verify", str(write(tmp_path, doc)))
    assert code == INVALID, name
    assert message.startswith(expected), message  # the error line names the first failure
    assert f"✗ {expected}" in out


def test_the_json_report_says_ok_or_lists_the_failures(evidence: Doc, tmp_path: Path) -> None:
    code, out, _ = run("verify", "--json", str(write(tmp_path, evidence)))
    assert code == 0 and json.loads(out)["ok"] is True
    doc = copy(evidence)
    drop_event(doc)
    code, out, _ = run("verify", "--json", str(write(tmp_path, doc)))
    report = json.loads(out)
    assert code == INVALID and report["ok"] is False
    assert any("dropped event" in failure for failure in report["failures"])


def test_a_pinned_policy_must_be_the_documents(evidence: Doc, tmp_path: Path) -> None:
    pinned = tmp_path / "policy.txt"
    pinned.write_text(evidence["policy"], encoding="utf-8")
    code, _, err = run("verify", "--policy", str(pinned), str(write(tmp_path, evidence)))
    assert code == 0 and "warning" not in err
    other = tmp_path / "other.txt"
    other.write_text(
        f"log {generate_signer('trace.test.example/log').verifier().vkey()}\nquorum none\n"
    )
    code, _, message = run("verify", "--policy", str(other), str(write(tmp_path, evidence)))
    assert code == INVALID
    assert message == "policy: the document's policy is not the pinned one (--policy)"


def test_a_policy_file_that_is_not_one_is_refused(evidence: Doc, tmp_path: Path) -> None:
    bad = tmp_path / "policy.txt"
    bad.write_text("log nonsense\n")
    code, _, message = run("verify", "--policy", str(bad), str(write(tmp_path, evidence)))
    assert code == INVALID and "not a tlog-policy" in message


def _bundle_files(evidence: Doc, tmp_path: Path) -> tuple[Path, Path, Path]:
    entry = evidence["events"][0]
    proof = tmp_path / "event.tlog-proof"
    proof.write_text(entry["bundle"], encoding="utf-8")
    leaf = tmp_path / "event.leaf"
    leaf.write_bytes(entry["leaf"].encode("utf-8"))
    policy = tmp_path / "policy.txt"
    policy.write_text(evidence["policy"], encoding="utf-8")
    return proof, leaf, policy


def test_a_single_proof_bundle_verifies_against_its_leaf(evidence: Doc, tmp_path: Path) -> None:
    proof, leaf, policy = _bundle_files(evidence, tmp_path)
    code, out, err = run("verify", str(proof), "--leaf", str(leaf), "--policy", str(policy))
    assert code == 0, err
    assert f"✓ leaf included at log index {_index(evidence, 0)}" in out
    assert "✓ event ni:///sha-256;" in out


def test_a_single_proof_bundle_with_a_changed_leaf_fails(evidence: Doc, tmp_path: Path) -> None:
    proof, leaf, policy = _bundle_files(evidence, tmp_path)
    data = bytearray(leaf.read_bytes())
    data[-3] = ord("9") if data[-3] != ord("9") else ord("8")
    leaf.write_bytes(bytes(data))
    code, out, message = run("verify", str(proof), "--leaf", str(leaf), "--policy", str(policy))
    assert code == INVALID
    assert "✗" in out and "inclusion" in message.lower()


@pytest.mark.parametrize("missing", ["--leaf", "--policy"])
def test_a_proof_bundle_needs_leaf_and_policy(evidence: Doc, tmp_path: Path, missing: str) -> None:
    proof, leaf, policy = _bundle_files(evidence, tmp_path)
    args = {"--leaf": str(leaf), "--policy": str(policy)}
    del args[missing]
    code, _, message = run("verify", str(proof), *[x for pair in args.items() for x in pair])
    assert code == INVALID and "give --policy POLICY_FILE and --leaf LEAF_FILE" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "neither a .tlog-proof nor JSON"),
        ('{"format": "something/else"}', "format is not cityhub.trace/evidence/v1"),
        ("[]", "format is not cityhub.trace/evidence/v1"),
    ],
)
def test_what_is_no_evidence_is_refused(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "in.json"
    path.write_text(content)
    code, _, message = run("verify", str(path))
    assert code == INVALID and expected in message


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    code, _, message = run("verify", str(tmp_path / "nothing.json"))
    assert code == 66 and "nothing.json" in message
