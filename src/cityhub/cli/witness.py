"""``cityhub witness``: run a C2SP tlog-witness that cosigns the trace log's checkpoints.

``keygen`` makes the witness's cosignature key, ``serve`` answers add-checkpoint over HTTP,
``status`` shows what the witness has cosigned and whether it caught a log equivocating.
"""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from cityhub.cli.output import console, err_console
from cityhub.config import get_settings
from cityhub.errors import ConfigurationError, Conflict, NotFound
from cityhub.trace.note import NoteError, NoteSigner, generate_signer, signer_from_skey
from cityhub.trace.note.sealed import SealError, open_key_text, seal
from cityhub.trace.witness import Witness, create_witness_app, store
from cityhub.trace.witness.witness import COSIGNATURE_KIND

DEFAULT_PORT = 8010

witness_app = typer.Typer(
    help="A transparency-log witness (C2SP tlog-witness): cosigns checkpoints of trusted logs.",
    no_args_is_help=True,
)

StateOption = Annotated[
    Path, typer.Option("--state", help="Directory of the witness's state (SQLite, evidence).")
]


@witness_app.command("keygen")
def keygen(
    name: Annotated[
        str, typer.Option(help="Witness name, a schema-less URL (witness.example/w1).")
    ],
    out: Annotated[Path, typer.Option(help="File to write the private key to (mode 0600).")],
) -> None:
    """Make a cosignature (0x04) key: write the private key, print the vkey for trust policies."""
    try:
        signer = generate_signer(name, COSIGNATURE_KIND)
    except NoteError as exc:
        raise ConfigurationError(f"bad witness name: {exc.message}") from exc
    try:
        # O_EXCL: never overwrite a key, which would silently fork the witness's identity.
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise Conflict("key file exists already", details={"file": str(out)}) from exc
    passphrase = _passphrase()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(seal(signer.skey(), passphrase) if passphrase else signer.skey() + "\n")
    console.print(signer.verifier().vkey(), highlight=False)


@witness_app.command("serve")
def serve(
    key_file: Annotated[Path, typer.Option(help="The witness's private key (from keygen).")],
    state: StateOption,
    log: Annotated[
        list[str] | None,
        typer.Option(
            "--log",
            help="Vkey of a log to witness (key name = origin); repeatable. Omitted: the logs "
            "stored in the state directory.",
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="Listen address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Listen port.")] = DEFAULT_PORT,
    alarm_url: Annotated[
        str | None, typer.Option(help="URL to POST equivocation evidence to (JSON).")
    ] = None,
) -> None:
    """Serve add-checkpoint, the monitoring checkpoint, /evidence and /vkey over HTTP."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    witness = Witness(load_signer(key_file), state, log or None, alarm_url=alarm_url)
    try:
        if not witness.origins():
            err_console.print("warning: no log to witness (give --log)", highlight=False)
        for origin in witness.origins():
            err_console.print(f"witnessing {origin}", highlight=False)
        err_console.print(f"witness {witness.vkey()} at http://{host}:{port}", highlight=False)
        uvicorn.run(
            create_witness_app(witness), host=host, port=port, access_log=False, lifespan="on"
        )
    finally:
        witness.close()


@witness_app.command("status")
def status(state: StateOption) -> None:
    """Print the latest cosigned checkpoint of each log and the count of equivocations."""
    if not (state / store.DB_NAME).is_file():
        raise NotFound("no witness state in this directory", details={"state": str(state)})
    conn = store.connect(state)
    try:
        logs = store.log_vkeys(conn)
        latest = {entry.origin: entry for entry in store.all_latest(conn)}
        evidence = store.list_evidence(conn)
    finally:
        conn.close()
    for origin in sorted(set(logs) | set(latest)):
        entry = latest.get(origin)
        where = (
            f"size {entry.size} root {base64.b64encode(entry.root).decode()}"
            if entry
            else "nothing cosigned yet"
        )
        console.print(f"{origin}: {where}", highlight=False)
    line = f"equivocation evidence: {len(evidence)}"
    console.print(f"[bold red]{line}[/bold red]" if evidence else line, highlight=False)


def _passphrase() -> str | None:
    """CITYHUB_KEY_PASSPHRASE, which seals witness keys as it seals the log's."""
    secret = get_settings().key_passphrase
    return secret.get_secret_value() if secret else None


def load_signer(path: Path) -> NoteSigner:
    """The witness key from its file (sealed or plain); it must be a cosignature (0x04) key."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NotFound("cannot read the key file", details={"file": str(path)}) from exc
    try:
        signer = signer_from_skey(open_key_text(text, _passphrase()))
    except SealError as exc:
        raise ConfigurationError(exc.message, details={"file": str(path)}) from exc
    except NoteError as exc:
        raise ConfigurationError(
            f"bad key file: {exc.message}", details={"file": str(path)}
        ) from exc
    if signer.kind != COSIGNATURE_KIND:
        raise ConfigurationError(
            "the key is not a cosignature (0x04) key", details={"file": str(path)}
        )
    return signer
