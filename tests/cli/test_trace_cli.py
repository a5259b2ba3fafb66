"""``cityhub trace keygen``, ``rotate`` and ``sign``: the recorder's side, without a platform."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cityhub.cli.errors import exit_code_of
from cityhub.cli.trace import trace_app
from cityhub.errors import CityhubError
from cityhub.trace.epcis import EVENT_PAYLOAD_TYPE, event_hash_id, pae
from cityhub.trace.note import COSIGNATURE_V1, generate_signer, verifier_from_vkey
from cityhub.trace.statements import parse_statement
from tests.trace.chain import CROP, FERTILISER, agri_input, event, qty
from tests.trace.people import FARM_CODE, FARMER_SUBJECT_CODE

INVALID, NOT_FOUND, CONFLICT = 65, 66, 73


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout, stderr (or the error's message), as ``cityhub.cli.main`` maps them."""
    result = CliRunner().invoke(trace_app, list(args), env={"COLUMNS": "300"})
    error = result.exception
    if isinstance(error, CityhubError):
        return exit_code_of(error), result.stdout, error.message
    if error is not None and not isinstance(error, SystemExit):
        raise error
    return result.exit_code, result.stdout, result.stderr


def keygen(tmp_path: Path, name: str = "farm.key", actor: str = FARM_CODE) -> Path:
    key = tmp_path / name
    code, _, err = run("keygen", "--actor", actor, "--out", str(key))
    assert code == 0, err
    return key


def events() -> list[dict[str, Any]]:
    return [
        event(
            "ObjectEvent", 0, "city:planting", quantityList=[qty(CROP, 200, "H87")], action="ADD"
        ),
        event(
            "ObjectEvent",
            30,
            "city:fertilising",
            quantityList=[qty(CROP, 200, "H87")],
            action="OBSERVE",
            **{"cityhub:agriInput": agri_input(FERTILISER)},
        ),
    ]


def test_keygen_writes_a_private_key_and_a_signed_registration(tmp_path: Path) -> None:
    key = tmp_path / "farm.key"
    code, out, _ = run("keygen", "--actor", FARM_CODE, "--out", str(key))
    assert code == 0
    verifier = verifier_from_vkey(out.strip())
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith(f"PRIVATE+KEY+{FARM_CODE}+{verifier.key_id.hex()}+")
    statement = parse_statement(json.loads((tmp_path / "farm.key.register.json").read_text()))
    assert (statement.action, statement.actor) == ("register", FARM_CODE)
    assert statement.body["vkey"] == verifier.vkey()
    assert statement.verified_by(verifier)  # proof of possession of the new key


def test_keygen_hashes_a_subject_code_on_the_client(tmp_path: Path) -> None:
    key = keygen(tmp_path, actor=FARMER_SUBJECT_CODE)
    statement_file = tmp_path / "farm.key.register.json"
    expected = "sha256:" + hashlib.sha256(FARMER_SUBJECT_CODE.encode()).hexdigest()
    assert parse_statement(json.loads(statement_file.read_text())).actor == expected
    for path in (key, statement_file):
        assert FARMER_SUBJECT_CODE not in path.read_text()


@pytest.mark.parametrize("existing", ["farm.key", "farm.key.register.json"])
def test_keygen_never_overwrites(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_text("precious\n")
    code, _, message = run("keygen", "--actor", FARM_CODE, "--out", str(tmp_path / "farm.key"))
    assert code == CONFLICT and "refusing to overwrite" in message
    assert (tmp_path / existing).read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]  # nothing half written


@pytest.mark.parametrize("actor", ["91371522MA3C0002X9", "not a code", "sha256:xyz"])
def test_keygen_refuses_a_bad_actor(tmp_path: Path, actor: str) -> None:
    code, _, message = run("keygen", "--actor", actor, "--out", str(tmp_path / "k"))
    assert code == INVALID and "--actor" in message
    assert not (tmp_path / "k").exists()


def test_rotate_is_signed_by_the_old_key_and_the_new(tmp_path: Path) -> None:
    old = keygen(tmp_path)
    old_vkey = parse_statement(json.loads((tmp_path / "farm.key.register.json").read_text()))
    new = tmp_path / "farm2.key"
    code, out, err = run("rotate", "--key", str(old), "--out", str(new))
    assert code == 0, err
    statement = parse_statement(json.loads((tmp_path / "farm2.key.rotate.json").read_text()))
    new_verifier = verifier_from_vkey(out.strip())
    old_verifier = verifier_from_vkey(old_vkey.body["vkey"])
    assert (statement.action, statement.actor) == ("rotate", FARM_CODE)
    assert statement.body["previous"] == old_verifier.key_id.hex()
    assert statement.verified_by(old_verifier) and statement.verified_by(new_verifier)
    assert stat.S_IMODE(new.stat().st_mode) == 0o600


def test_rotate_needs_the_actor_when_no_statement_names_it(tmp_path: Path) -> None:
    old = keygen(tmp_path)
    (tmp_path / "farm.key.register.json").unlink()
    code, _, message = run("rotate", "--key", str(old), "--out", str(tmp_path / "n.key"))
    assert code == INVALID and "give --actor" in message
    code, _, _ = run(
        "rotate", "--key", str(old), "--out", str(tmp_path / "n.key"), "--actor", FARM_CODE
    )
    assert code == 0


def _write(tmp_path: Path, value: Any, name: str = "events.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def _document(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-05-01T08:00:00+08:00",
        "epcisBody": {"eventList": items},
    }


@pytest.mark.parametrize(
    "shape",
    ["one event", "a list", "an EPCISDocument"],
)
def test_sign_sets_hash_ids_and_signs_each_event(tmp_path: Path, shape: str) -> None:
    key = keygen(tmp_path)
    verifier = verifier_from_vkey(
        parse_statement(json.loads((tmp_path / "farm.key.register.json").read_text())).body["vkey"]
    )
    items = events()
    value: Any = {"one event": items[0], "a list": items, "an EPCISDocument": _document(items)}[
        shape
    ]
    code, out, err = run("sign", "--key", str(key), str(_write(tmp_path, value)))
    assert code == 0, err
    envelopes = json.loads((tmp_path / "events.signed.json").read_text())["envelopes"]
    assert len(envelopes) == (1 if shape == "one event" else 2)
    for envelope in envelopes:
        assert envelope["payloadType"] == EVENT_PAYLOAD_TYPE
        assert envelope["signatures"][0]["keyid"] == verifier.key_id.hex()
        payload = base64.b64decode(envelope["payload"])
        signature = base64.b64decode(envelope["signatures"][0]["sig"])
        assert verifier.verify(pae(EVENT_PAYLOAD_TYPE, payload), signature)
        body = json.loads(payload)
        assert body["eventID"] == event_hash_id(body)
        assert body["eventID"] in out
    assert f"signed {len(envelopes)} event(s)" in out


def test_sign_writes_where_it_is_told(tmp_path: Path) -> None:
    key = keygen(tmp_path)
    target = tmp_path / "out" / "signed.json"
    target.parent.mkdir()
    code, _, _ = run("sign", "--key", str(key), str(_write(tmp_path, events())), "-o", str(target))
    assert code == 0 and len(json.loads(target.read_text())["envelopes"]) == 2


def _bad_quantity(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items[1]["quantityList"][0]["quantity"] = "many"
    return items


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: _bad_quantity(events()), "event 1 at $[1].quantityList[0].quantity"),
        (
            lambda: _document(_bad_quantity(events())),
            "event 1 at $.epcisBody.eventList[1].quantityList[0].quantity",
        ),
        (lambda: [events()[0], {**events()[1], "type": "Nonsense"}], "event 1 at $[1].type"),
        (lambda: [events()[0], "an event"], "event 1 at $[1]"),
        (
            lambda: {
                **events()[0],
                "bizStep": "https://liaocheng.cityhub.example/voc/BizStep-dancing",
            },
            "at $.bizStep",
        ),
        (list, "no events to sign"),
        (lambda: 42, "expected an EPCIS event"),
    ],
    ids=[
        "bad quantity",
        "in a document",
        "unknown type",
        "not an object",
        "unknown city step",
        "empty",
        "a number",
    ],
)
def test_sign_names_the_event_and_path_of_bad_input(
    tmp_path: Path, make: Any, expected: str
) -> None:
    key = keygen(tmp_path)
    code, _, message = run("sign", "--key", str(key), str(_write(tmp_path, make())))
    assert code == INVALID
    assert message.startswith(expected) or expected in message, message
    assert not (tmp_path / "events.signed.json").exists()


def test_sign_names_line_and_column_of_broken_json(tmp_path: Path) -> None:
    key = keygen(tmp_path)
    broken = tmp_path / "events.json"
    broken.write_text('[\n  {"type": "ObjectEvent",,}\n]')
    result = CliRunner().invoke(trace_app, ["sign", "--key", str(key), str(broken)])
    error = result.exception
    assert isinstance(error, CityhubError) and exit_code_of(error) == INVALID
    assert "not valid JSON" in error.message
    assert (error.details["line"], error.details["column"]) == (2, 26)


@pytest.mark.parametrize(
    ("content", "code", "expected"),
    [
        (None, NOT_FOUND, "no key file"),
        ("hello\n", INVALID, "is not a signing key file"),
        (generate_signer("witness.example/w", COSIGNATURE_V1).skey(), INVALID, "cosignature key"),
    ],
    ids=["missing", "not a key", "a witness key"],
)
def test_sign_refuses_a_wrong_key_file(
    tmp_path: Path, content: str | None, code: int, expected: str
) -> None:
    key = tmp_path / "farm.key"
    if content is not None:
        key.write_text(content)
    got, _, message = run("sign", "--key", str(key), str(_write(tmp_path, events())))
    assert got == code and expected in message
