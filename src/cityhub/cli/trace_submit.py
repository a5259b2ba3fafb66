"""``cityhub trace submit`` and ``fetch``: the client's two trips to the platform's API.

``submit`` posts signed envelopes or a key statement and keeps, for each new log entry, its
proof bundle and the leaf itself (read from the public tiles, ``/trace/log/tile/entries/…``),
after checking that the leaf commits to what was sent and is included under the bundle's
checkpoint. The checkpoint's signatures are left to ``verify`` with a pinned policy.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Column, Table

from cityhub.cli.output import console, err_console
from cityhub.cli.trace_files import read_json, write_json
from cityhub.cli.trace_http import check_url, get_json, join, post_json, quoted, request
from cityhub.errors import InvalidInput
from cityhub.trace.epcis import EVENT_PAYLOAD_TYPE, KEY_PAYLOAD_TYPE, envelope_hash
from cityhub.trace.leaves import EventLeaf, KeyLeaf, parse_leaf
from cityhub.trace.merkle import TILE_WIDTH, entries_path, leaf_hash, verify_inclusion
from cityhub.trace.note import parse_checkpoint, parse_note, parse_proof_bundle
from cityhub.trace.statements import parse_statement

EVIDENCE_PATH = "/api/trace/batches/evidence"
UrlOption = Annotated[
    str, typer.Option("--url", help="The platform's base URL, e.g. https://cityhub.example.")
]


def _kind_of(data: Any) -> tuple[str, list[dict[str, Any]]]:
    """("events", envelopes) or ("key", [statement envelope]) of a file to submit."""
    if isinstance(data, dict) and isinstance(data.get("envelopes"), list):
        return "events", data["envelopes"]
    if isinstance(data, list) and data:
        return "events", data
    if isinstance(data, dict) and data.get("payloadType") == EVENT_PAYLOAD_TYPE:
        return "events", [data]
    if isinstance(data, dict) and data.get("payloadType") == KEY_PAYLOAD_TYPE:
        return "key", [data]
    raise InvalidInput(
        'expected {"envelopes": [...]} from `cityhub trace sign` or a key statement envelope '
        "from keygen/rotate",
        details={"path": "$"},
    )


def fetch_leaf(base: str, index: int, size: int) -> bytes:
    """Leaf ``index`` of a tree of ``size`` from its C2SP entry bundle."""
    tile = index // TILE_WIDTH
    width = min(TILE_WIDTH, size - tile * TILE_WIDTH)
    data = request("GET", join(base, "/trace/log/" + entries_path(tile, width)), accept="*/*")
    offset, wanted = 0, index % TILE_WIDTH
    for position in range(width):
        length = int.from_bytes(data[offset : offset + 2], "big")
        if position == wanted:
            return data[offset + 2 : offset + 2 + length]
        offset += 2 + length
    raise InvalidInput(f"entry bundle of tile {tile} is too short", details={"index": index})


def check_entry(base: str, bundle: str, envelope: dict[str, Any], event_hash: str | None) -> bytes:
    """The leaf of a new entry, checked: it names ``envelope`` (and the event), and its hash is
    included at the bundle's index under the bundle's checkpoint root."""
    proof = parse_proof_bundle(bundle)
    checkpoint = parse_checkpoint(parse_note(proof.checkpoint).text)
    leaf = fetch_leaf(base, proof.index, checkpoint.size)
    parsed = parse_leaf(leaf)
    digest = base64.b64encode(envelope_hash(envelope)).decode("ascii")
    if not isinstance(parsed, EventLeaf | KeyLeaf) or parsed.envelope != digest:
        raise InvalidInput(
            f"log entry {proof.index} does not name the envelope that was sent",
            details={"index": proof.index},
        )
    if isinstance(parsed, EventLeaf) and parsed.event != event_hash:
        raise InvalidInput(
            f"log entry {proof.index} names another event", details={"index": proof.index}
        )
    verify_inclusion(leaf_hash(leaf), proof.index, checkpoint.size, proof.path, checkpoint.root)
    return leaf


def _save(source: Path, index: int, bundle: str, leaf: bytes) -> Path:
    target = source.with_name(f"{source.stem}.{index}.tlog-proof")
    target.write_text(bundle, encoding="utf-8")
    target.with_suffix(".leaf").write_bytes(leaf)
    return target


def _submit_key(base: str, token: str, envelope: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    statement = parse_statement(envelope)
    if statement.action == "revoke":
        key = statement.body["key"]
        done = post_json(join(base, f"/api/trace/keys/{key}/revoke"), {"envelope": envelope}, token)
        return int(done["revoked_index"]), done
    done = post_json(join(base, "/api/trace/keys"), {"envelope": envelope}, token)
    return int(done["registered_index"]), done


def submit(
    file: Annotated[
        Path,
        typer.Argument(help="Envelopes from `sign`, or a key statement from `keygen`/`rotate`."),
    ],
    url: UrlOption,
    token: Annotated[
        str,
        typer.Option(envvar="CITYHUB_TOKEN", help="API token of a recorder linked to the actor."),
    ],
) -> None:
    """Send signed events or a key statement to the platform; save the proof bundles.

    Each new entry's proof bundle is saved as <FILE stem>.<index>.tlog-proof and its leaf,
    read from the log's public tiles, as <FILE stem>.<index>.leaf, once the leaf is checked to
    name the envelope sent and to be included under the bundle's checkpoint.
    """
    base = check_url(url)
    kind, envelopes = _kind_of(read_json(file, "file to submit"))
    if kind == "key":
        index, done = _submit_key(base, token, envelopes[0])
        leaf = check_entry(base, str(done["bundle"]), envelopes[0], None)
        saved = _save(file, index, str(done["bundle"]), leaf)
        console.print(
            f"key {done['key_id']} of {done['actor']} recorded at log index {index}; proof {saved}",
            highlight=False,
        )
        return
    answer = post_json(join(base, "/api/trace/events"), {"envelopes": envelopes}, token)
    table = Table("event", "log index", Column("event hash", overflow="fold"), "findings", "proof")
    for position, (envelope, done) in enumerate(zip(envelopes, answer["events"], strict=True)):
        leaf = check_entry(base, done["bundle"], envelope, done["event_hash"])
        saved = _save(file, int(done["log_index"]), done["bundle"], leaf)
        findings = "; ".join(
            f"{f.get('rule')}: {f.get('message_en', '')}" for f in done["findings"]
        )
        table.add_row(
            str(position), str(done["log_index"]), done["event_hash"], findings, saved.name
        )
    console.print(table)
    err_console.print(
        f"{len(envelopes)} event(s) recorded; each leaf names its envelope and is included under "
        "the checkpoint (verify the signatures offline with `cityhub trace verify --policy`)",
        highlight=False,
    )


def fetch(
    url: UrlOption,
    lot: Annotated[str, typer.Option(help="The batch: GS1 Digital Link URI or EPC class URN.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the evidence document.")
    ],
) -> None:
    """Download a batch's evidence document for offline `cityhub trace verify`."""
    base = check_url(url)
    document = get_json(join(base, f"{EVIDENCE_PATH}?lot={quoted(lot)}"))
    write_json(output, document)
    events = len(document.get("events", [])) if isinstance(document, dict) else 0
    console.print(
        f"{document.get('batch', lot)}: {events} event(s) written to {output}", highlight=False
    )


__all__ = ["fetch", "fetch_leaf", "submit"]
