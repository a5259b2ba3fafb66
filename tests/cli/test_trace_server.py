"""``cityhub trace recall``, ``actors``, ``anchor``, ``check-anchors`` and ``log status`` on the
platform's database, configured through the environment as an operator's shell would be."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from cityhub import audit
from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor
from cityhub.cli.errors import exit_code_of
from cityhub.cli.trace import trace_app
from cityhub.config import Settings, get_settings
from cityhub.db import Database
from cityhub.errors import CityhubError
from cityhub.trace.log import TraceLog
from cityhub.trace.note import COSIGNATURE_V1, generate_signer, signer_from_skey
from tests.conftest import ADMIN_PASSWORD
from tests.trace.chain import ADDITIVE, FERTILISER, PALLET, PRODUCT, Chain, build_chain
from tests.trace.people import RETAILER_A_CODE, RETAILER_B_CODE

ORIGIN = "trace.test.example/log"
INVALID, NOT_FOUND, CONFLICT = 65, 66, 73


@pytest.fixture
def trace_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"trace_origin": ORIGIN})


@pytest.fixture
def env(
    trace_settings: Settings, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The CLI's settings: the same database, data directory (log key) and origin as the tests'."""
    for key, value in {
        "CITYHUB_DATA_DIR": str(tmp_path),
        "CITYHUB_DATABASE_URL": database_url,
        "CITYHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CITYHUB_TRACE_ORIGIN": ORIGIN,
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def chain(db: Database, trace_settings: Settings, env: None) -> Chain:
    """The hand-built chain, recorded by a log that is stopped again: the CLI is the only writer."""
    with TraceLog(db, trace_settings) as log:
        return build_chain(db, log)


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout, stderr (or the error's message), as ``cityhub.cli.main`` maps them."""
    result = CliRunner().invoke(trace_app, list(args), env={"COLUMNS": "300"})
    error = result.exception
    if isinstance(error, CityhubError):
        return exit_code_of(error), result.stdout, error.message
    if error is not None and not isinstance(error, SystemExit):
        raise error
    return result.exit_code, result.stdout, result.stderr


def test_recall_forward_lists_products_containers_and_both_retailers(chain: Chain) -> None:
    code, out, _ = run("recall", FERTILISER)
    assert code == 0
    for reached in (PRODUCT, PALLET, RETAILER_A_CODE, RETAILER_B_CODE):
        assert reached in out
    assert ADDITIVE not in out
    assert f"{FERTILISER} reached 2 retailers, 3 product lots, 1 containers" in out


def test_recall_back_as_json_reaches_the_farm_and_every_input(chain: Chain) -> None:
    code, out, _ = run("recall", PRODUCT, "--back", "--json")
    assert code == 0
    graph = json.loads(out)
    assert graph["direction"] == "back" and graph["start"] == PRODUCT
    ids = {node["id"] for node in graph["nodes"]}
    assert {FERTILISER, ADDITIVE, f"actor:{chain.people.farm}"} <= ids
    assert PALLET not in ids


def test_recall_accepts_an_epc_urn(chain: Chain) -> None:
    code, out, _ = run("recall", "urn:epc:class:lgtin:6901234.000002.F1", "--json")
    assert code == 0 and json.loads(out)["start"] == FERTILISER


@pytest.mark.parametrize(
    ("lot", "code"),
    [(PRODUCT.replace("P1", "P9"), NOT_FOUND), ("not a lot", INVALID)],
    ids=["unknown", "malformed"],
)
def test_recall_of_a_bad_lot(chain: Chain, lot: str, code: int) -> None:
    assert run("recall", lot)[0] == code


def test_actors_register_list_and_link(db: Database, env: None) -> None:
    ref = "91371502MA3C000388"
    code, out, _ = run(
        "actors", "register", "--ref", ref, "--name-zh", "东昌府区超市", "--kind", "retailer"
    )
    assert code == 0 and f"as {ref}" in out
    code, out, _ = run("actors", "list", "--json")
    assert code == 0
    assert [(a["ref"], a["kind"]) for a in json.loads(out)] == [(ref, "retailer")]
    code, out, _ = run("actors", "list")
    assert "东昌府区超市" in out
    assert (
        run("actors", "register", "--ref", ref, "--name-zh", "x", "--kind", "retailer")[0]
        == CONFLICT
    )
    bad = run(
        "actors", "register", "--ref", "91371502MA3C000389", "--name-zh", "x", "--kind", "retailer"
    )
    assert bad[0] == INVALID and "credit code" in bad[2]
    assert run("actors", "register", "--ref", ref, "--name-zh", "x", "--kind", "shop")[0] == INVALID
    assert run("actors", "link", "--ref", ref, "--user", "nobody")[0] == NOT_FOUND
    code, out, _ = run("actors", "link", "--ref", ref, "--user", "admin")
    assert code == 0 and f"admin records for {ref}" in out


def _rewrite(db: Database, row_id: int) -> None:
    """An attacker with database access: drop the guard, rewrite the row, restore the guard."""
    with db.engine.begin() as connection:
        if db.dialect == "sqlite":
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            connection.execute(
                text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change")
            )
        connection.execute(
            text("UPDATE audit_events SET actor = 'nobody' WHERE id = :id"), {"id": row_id}
        )
        if db.dialect != "sqlite":
            connection.execute(
                text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change")
            )


def test_anchor_then_check_anchors_then_a_rewrite_is_named(db: Database, env: None) -> None:
    for number in range(3):
        audit.record_alone(
            db, Actor.system(), "test.action", object_id=str(number), outcome=audit.Outcome.SUCCESS
        )
    code, out, _ = run("anchor", "--settle-seconds", "0")
    assert code == 0 and "anchored audit rows 1.." in out and "at log index 0" in out
    code, out, _ = run("check-anchors")
    assert code == 0 and "every audit anchor matches" in out
    with db.reading() as session:
        target = session.scalar(select(AuditEvent.id).where(AuditEvent.object_id == "1"))
    assert target is not None
    _rewrite(db, target)
    code, out, err = run("check-anchors")
    assert code == INVALID
    assert f"audit row {target} was rewritten" in out
    assert f"audit trail rewritten: rows {target}" in err


def test_anchor_with_nothing_new(db: Database, env: None) -> None:
    code, out, _ = run("anchor", "--settle-seconds", "3600")
    assert code == 0 and "no new audit rows to anchor" in out


def test_log_status_shows_the_published_checkpoint(chain: Chain) -> None:
    code, out, _ = run("log", "status")
    assert code == 0
    assert f"log {ORIGIN}: {ORIGIN}+" in out
    assert "published size 20 at" in out and "quorum none" in out
    assert f"{ORIGIN}\n20\n" in out  # the checkpoint note itself


def test_log_status_of_an_empty_log(db: Database, env: None) -> None:
    code, out, _ = run("log", "status")
    assert code == 0 and "no checkpoint published yet" in out


def test_log_status_names_the_witnesses_of_the_policy(
    chain: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_key = signer_from_skey((tmp_path / "trace" / "log.skey").read_text().strip())
    witness = generate_signer("witness.example/w1", COSIGNATURE_V1).verifier().vkey()
    policy = tmp_path / "policy.txt"
    policy.write_text(f"log {log_key.verifier().vkey()}\nwitness w1 {witness}\nquorum none\n")
    monkeypatch.setenv("CITYHUB_TRACE_POLICY_FILE", str(policy))
    get_settings.cache_clear()
    code, out, _ = run("log", "status")
    assert code == 0
    row = next(line for line in out.splitlines() if "w1" in line)
    assert witness in row and "✗" in row  # in the policy, but it did not cosign
