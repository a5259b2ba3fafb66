"""``cityhub trace recall``, ``actors``, ``anchor``, ``check-anchors``, ``log status``: the
operator's side, on the platform's database, acting as the platform itself (``Actor.system()``).

``anchor`` and ``check-anchors`` run a ``TraceLog`` in this process for the duration of the
command: fine on SQLite or on a quiet server; where a ``serve`` process is appending, let it do
the anchoring (``CITYHUB_TRACE_AUDIT_ANCHOR_MINUTES``) rather than start a second writer.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Column, Table
from sqlalchemy import select

from cityhub import auth
from cityhub.cli.context import open_platform
from cityhub.cli.errors import EXIT_CODES
from cityhub.cli.output import console, err_console
from cityhub.config import get_settings
from cityhub.errors import InvalidInput
from cityhub.trace import actors, recall
from cityhub.trace.anchor import anchor_audit, verify_audit_anchors
from cityhub.trace.epcis import normalise_id
from cityhub.trace.log import TraceLog
from cityhub.trace.log.identity import load_identity
from cityhub.trace.log.models import TraceCheckpoint, TraceTree, TraceWitnessSize
from cityhub.trace.note import verify_checkpoint

actors_app = typer.Typer(
    help="Traceability actors: list, register, link accounts.", no_args_is_help=True
)
log_app = typer.Typer(help="The transparency log.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def recall_command(
    lot: Annotated[str, typer.Argument(help="The lot: GS1 Digital Link URI or EPC class URN.")],
    back: Annotated[
        bool, typer.Option("--back", help="Trace back to farms and inputs (default: forward).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Trace a lot forward to products and retailers, or back to farms and inputs.

    Forward from a contaminated input: every product lot, container and retailer it reached.
    Back from a retail item: every farm and input lot it came from.
    """
    start = normalise_id(lot.strip())
    with open_platform(get_settings()) as db:
        trace = recall.trace_back if back else recall.trace_forward
        graph = trace(db, auth.Actor.system(), start)
    if as_json:
        console.print_json(json.dumps(graph.as_json(), ensure_ascii=False))
        return
    table = Table("reached", Column("id", overflow="fold"), "name", "kind / role")
    order = {"actor": 0, "lot": 1, "container": 2}
    nodes = sorted(graph.nodes.items(), key=lambda item: (order[item[1]["type"]], item[0]))
    for key, node in nodes:
        if key == start:
            continue
        table.add_row(*_row(key, node, back))
    console.print(table)
    actor_word = "farms and origins" if back else "retailers"
    lot_word = "input lots" if back else "product lots"
    console.print(
        f"{start} {'came from' if back else 'reached'} {len(graph.of_type('actor'))} "
        f"{actor_word}, {len(graph.of_type('lot')) - 1} {lot_word}, "
        f"{len(graph.of_type('container'))} containers ({len(graph.edges)} edges)",
        highlight=False,
    )


def _row(key: str, node: dict[str, Any], back: bool) -> tuple[str, str, str, str]:
    if node["type"] == "actor":
        label = "farm / origin" if back else "retailer"
        return label, node["ref"], node.get("name_zh") or "", node.get("kind") or ""
    label = ("input" if back else "product") if node["type"] == "lot" else "container"
    return label, key, node.get("product_zh") or "", node.get("role") or ""


@actors_app.command("list")
def actors_list(
    kind: Annotated[str | None, typer.Option(help="Only actors of this kind.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every registered actor (names and codes unmasked: the operator manages actors)."""
    with open_platform(get_settings()) as db:
        views = actors.list_actors(db, auth.Actor.system(), kind=kind)
    if as_json:
        console.print_json(json.dumps([v.as_json() for v in views], ensure_ascii=False))
        return
    table = Table("ref", "name", "kind", "county", "department")
    for view in views:
        table.add_row(view.ref, view.name_zh, view.kind, view.county or "", view.department or "")
    console.print(table)


@actors_app.command("register")
def actors_register(
    ref: Annotated[
        str, typer.Option(help="统一社会信用代码, or 主体码 with --ref-kind subject_code.")
    ],
    name_zh: Annotated[str, typer.Option(help="Name in Chinese.")],
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(actors.ACTOR_KINDS)}.")],
    ref_kind: Annotated[str, typer.Option(help="credit_code or subject_code.")] = "credit_code",
    natural_person: Annotated[
        bool, typer.Option(help="A natural person (register with the 主体码).")
    ] = False,
    name_en: Annotated[str | None, typer.Option(help="Name in English.")] = None,
    county: Annotated[str | None, typer.Option(help="County (县/区).")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude (WGS 84), with --lat.")] = None,
    lat: Annotated[float | None, typer.Option(help="Latitude (WGS 84), with --lon.")] = None,
    gln: Annotated[str | None, typer.Option(help="GS1 GLN, 13 digits.")] = None,
    department: Annotated[
        str | None, typer.Option(help="Department code, for actors a department runs.")
    ] = None,
) -> None:
    """Register an actor; prints its public ref (what its keys and the log name)."""
    data = actors.ActorIn(
        code=ref,
        name_zh=name_zh,
        kind=kind,
        ref_kind=ref_kind,
        natural_person=natural_person,
        name_en=name_en,
        county=county,
        lon=lon,
        lat=lat,
        gln=gln,
        department=department,
    )
    with open_platform(get_settings()) as db:
        view = actors.register_actor(db, auth.Actor.system(), data)
    console.print(f"registered {view.name_zh} ({view.kind}) as {view.ref}", highlight=False)


@actors_app.command("link")
def actors_link(
    ref: Annotated[str, typer.Option(help="The actor's public ref.")],
    user: Annotated[str, typer.Option(help="User name of the account (role recorder).")],
) -> None:
    """Let a user account record events and keys for the actor."""
    with open_platform(get_settings()) as db:
        actors.link_account(db, auth.Actor.system(), ref, user)
    console.print(f"{user} records for {ref}", highlight=False)


def anchor_command(
    settle_seconds: Annotated[
        float, typer.Option(help="Leave audit rows younger than this for the next anchor.")
    ] = 5.0,
) -> None:
    """Anchor the audit rows since the last anchor in the log now; prints the log index.

    Runs the trace log in this process while it works: fine on SQLite or a quiet server; where
    `cityhub serve` is appending, let the serve process anchor (CITYHUB_TRACE_AUDIT_ANCHOR_MINUTES).
    """
    settings = get_settings()
    with open_platform(settings) as db, TraceLog(db, settings) as log:
        done = anchor_audit(db, log, settle_seconds=settle_seconds)
    if done is None:
        console.print("no new audit rows to anchor", highlight=False)
        return
    console.print(
        f"anchored audit rows {done.first_id}..{done.last_id} ({done.rows} rows) "
        f"at log index {done.log_index}",
        highlight=False,
    )


def check_anchors() -> None:
    """Recompute every audit anchor and check its leaf in the log; exit 65 naming bad rows.

    Names each rewritten, deleted or inserted audit row.

    Runs the trace log in this process while it works (it appends nothing): on a busy server
    prefer GET /api/trace/anchors/verify, answered by the serve process.
    """
    settings = get_settings()
    with open_platform(settings) as db, TraceLog(db, settings) as log:
        problems = verify_audit_anchors(db, log)
    for problem in problems:
        console.print(f"[red]✗[/red] {problem.message}", highlight=False)
    if problems:
        rows = sorted({p.audit_id for p in problems if p.audit_id is not None})
        named = ", ".join(map(str, rows)) or "see above"
        err_console.print(f"[red]error:[/red] audit trail rewritten: rows {named}", highlight=False)
        raise typer.Exit(EXIT_CODES[InvalidInput])
    console.print("[green]✓[/green] every audit anchor matches the audit trail", highlight=False)


@log_app.command("status")
def log_status() -> None:
    """The published size, the latest checkpoint, and which witnesses cosigned it."""
    settings = get_settings()
    with open_platform(settings) as db:
        identity = load_identity(settings)
        with db.reading() as session:
            latest = session.scalars(
                select(TraceCheckpoint).order_by(TraceCheckpoint.size.desc()).limit(1)
            ).first()
            sequenced = session.scalar(select(TraceTree.size)) or 0
            seen = {row.witness: row.size for row in session.scalars(select(TraceWitnessSize))}
    console.print(f"log {identity.origin}: {identity.policy.log.vkey()}", highlight=False)
    if latest is None:
        console.print(f"sequenced {sequenced}; no checkpoint published yet", highlight=False)
        return
    try:
        _, cosigned = verify_checkpoint(latest.note, identity.policy)
    except InvalidInput as exc:  # shown, not raised: status is what one runs to find this out
        console.print(f"[red]✗ the latest checkpoint does not verify:[/red] {exc.message}")
        cosigned = []
    console.print(
        f"published size {latest.size} at {latest.published_at.isoformat(timespec='seconds')}; "
        f"sequenced {sequenced}; quorum {identity.policy.quorum or 'none'}",
        highlight=False,
    )
    console.print(latest.note, highlight=False, markup=False, end="")
    if not identity.policy.witnesses:
        console.print("no witnesses: a checkpoint is published once the log signs it")
        return
    table = Table("witness", "vkey", "url", "cosigned latest", "last size cosigned")
    for name, (verifier, url) in sorted(identity.policy.witnesses.items()):
        mark = "[green]✓[/green]" if name in cosigned else "[red]✗[/red]"
        table.add_row(name, verifier.vkey(), url or "", mark, str(seen.get(name, "-")))
    console.print(table)
