"""``cityhub trace verify``: check a batch's evidence, or one proof bundle, offline.

Every check is printed with ✓ or ✗; the command fails (exit code of invalid input, 65) unless
every check ran and passed, and its error line names the first failure. Which keys to trust is
the one thing a document cannot prove about itself: with ``--policy`` the document's policy must
be the pinned one; without it the keys come from the document, and a warning says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cityhub.cli.output import console, err_console
from cityhub.cli.trace_files import read_text
from cityhub.errors import InvalidInput
from cityhub.trace.bundles import verify_bundle
from cityhub.trace.evidence import verify_evidence
from cityhub.trace.leaves import AuditAnchorLeaf, EventLeaf, Leaf, parse_leaf
from cityhub.trace.note import Policy, parse_policy, parse_proof_bundle
from cityhub.trace.note.proof import HEADER as PROOF_HEADER


class VerificationFailed(InvalidInput):
    """A check of ``cityhub trace verify`` failed; the message names the first failure."""

    code = "verification_failed"


def load_policy(path: Path, what: str) -> Policy:
    try:
        return parse_policy(read_text(path, what))
    except VerificationFailed:
        raise
    except InvalidInput as exc:
        raise InvalidInput(
            f"{path} is not a tlog-policy: {exc.message}",
            details={"file": str(path), **exc.details},
        ) from exc


def _show(passed: list[str], failures: list[str], as_json: dict[str, Any] | None) -> None:
    if as_json is not None:
        console.print_json(json.dumps(as_json, ensure_ascii=False))
    else:
        for line in passed:
            console.print(f"[green]✓[/green] {line}", highlight=False)
        for line in failures:
            console.print(f"[red]✗[/red] {line}", highlight=False)
    if failures:
        raise VerificationFailed(failures[0], details={"failures": len(failures)})


def _pin(document: Any, pinned: Policy | None, failures: list[str]) -> None:
    if pinned is None:
        err_console.print(
            "[yellow]warning:[/yellow] no --policy given: the log and witness keys were taken "
            "from the document itself; pin the policy you trust to rule out a forged log",
            highlight=False,
        )
        return
    try:
        theirs = (
            parse_policy(str(document.get("policy", ""))) if isinstance(document, dict) else None
        )
    except InvalidInput:
        theirs = None  # verify_evidence names the malformed policy
    if theirs is not None and theirs != pinned:
        failures.insert(0, "policy: the document's policy is not the pinned one (--policy)")


def _verify_document(document: Any, pinned: Policy | None, as_json: bool) -> None:
    report = verify_evidence(document)
    failures = list(report.failures)
    if report.passed or pinned is not None:  # no warning about keys when nothing was checked
        _pin(document, pinned, failures)
    if not report.passed and not failures:
        failures.append("nothing was verified")
    summary = report.as_json() | {"failures": failures, "ok": not failures}
    _show(report.passed, failures, summary if as_json else None)
    if not as_json:
        witnesses = ", ".join(report.witnesses) or "none"
        console.print(
            f"[bold green]verified[/bold green] {report.batch}: {report.events} event(s), "
            f"checkpoint size {report.checkpoint_size}, witnesses {witnesses}",
            highlight=False,
        )


def _describe(leaf: Leaf) -> str:
    if isinstance(leaf, EventLeaf):
        lots = ", ".join(line.lot for line in leaf.batches) or "no batch"
        return f"event {leaf.event} signed by key {leaf.signer} ({lots})"
    if isinstance(leaf, AuditAnchorLeaf):
        return f"audit anchor of audit rows {leaf.first}..{leaf.last}"
    return f"key {leaf.action} of {leaf.key} for actor {leaf.actor}"


def _verify_bundle(
    bundle: str, leaf_file: Path | None, pinned: Policy | None, as_json: bool
) -> None:
    if pinned is None or leaf_file is None:
        raise InvalidInput(
            "a .tlog-proof carries no keys and no leaf: "
            "give --policy POLICY_FILE and --leaf LEAF_FILE",
            details={"field": "policy" if pinned is None else "leaf"},
        )
    try:
        leaf = leaf_file.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            f"cannot read the leaf {leaf_file}: {exc}", details={"file": str(leaf_file)}
        ) from exc
    passed: list[str] = []
    failures: list[str] = []
    try:
        parsed = parse_proof_bundle(bundle)
        passed.append(f"proof bundle well formed: leaf index {parsed.index}")
        included = verify_bundle(leaf, bundle, pinned)
        size = included.checkpoint.size
        passed.append(
            f"checkpoint of size {size} signed by the pinned log key; witnesses "
            f"{', '.join(included.witnesses) or 'none needed'}"
        )
        passed.append(f"leaf included at log index {included.index} of {size}")
        passed.append(_describe(parse_leaf(leaf)))
    except InvalidInput as exc:
        failures.append(exc.message)
    _show(
        passed,
        failures,
        {"passed": passed, "failures": failures, "ok": not failures} if as_json else None,
    )


def verify(
    file: Annotated[
        Path, typer.Argument(help="A batch evidence document (JSON), or one .tlog-proof bundle.")
    ],
    policy: Annotated[
        Path | None,
        typer.Option(help="The tlog-policy you trust (pins the log and witness keys)."),
    ] = None,
    leaf: Annotated[
        Path | None, typer.Option(help="With a .tlog-proof: the leaf it proves (exact bytes).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Verify an evidence document or a proof bundle offline; exit 0 only if all verified.

    Checks the signatures of every event and key, their inclusion in the log, the checkpoint's
    log signature and witness quorum, and the batch's event chain (a dropped or reordered event
    is named). Any failure: exit 65, the first failure as the error line.
    """
    pinned = load_policy(policy, "policy file") if policy is not None else None
    text = read_text(file, "file to verify")
    if text.startswith(PROOF_HEADER):
        _verify_bundle(text, leaf, pinned, as_json)
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{file.name} is neither a .tlog-proof nor JSON: {exc.msg}",
            details={"file": str(file), "line": exc.lineno, "column": exc.colno},
        ) from None
    _verify_document(document, pinned, as_json)
