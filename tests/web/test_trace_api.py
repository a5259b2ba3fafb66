"""The traceability API over HTTP: actors, keys, events, batches, recall, anchors.

The chain is the domain tests' (``tests.trace.chain``: farm → processor → two retailers),
recorded in the app's own log; ``farm.recorder`` is the recorder account linked to the farm.
The seeds here (``seed_table``, ``seed_chain``) serve the other trace test modules too.
"""

from __future__ import annotations

import base64
import functools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from cityhub.auth import Actor
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.trace import anchor
from cityhub.trace.actors import ActorIn, link_account, register_actor
from cityhub.trace.bundles import verify_bundle
from cityhub.trace.epcis import canonical_json, lgtin_uri
from cityhub.trace.events import record_events, seal_event
from cityhub.trace.evidence import verify_evidence
from cityhub.trace.keys import register_key
from cityhub.trace.log import TraceLog
from cityhub.trace.models import TraceKey
from cityhub.trace.note import NoteSigner, generate_signer, parse_policy
from cityhub.trace.statements import key_statement, sign_statement
from cityhub.web.routes import trace_anchors
from tests.conftest import PASSWORD, People, token_for
from tests.trace.chain import (
    ADDITIVE,
    CROP,
    FERTILISER,
    PALLET,
    PRODUCT,
    RAW,
    Chain,
    agri_input,
    build_chain,
    event,
    qty,
)
from tests.trace.people import FARM_CODE, FARMER_SUBJECT_CODE
from tests.trace.test_anchor import _rewrite
from tests.web.test_pages import csrf_of, log_in

# --- seeds shared by the trace web tests --------------------------------------------------------

FAST = {"trace_checkpoint_seconds": 0.05, "trace_audit_anchor_minutes": 0}
# Keys from fixed seeds, so that tables can name their key IDs and sign bodies in advance.
FARM_KEY = NoteSigner("table.farm", bytes(range(32)))
SECOND_KEY = NoteSigner("table.farm2", bytes(range(1, 33)))
TABLE_LOT = lgtin_uri("06901234000078", "T1")
STARTED = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)


def fast(settings: Settings) -> Settings:
    """``settings`` with checkpoints every 50 ms (each seeded append waits for one)."""
    return settings.model_copy(update=FAST)


def log_of(app: FastAPI) -> TraceLog:
    """The app's transparency log (started by the app's lifespan)."""
    log: TraceLog = app.state.trace.log
    return log


def table_event(hours: float, action: str = "OBSERVE", step: str = "inspecting") -> dict[str, Any]:
    """A signed event on TABLE_LOT ``hours`` after STARTED."""
    body = {
        "type": "ObjectEvent",
        "eventTime": (STARTED + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventTimeZoneOffset": "+08:00",
        "action": action,
        "bizStep": step,
        "quantityList": [{"epcClass": TABLE_LOT, "quantity": 10.0, "uom": "KGM"}],
    }
    return seal_event(body, FARM_KEY)


def register_statement(signer: NoteSigner, ref: str = FARM_CODE) -> dict[str, Any]:
    """A register statement of ``signer``'s key for ``ref``, signed by that key."""
    return sign_statement(key_statement("register", ref, vkey=signer.verifier().vkey()), [signer])


def seed_table(app: FastAPI, db: Database) -> None:
    """The farm with FARM_KEY, TABLE_LOT commissioned by it, the analyst linked to it."""
    system = Actor.system()
    register_actor(
        db,
        system,
        ActorIn(code=FARM_CODE, name_zh="莘县蔬菜合作社", kind="farm", lon=115.67, lat=36.23),
    )
    log = log_of(app)
    register_key(db, log, system, FARM_CODE, register_statement(FARM_KEY))
    record_events(db, log, system, [table_event(0, "ADD", "commissioning")])
    link_account(db, system, FARM_CODE, "slj.analyst")


def seed_chain(app: FastAPI, db: Database) -> Chain:
    """The domain tests' chain, recorded in the app's log."""
    return build_chain(db, log_of(app))


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return fast(settings)


@pytest.fixture
def chain(client: TestClient, db: Database, people: People) -> Chain:
    return seed_chain(client.app, db)  # type: ignore[arg-type]


@pytest.fixture
def recorder(client: TestClient, chain: Chain) -> dict[str, str]:
    """Bearer headers of farm.recorder, who records for the farm."""
    return token_for(client, "farm.recorder")


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    return body


def _locations(error: dict[str, Any]) -> list[list[Any]]:
    return [e["location"] for e in error["details"]["errors"]]


def _later(hours: float, step: str, **fields: Any) -> dict[str, Any]:
    """An event body after the whole chain (which ends at hour 920)."""
    return event("ObjectEvent", 1000 + hours, step, action="OBSERVE", **fields)


# --- actors --------------------------------------------------------------------------------------

NEW_ACTOR = {"code": "91371500MA3C00003Q", "name_zh": "聊城农资公司", "kind": "input_supplier"}


def test_actors_are_registered_listed_and_shown(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    made = client.post("/api/trace/actors", json=NEW_ACTOR, headers=headers["steward"])
    assert made.status_code == 201, made.text
    assert made.json()["ref"] == NEW_ACTOR["code"]
    listed = client.get("/api/trace/actors", params={"kind": "input_supplier"}).json()
    assert [a["ref"] for a in listed] == [NEW_ACTOR["code"]]
    assert client.get(f"/api/trace/actors/{NEW_ACTOR['code']}").json()["name_zh"] == "聊城农资公司"


BAD_ACTORS: list[tuple[str, dict[str, Any], str | list[str]]] = [
    ("credit code check character", {**NEW_ACTOR, "code": "91371500MA3C00003A"}, "code"),
    ("lon without lat", {**NEW_ACTOR, "lon": 115.9}, "lon"),
    ("gln check digit", {**NEW_ACTOR, "gln": "6901234000011"}, "gln"),
    ("unknown kind", {**NEW_ACTOR, "kind": "bank"}, ["body", "kind"]),
    ("no name", {"code": NEW_ACTOR["code"], "kind": "farm"}, ["body", "name_zh"]),
    ("name too long", {**NEW_ACTOR, "name_zh": "长" * 201}, ["body", "name_zh"]),
]


@pytest.mark.parametrize(("case", "body", "where"), BAD_ACTORS, ids=[c[0] for c in BAD_ACTORS])
def test_bad_actors_are_refused_naming_the_field(
    client: TestClient,
    headers: dict[str, dict[str, str]],
    case: str,
    body: dict[str, Any],
    where: str | list[str],
) -> None:
    error = _error(client.post("/api/trace/actors", json=body, headers=headers["steward"]), 400)
    if isinstance(where, str):
        assert error["details"]["field"] == where
    else:
        assert where in _locations(error)


def test_an_actor_is_registered_once(
    client: TestClient, chain: Chain, headers: dict[str, dict[str, str]]
) -> None:
    body = {"code": FARM_CODE, "name_zh": "又一个", "kind": "farm"}
    assert client.post("/api/trace/actors", json=body, headers=headers["admin"]).status_code == 409


def test_natural_persons_are_masked_but_for_managers(
    client: TestClient, chain: Chain, headers: dict[str, dict[str, str]]
) -> None:
    public = client.get(f"/api/trace/actors/{chain.people.farmer}").json()
    assert (public["masked"], public["name_zh"]) == (True, "王**")
    assert FARMER_SUBJECT_CODE not in json.dumps(public)
    steward = client.get(f"/api/trace/actors/{chain.people.farmer}", headers=headers["steward"])
    assert (steward.json()["masked"], steward.json()["code"]) == (False, FARMER_SUBJECT_CODE)


def test_accounts_are_linked_and_unlinked(
    client: TestClient, chain: Chain, headers: dict[str, dict[str, str]]
) -> None:
    path = f"/api/trace/actors/{FARM_CODE}/accounts"
    steward = headers["steward"]
    assert client.post(path, json={"username": "slj.analyst"}, headers=steward).status_code == 204
    assert client.post(path, json={"username": "slj.analyst"}, headers=steward).status_code == 409
    _error(client.post(path, json={"username": "nobody"}, headers=steward), 404)
    assert client.delete(f"{path}/slj.analyst", headers=steward).status_code == 204
    assert client.delete(f"{path}/slj.analyst", headers=steward).status_code == 404


def test_an_unknown_actor_is_not_found(client: TestClient) -> None:
    assert _error(client.get("/api/trace/actors/91371500MA3C00099X"), 404)["code"] == "not_found"


# --- keys ----------------------------------------------------------------------------------------


def _registered(client: TestClient, headers: dict[str, str], envelope: Any) -> dict[str, Any]:
    response = client.post("/api/trace/keys", json={"envelope": envelope}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_recorder_registers_rotates_and_revokes_a_key(
    client: TestClient, db: Database, recorder: dict[str, str]
) -> None:
    first, second = generate_signer("farm.web1"), generate_signer("farm.web2")
    made = _registered(client, recorder, register_statement(first))
    assert made["key_id"] == first.key_id.hex()
    leaf = log_of(client.app).leaf(made["registered_index"])  # type: ignore[arg-type]
    policy = parse_policy(log_of(client.app).policy_text())  # type: ignore[arg-type]
    assert verify_bundle(leaf, made["bundle"], policy).index == made["registered_index"]

    rotate = key_statement(
        "rotate", FARM_CODE, vkey=second.verifier().vkey(), previous=first.key_id.hex()
    )
    rotated = _registered(client, recorder, sign_statement(rotate, [first, second]))
    assert rotated["rotated_from"] == first.key_id.hex()

    revoke = key_statement("revoke", FARM_CODE, key=second.key_id.hex(), reason="换新设备")
    done = client.post(
        f"/api/trace/keys/{second.key_id.hex()}/revoke",
        json={"envelope": sign_statement(revoke, [second])},
        headers=recorder,
    )
    assert done.status_code == 200, done.text
    assert done.json()["revoked_index"] > rotated["registered_index"]
    listed = client.get(f"/api/trace/actors/{FARM_CODE}/keys").json()
    states = {k["key_id"]: k["revoked_index"] for k in listed}
    assert states[first.key_id.hex()] == rotated["registered_index"]
    assert states[second.key_id.hex()] == done.json()["revoked_index"]


def test_a_steward_revokes_a_lost_key_and_its_events_are_refused(
    client: TestClient, chain: Chain, recorder: dict[str, str], headers: dict[str, dict[str, str]]
) -> None:
    key = chain.keys["farm"].key_id.hex()
    revoked = client.post(
        f"/api/trace/keys/{key}/revoke", json={"reason": "私钥丢失"}, headers=headers["steward"]
    )
    assert revoked.status_code == 200, revoked.text
    envelope = seal_event(_later(1, "inspecting", quantityList=[qty(RAW)]), chain.keys["farm"])
    refused = client.post("/api/trace/events", json={"envelopes": [envelope]}, headers=recorder)
    assert _error(refused, 400)["details"]["rule"] == "key_revoked"


def _not_canonical(signer: NoteSigner) -> dict[str, Any]:
    envelope = register_statement(signer)
    body = json.loads(base64.b64decode(envelope["payload"]))
    envelope["payload"] = base64.b64encode(json.dumps(body, indent=1).encode()).decode()
    return {"envelope": envelope}


def _signed_by_another(signer: NoteSigner) -> dict[str, Any]:
    statement = key_statement("register", FARM_CODE, vkey=signer.verifier().vkey())
    return {"envelope": sign_statement(statement, [generate_signer("intruder")])}


def _revoke_through_register(signer: NoteSigner) -> dict[str, Any]:
    statement = key_statement("revoke", FARM_CODE, key=signer.key_id.hex(), reason="x")
    return {"envelope": sign_statement(statement, [signer])}


def _other_actor(signer: NoteSigner) -> dict[str, Any]:
    return {"envelope": register_statement(signer, ref="91371521MA3C000111")}


def _extra_field(signer: NoteSigner) -> dict[str, Any]:
    return {"envelope": {**register_statement(signer), "note": "hi"}}


BAD_KEYS: list[tuple[str, Any, int, str | list[Any]]] = [
    ("payload not canonical", _not_canonical, 400, "$.payload"),
    ("signed by another key", _signed_by_another, 400, "$.signatures"),
    ("revoke sent to /keys", _revoke_through_register, 400, "$.payload.action"),
    ("actor not recorded for", _other_actor, 403, "$"),
    ("extra envelope field", _extra_field, 400, ["body", "envelope", "note"]),
]


@pytest.mark.parametrize(
    ("case", "build", "status", "where"), BAD_KEYS, ids=[c[0] for c in BAD_KEYS]
)
def test_bad_key_statements_are_refused_with_where(
    client: TestClient,
    db: Database,
    recorder: dict[str, str],
    case: str,
    build: Any,
    status: int,
    where: str | list[Any],
) -> None:
    error = _error(client.post("/api/trace/keys", json=build(SECOND_KEY), headers=recorder), status)
    if isinstance(where, list):
        assert where in _locations(error)
    elif where != "$":
        assert error["details"]["path"] == where
    with db.reading() as session:
        assert session.scalar(select(TraceKey).where(TraceKey.key_id == "x")) is None
        assert SECOND_KEY.key_id.hex() not in session.scalars(select(TraceKey.key_id)).all()


BAD_REVOCATIONS: list[tuple[str, str, Any, str | list[Any]]] = [
    ("both envelope and reason", "key", "both", "envelope"),
    ("neither", "key", "neither", "envelope"),
    ("statement for another key", "other", "statement", "$.payload.key"),
    ("key id not hex", "XYZ", "reason", ["path", "key_id"]),
]


@pytest.mark.parametrize(
    ("case", "key", "body", "where"), BAD_REVOCATIONS, ids=[c[0] for c in BAD_REVOCATIONS]
)
def test_bad_revocations_are_refused_with_where(
    client: TestClient,
    chain: Chain,
    headers: dict[str, dict[str, str]],
    case: str,
    key: str,
    body: Any,
    where: str | list[Any],
) -> None:
    farm = chain.keys["farm"]
    statement = key_statement("revoke", FARM_CODE, key=farm.key_id.hex(), reason="x")
    envelope = sign_statement(statement, [farm])
    body = {
        "both": {"envelope": envelope, "reason": "x"},
        "statement": {"envelope": envelope},
        "reason": {"reason": "x"},
        "neither": {},
    }[body]
    key_id = {"key": farm.key_id.hex(), "other": chain.keys["processor"].key_id.hex()}.get(key, key)
    response = client.post(f"/api/trace/keys/{key_id}/revoke", json=body, headers=headers["admin"])
    error = _error(response, 400)
    if isinstance(where, list):
        assert where in _locations(error)
    else:
        assert where in (error["details"].get("field"), error["details"].get("path"))


def test_a_page_session_needs_the_csrf_token_to_register(client: TestClient, chain: Chain) -> None:
    log_in(client, "farm.recorder", PASSWORD)
    page = client.get(f"/trace/keys/new?ref={FARM_CODE}")
    body = {"envelope": register_statement(SECOND_KEY)}
    refused = client.post("/api/trace/keys", json=body)
    assert _error(refused, 403)["details"]["reason"] == "csrf"
    forged = client.post("/api/trace/keys", json=body, headers={"X-CSRF-Token": "0" * 64})
    assert _error(forged, 403)["details"]["reason"] == "csrf"
    made = client.post("/api/trace/keys", json=body, headers={"X-CSRF-Token": csrf_of(page.text)})
    assert made.status_code == 201, made.text


# --- events --------------------------------------------------------------------------------------


def test_a_recorder_records_events_and_gets_proofs(
    client: TestClient, chain: Chain, recorder: dict[str, str]
) -> None:
    envelope = seal_event(_later(1, "inspecting", quantityList=[qty(RAW, 1)]), chain.keys["farm"])
    response = client.post("/api/trace/events", json={"envelopes": [envelope]}, headers=recorder)
    assert response.status_code == 201, response.text
    [done] = response.json()["events"]
    payload = json.loads(base64.b64decode(envelope["payload"]))
    assert done["event_hash"] == payload["eventID"]
    assert done["findings"] == []
    log = log_of(client.app)  # type: ignore[arg-type]
    included = verify_bundle(
        log.leaf(done["log_index"]), done["bundle"], parse_policy(log.policy_text())
    )
    assert included.index == done["log_index"]
    history = client.get("/api/trace/batches/history", params={"lot": RAW}).json()
    assert history["events"][-1]["event_hash"] == done["event_hash"]


def test_a_harvest_within_the_safety_interval_is_recorded_with_a_finding(
    client: TestClient, chain: Chain, recorder: dict[str, str]
) -> None:
    crop, raw = lgtin_uri("06901234000047", "C2"), lgtin_uri("06901234000054", "R2")
    spray = agri_input(FERTILISER, pesticide=True, day="2026-06-13")
    bodies = [
        event(
            "ObjectEvent", 1000, "city:planting", action="ADD", quantityList=[qty(crop, 9, "H87")]
        ),
        _later(24, "city:pesticide_applying", quantityList=[qty(crop, 9, "H87")])
        | {"cityhub:agriInput": spray},
        event(
            "TransformationEvent",
            1000 + 24 * 4,
            "city:harvesting",
            inputQuantityList=[qty(crop, 9, "H87")],
            outputQuantityList=[qty(raw, 40)],
        ),
    ]
    envelopes = [seal_event(b, chain.keys["farm"]) for b in bodies]
    response = client.post("/api/trace/events", json={"envelopes": envelopes}, headers=recorder)
    assert response.status_code == 201, response.text
    findings = [e["findings"] for e in response.json()["events"]]
    assert findings[:2] == [[], []]
    assert [f["rule"] for f in findings[2]] == ["harvest_within_safety_interval"]
    history = client.get("/api/trace/batches/history", params={"lot": raw}).json()
    assert history["events"][0]["findings"] == findings[2]


def _unsigned(chain: Chain) -> dict[str, Any]:
    envelope = seal_event(_later(1, "inspecting", quantityList=[qty(RAW)]), chain.keys["farm"])
    return {"envelopes": [envelope | {"signatures": []}]}


def _tampered(chain: Chain) -> dict[str, Any]:
    envelope = seal_event(_later(1, "inspecting", quantityList=[qty(RAW)]), chain.keys["farm"])
    body = json.loads(base64.b64decode(envelope["payload"]))
    body["quantityList"][0]["quantity"] = 1
    envelope["payload"] = base64.b64encode(canonical_json(body)).decode()
    return {"envelopes": [envelope]}


def _unknown_batch(chain: Chain) -> dict[str, Any]:
    lot = lgtin_uri("06901234000054", "NOPE")
    return {
        "envelopes": [
            seal_event(_later(1, "inspecting", quantityList=[qty(lot)]), chain.keys["farm"])
        ]
    }


def _duplicate(chain: Chain) -> dict[str, Any]:
    envelope = seal_event(_later(1, "inspecting", quantityList=[qty(RAW)]), chain.keys["farm"])
    return {"envelopes": [envelope, envelope]}


BAD_EVENTS: list[tuple[str, Any, int, str | list[Any]]] = [
    ("unsigned", _unsigned, 400, "$.signatures"),
    ("payload changed after signing", _tampered, 400, "$.signatures[0].sig"),
    ("unknown batch", _unknown_batch, 400, "$.quantityList[0].epcClass"),
    ("duplicate", _duplicate, 409, "$.eventID"),
    ("no envelopes field", lambda c: {"events": []}, 400, ["body", "envelopes"]),
    ("empty list", lambda c: {"envelopes": []}, 400, ["body", "envelopes"]),
    ("envelope not an object", lambda c: {"envelopes": ["x"]}, 400, ["body", "envelopes", 0]),
]


@pytest.mark.parametrize(
    ("case", "build", "status", "where"), BAD_EVENTS, ids=[c[0] for c in BAD_EVENTS]
)
def test_bad_events_are_refused_with_where(
    client: TestClient,
    chain: Chain,
    recorder: dict[str, str],
    case: str,
    build: Any,
    status: int,
    where: str | list[Any],
) -> None:
    size = log_of(client.app).published_size()  # type: ignore[arg-type]
    error = _error(client.post("/api/trace/events", json=build(chain), headers=recorder), status)
    if isinstance(where, list):
        assert where in _locations(error)
    else:
        assert error["details"]["path"] == where
        assert "event" in error["details"]
    assert log_of(client.app).published_size() == size  # type: ignore[arg-type]


@pytest.mark.parametrize(("role", "status"), [("public", 401), ("analyst", 403), ("steward", 403)])
def test_only_recorders_record_events(
    client: TestClient, chain: Chain, headers: dict[str, dict[str, str]], role: str, status: int
) -> None:
    envelope = seal_event(_later(1, "inspecting", quantityList=[qty(RAW)]), chain.keys["farm"])
    response = client.post(
        "/api/trace/events", json={"envelopes": [envelope]}, headers=headers[role]
    )
    assert response.status_code == status, response.text


# --- batches, evidence, recall -------------------------------------------------------------------


def test_batches_are_listed_newest_first_and_by_product(client: TestClient, chain: Chain) -> None:
    lots = [b["lot"] for b in client.get("/api/trace/batches").json()]
    assert lots[0] == PALLET and set(lots) >= {PRODUCT, RAW, CROP, FERTILISER}
    only = client.get("/api/trace/batches", params={"gtin": "06901234000061"}).json()
    assert [b["lot"] for b in only] == [PRODUCT]
    assert _locations(_error(client.get("/api/trace/batches?gtin=123"), 400)) == [["query", "gtin"]]


def test_a_history_shows_the_pallets_events_from_the_packing_on(
    client: TestClient, chain: Chain
) -> None:
    urn = "urn:epc:class:lgtin:6901234.000006.P1"
    history = client.get("/api/trace/batches/history", params={"lot": urn}).json()
    assert history["lot"] == PRODUCT
    steps = [(e["step"], e["via"]) for e in history["events"]]
    assert ("shipping", PALLET) in steps and ("retail_selling", None) in steps


def test_the_evidence_document_verifies_offline(client: TestClient, chain: Chain) -> None:
    document = client.get("/api/trace/batches/evidence", params={"lot": PRODUCT}).json()
    assert document["format"] == "cityhub.trace/evidence/v1"
    report = verify_evidence(document)
    assert report.ok, report.failures
    assert report.events == len(document["events"]) == 4


@pytest.mark.parametrize(
    ("lot", "status", "field"),
    [
        ("not a lot", 400, "lot"),
        ("https://id.gs1.org/01/06901234000062/10/P1", 400, "lot"),  # check digit
        ("https://id.gs1.org/01/06901234000061/10/NOPE", 404, None),
    ],
)
@pytest.mark.parametrize("what", ["history", "evidence"])
def test_bad_or_unknown_lots_are_refused(
    client: TestClient, chain: Chain, what: str, lot: str, status: int, field: str | None
) -> None:
    error = _error(client.get(f"/api/trace/batches/{what}", params={"lot": lot}), status)
    assert error["details"].get("field") == field


def test_recall_forward_reaches_both_retailers(client: TestClient, chain: Chain) -> None:
    graph = client.get("/api/trace/recall", params={"lot": FERTILISER}).json()
    assert graph["direction"] == "forward"
    reached = {n["ref"] for n in graph["nodes"] if n["type"] == "actor"}
    assert reached == {chain.people.retailer_a, chain.people.retailer_b}
    lots = {n["id"] for n in graph["nodes"] if n["type"] == "lot"}
    assert {CROP, RAW, PRODUCT} <= lots
    assert all({"from", "to", "event"} <= set(e) for e in graph["edges"])


def test_recall_back_reaches_the_farm_and_every_input(client: TestClient, chain: Chain) -> None:
    graph = client.get("/api/trace/recall", params={"lot": PRODUCT, "direction": "back"}).json()
    reached = {n["ref"] for n in graph["nodes"] if n["type"] == "actor"}
    assert reached == {chain.people.farm}
    inputs = {n["id"] for n in graph["nodes"] if n.get("role") == "input"}
    assert inputs == {RAW, ADDITIVE, CROP, FERTILISER}


def test_a_bad_recall_direction_names_the_parameter(client: TestClient, chain: Chain) -> None:
    response = client.get("/api/trace/recall", params={"lot": PRODUCT, "direction": "up"})
    assert _locations(_error(response, 400)) == [["query", "direction"]]


# --- audit anchors -------------------------------------------------------------------------------


def test_an_admin_anchors_the_audit_trail_and_detects_a_rewrite(
    client: TestClient,
    db: Database,
    headers: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Rows settle for five seconds before they are anchored; the test does not wait.
    now = functools.partial(anchor.anchor_audit, settle_seconds=0)
    monkeypatch.setattr(trace_anchors, "anchor_audit", now)
    made = client.post("/api/trace/anchors", headers=headers["admin"])
    assert made.status_code == 200, made.text
    assert made.json()["anchored"] and made.json()["first_id"] == 1
    listed = client.get("/api/trace/anchors").json()
    assert [a["log_index"] for a in listed] == [made.json()["log_index"]]
    verdict = client.get("/api/trace/anchors/verify", headers=headers["admin"]).json()
    assert verdict == {"ok": True, "anchors": 1, "problems": []}
    _rewrite(db, 2)
    verdict = client.get("/api/trace/anchors/verify", headers=headers["admin"]).json()
    assert not verdict["ok"]
    assert [p["audit_id"] for p in verdict["problems"]] == [2]


def test_every_trace_operation_is_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        if not path.startswith("/api/trace") or path.startswith("/api/trace/log"):
            continue
        for method, operation in operations.items():
            assert operation.get("summary") and operation.get("description"), (method, path)
            ok = next(code for code in operation["responses"] if code.startswith("2"))
            if ok != "204":
                schema = operation["responses"][ok]["content"]["application/json"]["schema"]
                assert schema, (method, path)
