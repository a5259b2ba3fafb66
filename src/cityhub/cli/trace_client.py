"""``cityhub trace keygen``, ``rotate`` and ``sign``: the recorder's side, on its own machine.

No database, no network: the private key is generated here and stays in its file (mode 0600);
what leaves the machine are signed statements and envelopes, sent later with ``submit``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Column, Table

from cityhub.cli.output import console, err_console
from cityhub.cli.trace_files import (
    actor_ref,
    events_of,
    load_signer,
    read_json,
    refuse_existing,
    write_json,
    write_new,
)
from cityhub.errors import InvalidInput
from cityhub.trace.events import seal_event
from cityhub.trace.note import NoteError, NoteSigner, generate_signer
from cityhub.trace.statements import key_statement, parse_statement, sign_statement

KeyOut = Annotated[
    Path,
    typer.Option(
        "--out", help="File to write the new private key to (mode 0600, never overwritten)."
    ),
]


def _new_signer(name: str) -> NoteSigner:
    try:
        return generate_signer(name)
    except NoteError as exc:
        raise InvalidInput(f"bad key name: {exc.message}", details={"field": "name"}) from exc


def _statement_file(key_file: Path, action: str) -> Path:
    return key_file.with_name(f"{key_file.name}.{action}.json")


def _write_key(out: Path, signer: NoteSigner, action: str, envelope: dict[str, Any]) -> Path:
    statement = _statement_file(out, action)
    refuse_existing(out, statement)
    write_new(out, signer.skey() + "\n", 0o600)
    write_new(statement, _json(envelope))
    return statement


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def keygen(
    actor: Annotated[
        str, typer.Option(help="The actor: 统一社会信用代码, or 主体码 (hashed here, never sent).")
    ],
    out: KeyOut,
    name: Annotated[
        str | None, typer.Option(help="Key name inside the vkey (default: the actor's ref).")
    ] = None,
) -> None:
    """Make an actor's key: OUT (private, 0600) and OUT.register.json; prints the vkey.

    OUT.register.json is the registration statement signed by the new key: send it with
    `cityhub trace submit`. The private key never leaves this machine.
    """
    ref = actor_ref(actor)
    signer = _new_signer(name or ref)
    vkey = signer.verifier().vkey()
    envelope = sign_statement(key_statement("register", ref, vkey=vkey), [signer])
    statement = _write_key(out, signer, "register", envelope)
    console.print(vkey, highlight=False)
    err_console.print(
        f"key {signer.key_id.hex()} for {ref}: private key in {out} (keep it; it never leaves "
        f"this machine), registration statement in {statement}",
        highlight=False,
    )


def _actor_of(old_key: Path, given: str | None) -> str:
    """The actor of a key: ``--actor``, else the statement written beside the old key."""
    if given is not None:
        return actor_ref(given)
    for action in ("register", "rotate"):
        beside = _statement_file(old_key, action)
        if beside.exists():
            return parse_statement(read_json(beside, "key statement")).actor
    raise InvalidInput(
        f"give --actor: no {old_key.name}.register.json beside the old key names it",
        details={"field": "actor"},
    )


def rotate(
    key: Annotated[Path, typer.Option("--key", help="The current (old) private key file.")],
    out: KeyOut,
    actor: Annotated[
        str | None,
        typer.Option(help="The actor (default: from KEY.register.json or KEY.rotate.json)."),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Key name of the new key (default: the old key's).")
    ] = None,
) -> None:
    """Make a key replacing KEY: OUT (private, 0600) and OUT.rotate.json; prints the vkey.

    OUT.rotate.json is signed by the old key and the new: send it with `cityhub trace submit`.
    Once it is recorded, events signed by KEY are refused.
    """
    old = load_signer(key)
    ref = _actor_of(key, actor)
    new = _new_signer(name or old.name)
    vkey = new.verifier().vkey()
    body = key_statement("rotate", ref, vkey=vkey, previous=old.key_id.hex())
    statement = _write_key(out, new, "rotate", sign_statement(body, [old, new]))
    console.print(vkey, highlight=False)
    err_console.print(
        f"key {new.key_id.hex()} replaces {old.key_id.hex()} for {ref}: private key in {out}, "
        f"rotation statement in {statement}",
        highlight=False,
    )


def sign(
    events_file: Annotated[
        Path,
        typer.Argument(
            metavar="EVENTS.json",
            help="One EPCIS event, a JSON list of events, or an EPCISDocument.",
        ),
    ],
    key: Annotated[Path, typer.Option("--key", help="The actor's private key file.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Where to write the envelopes (default: <EVENTS>.signed.json)."
        ),
    ] = None,
) -> None:
    """Validate, hash and sign EPCIS events; writes {"envelopes": [...]} for `submit`.

    Each event is checked against the EPCIS 2.0 schema and our rules (a bad one is named by
    position and JSON path), gets its CBV 2.0 hash ID as eventID, and is signed with KEY.
    """
    signer = load_signer(key)
    events = events_of(read_json(events_file, "events file"))
    envelopes = []
    table = Table("event", "type", "bizStep", Column("eventID", overflow="fold"))
    for path, event in events:
        given = event.get("eventID")
        envelope = seal_event(event, signer)
        if given is not None and given != event["eventID"]:
            err_console.print(f"{path}: eventID {given} replaced by the hash ID", highlight=False)
        envelopes.append(envelope)
        table.add_row(path, str(event["type"]), str(event.get("bizStep", "")), event["eventID"])
    target = output or events_file.with_name(f"{events_file.stem}.signed.json")
    write_json(target, {"envelopes": envelopes})
    console.print(table)
    console.print(
        f"signed {len(envelopes)} event(s) with key {signer.key_id.hex()}: {target}",
        highlight=False,
    )
