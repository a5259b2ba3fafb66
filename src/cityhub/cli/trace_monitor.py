"""``cityhub trace monitor``: read the whole log over HTTP, find events a batch page leaves out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cityhub.cli.output import console
from cityhub.cli.trace_http import check_url, get_json, join, quoted, request
from cityhub.cli.trace_submit import UrlOption
from cityhub.cli.trace_verify import VerificationFailed, load_policy
from cityhub.trace.merkle import entries_path
from cityhub.trace.monitor import bundle_widths, left_out, read_log, split_bundle
from cityhub.trace.note import parse_policy, verify_checkpoint

HISTORY_PATH = "/api/trace/batches/history"


def _text(base: str, path: str) -> str:
    return request("GET", join(base, path), accept="text/plain").decode("utf-8")


def monitor(
    url: UrlOption,
    lot: Annotated[
        list[str] | None,
        typer.Option(help="A batch to check (repeat); default: every lot the log names."),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="The tlog-policy you trust; default: the platform's own (less strict)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check that every event the log holds for a batch is in the history the platform serves.

    Reads every entry bundle, checks that they hash to the latest checkpoint and that the
    checkpoint carries the log's signature and the witness quorum, then asks the platform for each
    batch's history. An event left out (a withheld tail, or any other): exit 65 naming it.
    """
    base = check_url(url)
    trusted = (
        load_policy(policy, "policy file")
        if policy
        else parse_policy(_text(base, "/trace/log/policy"))
    )
    checkpoint, witnesses = verify_checkpoint(_text(base, "/trace/log/checkpoint"), trusted)
    leaves = [
        leaf
        for tile, width in bundle_widths(checkpoint.size)
        for leaf in split_bundle(
            request("GET", join(base, "/trace/log/" + entries_path(tile, width)), accept="*/*"),
            width,
            tile,
        )
    ]
    contents = read_log(checkpoint, leaves)
    report: dict[str, Any] = {"size": checkpoint.size, "witnesses": list(witnesses), "lots": {}}
    for name in lot or sorted(contents.lots):
        history = get_json(join(base, f"{HISTORY_PATH}?lot={quoted(name)}"))
        served = [event["index"] for event in history.get("events", [])]
        logged = contents.lots.get(history.get("lot", name), [])
        report["lots"][name] = {"logged": len(logged), "left_out": left_out(logged, served)}
    missing = {
        name: entry["left_out"] for name, entry in report["lots"].items() if entry["left_out"]
    }
    if as_json:
        console.print_json(json.dumps(report, ensure_ascii=False))
    else:
        cosigned = ", ".join(witnesses) or "none needed"
        console.print(f"checkpoint of size {checkpoint.size}, witnesses {cosigned}")
        for name, entry in report["lots"].items():
            state = f"[red]left out {entry['left_out']}[/red]" if entry["left_out"] else "complete"
            console.print(f"{name}: {entry['logged']} logged events, {state}")
    if missing:
        first = next(iter(missing))
        raise VerificationFailed(
            f"the history of {first} leaves out logged events {missing[first]}",
            details={"left_out": missing},
        )
