"""Actor keys: register, rotate and revoke as log entries; retired keys sign nothing new."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from cityhub.trace.events import record_events, seal_event
from cityhub.trace.keys import list_keys, register_key, revoke_key, revoke_key_as_admin, rotate_key
from cityhub.trace.leaves import KeyLeaf, parse_leaf
from cityhub.trace.log import TraceLog
from cityhub.trace.models import TraceKey
from cityhub.trace.note import generate_signer
from cityhub.trace.statements import key_statement, sign_statement
from tests.trace.chain import CROP, START, event, new_key, qty
from tests.trace.people import cast

NOW = START + timedelta(days=1)


def _crop_event(hours: float) -> dict[str, Any]:
    return event(
        "ObjectEvent", hours, "city:planting", action="ADD", quantityList=[qty(CROP, 10, "H87")]
    )


def test_registration_is_a_key_leaf_and_a_row(db: Database, tlog: TraceLog) -> None:
    people = cast(db)
    signer = generate_signer("farm.key")
    envelope = sign_statement(
        key_statement("register", people.farm, vkey=signer.verifier().vkey()), [signer]
    )
    record = register_key(db, tlog, people.recorder, people.farm, envelope)
    leaf = parse_leaf(tlog.leaf(record.registered_index))
    assert isinstance(leaf, KeyLeaf)
    assert (leaf.action, leaf.actor, leaf.key) == (
        "register",
        people.farm,
        signer.verifier().vkey(),
    )
    assert record.bundle is not None and record.bundle.startswith("c2sp.org/tlog-proof@v1\n")
    [listed] = list_keys(db, Actor.public(), people.farm)
    assert (listed.key_id, listed.registered_index, listed.revoked_index) == (
        signer.key_id.hex(),
        record.registered_index,
        None,
    )
    with db.reading() as session:
        assert (
            session.scalar(
                select(AuditEvent.actor).where(AuditEvent.action == "trace.key.register")
            )
            == "farm.recorder"
        )


def _register_case(name: str, people: Any) -> tuple[dict[str, Any], Actor]:
    signer, other = generate_signer("k"), generate_signer("other")
    vkey = signer.verifier().vkey()
    good = key_statement("register", people.farm, vkey=vkey)
    cases: dict[str, tuple[dict[str, Any], Actor]] = {
        "signed by another key": (sign_statement(good, [other]), people.recorder),
        "unsigned": (sign_statement(good, []), people.recorder),
        "other actor named": (
            sign_statement(key_statement("register", people.processor, vkey=vkey), [signer]),
            people.recorder,
        ),
        "time in the future": (
            sign_statement(
                key_statement(
                    "register", people.farm, vkey=vkey, time=datetime.now(UTC) + timedelta(hours=1)
                ),
                [signer],
            ),
            people.recorder,
        ),
        "extra field": (sign_statement({**good, "note": "x"}, [signer]), people.recorder),
        "not a vkey": (
            sign_statement(
                key_statement("register", people.farm, vkey="k+00000000+AAAA"), [signer]
            ),
            people.recorder,
        ),
        "wrong action": (
            sign_statement(
                key_statement("revoke", people.farm, key="00000000", reason="x"), [signer]
            ),
            people.recorder,
        ),
    }
    return cases[name]


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("signed by another key", "$.signatures"),
        ("unsigned", "$.signatures"),
        ("other actor named", "$.payload.actor"),
        ("time in the future", "$.payload.time"),
        ("extra field", "$.payload"),
        ("not a vkey", "$.payload.vkey"),
        ("wrong action", "$.payload.action"),
    ],
)
def test_bad_registrations_are_refused_naming_the_path(
    db: Database, tlog: TraceLog, name: str, path: str
) -> None:
    people = cast(db)
    envelope, caller = _register_case(name, people)
    with pytest.raises(InvalidInput) as caught:
        register_key(db, tlog, caller, people.farm, envelope)
    assert caught.value.details["path"] == path


def test_non_canonical_payload_is_refused(db: Database, tlog: TraceLog) -> None:
    people = cast(db)
    signer = generate_signer("k")
    envelope = sign_statement(
        key_statement("register", people.farm, vkey=signer.verifier().vkey()), [signer]
    )
    envelope["payload"] = base64.b64encode(base64.b64decode(envelope["payload"]) + b" ").decode()
    with pytest.raises(InvalidInput) as caught:
        register_key(db, tlog, people.recorder, people.farm, envelope)
    assert caught.value.details["path"] == "$.payload"


@pytest.mark.parametrize("who", ["stranger", "public", "steward"])
def test_only_accounts_of_the_actor_register_its_keys(
    db: Database, tlog: TraceLog, who: str
) -> None:
    people = cast(db)
    caller = {"stranger": people.stranger, "public": Actor.public(), "steward": people.steward}[who]
    signer = generate_signer("k")
    envelope = sign_statement(
        key_statement("register", people.farm, vkey=signer.verifier().vkey()), [signer]
    )
    with pytest.raises(NotAuthenticated if who == "public" else PermissionDenied):
        register_key(db, tlog, caller, people.farm, envelope)


def test_a_key_registers_once(db: Database, tlog: TraceLog) -> None:
    people = cast(db)
    signer = generate_signer("k")
    statement = key_statement("register", people.farm, vkey=signer.verifier().vkey())
    register_key(db, tlog, people.recorder, people.farm, sign_statement(statement, [signer]))
    with pytest.raises(Conflict):
        register_key(db, tlog, people.recorder, people.farm, sign_statement(statement, [signer]))


def test_rotation_retires_the_old_key(db: Database, tlog: TraceLog) -> None:
    people = cast(db)
    old = new_key(db, tlog, people.farm)
    record_events(db, tlog, people.recorder, [seal_event(_crop_event(1), old)], now=NOW)
    new = generate_signer("farm.2026")
    statement = key_statement(
        "rotate", people.farm, vkey=new.verifier().vkey(), previous=old.key_id.hex()
    )
    with pytest.raises(InvalidInput):  # the new key alone is not enough
        rotate_key(db, tlog, people.recorder, people.farm, sign_statement(statement, [new]))
    with pytest.raises(InvalidInput):  # nor the old one alone
        rotate_key(db, tlog, people.recorder, people.farm, sign_statement(statement, [old]))
    record = rotate_key(
        db, tlog, people.recorder, people.farm, sign_statement(statement, [old, new])
    )
    assert record.rotated_from == old.key_id.hex()
    leaf = parse_leaf(tlog.leaf(record.registered_index))
    assert isinstance(leaf, KeyLeaf) and leaf.action == "rotate"
    keys = {k.key_id: k for k in list_keys(db, people.steward, people.farm)}
    assert keys[old.key_id.hex()].revoked_index == record.registered_index
    # The old key signs nothing new; the new one does.
    later = event(
        "ObjectEvent", 2, "inspecting", action="OBSERVE", quantityList=[qty(CROP, 1, "H87")]
    )
    with pytest.raises(InvalidInput) as caught:
        record_events(db, tlog, people.recorder, [seal_event(dict(later), old)], now=NOW)
    assert caught.value.details["rule"] == "key_revoked"
    assert caught.value.details["event"] == 0
    record_events(db, tlog, people.recorder, [seal_event(dict(later), new)], now=NOW)
    with pytest.raises(Conflict):  # rotating a retired key again
        rotate_key(db, tlog, people.recorder, people.farm, sign_statement(statement, [old, new]))


def test_self_revocation(db: Database, tlog: TraceLog) -> None:
    people = cast(db)
    key = new_key(db, tlog, people.farm)
    statement = key_statement("revoke", people.farm, key=key.key_id.hex(), reason="retired")
    with pytest.raises(InvalidInput):
        revoke_key(
            db,
            tlog,
            people.recorder,
            people.farm,
            sign_statement(statement, [generate_signer("x")]),
        )
    record = revoke_key(db, tlog, people.recorder, people.farm, sign_statement(statement, [key]))
    assert record.revoked_index is not None
    leaf = parse_leaf(tlog.leaf(record.revoked_index))
    assert isinstance(leaf, KeyLeaf) and (leaf.action, leaf.key) == (
        "revoke",
        key.verifier().vkey(),
    )
    with pytest.raises(InvalidInput) as caught:
        record_events(db, tlog, people.recorder, [seal_event(_crop_event(1), key)], now=NOW)
    assert caught.value.details["rule"] == "key_revoked"


def test_admin_revocation_needs_no_key_signature(db: Database, tlog: TraceLog) -> None:
    people = cast(db)
    key = new_key(db, tlog, people.farm)
    with pytest.raises(PermissionDenied):
        revoke_key_as_admin(db, tlog, people.recorder, key.key_id.hex(), "lost")
    record = revoke_key_as_admin(db, tlog, people.steward, key.key_id.hex(), "stolen laptop")
    assert record.revoked_index is not None
    with db.reading() as session:
        row = session.scalars(select(TraceKey).where(TraceKey.key_id == key.key_id.hex())).one()
    assert row.revocation is not None
    statement = json.loads(base64.b64decode(row.revocation["payload"]))
    assert statement["by"] == "admin:nyncj.trace"
    assert row.revocation["signatures"] == []
    with pytest.raises(InvalidInput):
        record_events(db, tlog, people.recorder, [seal_event(_crop_event(1), key)], now=NOW)
    # An unsigned statement "by" someone else is refused.
    forged = key_statement("revoke", people.farm, key="0000abcd", reason="x", by="admin:admin")
    with pytest.raises(InvalidInput):
        revoke_key(db, tlog, people.steward, people.farm, sign_statement(forged, []))
    with pytest.raises(NotFound):
        revoke_key_as_admin(db, tlog, people.steward, "0000abcd", "x")
