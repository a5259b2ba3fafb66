"""``cityhub programme incentives``: the incentive rules, checks and 免申即享 lists, from the shell.

Commands act as the platform itself (``Actor.system()``, an admin) on the configured database and
data pool; checks and lists are audited like those made on the web.
"""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Column, Table

from cityhub.auth import Actor
from cityhub.cli.context import open_platform
from cityhub.cli.output import console
from cityhub.config import get_settings
from cityhub.pool.service import Pool
from cityhub.programme import incentives
from cityhub.programme.incentives import Answer, DeclaredFacts, Level, ProjectKind
from cityhub.programme.incentives.service import today_in_city

incentives_app = typer.Typer(
    help="Programme office: incentive rules (惠企政策), checks, 免申即享 lists.",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
OnOption = Annotated[
    str | None, typer.Option("--on", help="The day asked about (YYYY-MM-DD); today by default.")
]


def _json(value: Any) -> None:
    console.print_json(json.dumps(value, ensure_ascii=False, default=str))


def _day(text: str | None) -> date:
    if not text:
        return today_in_city()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("a date YYYY-MM-DD", param_hint="--on") from None


def _answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "rule": answer.rule.id,
        "version": answer.rule.version,
        "applies": answer.applies,
        "period": [answer.period_start, answer.period_end],
        "benefit": answer.benefit_zh,
        "cap_yuan": answer.cap_yuan,
        "reasons": [
            {"met": r.met, "zh": r.zh, "en": r.en, "source": r.source, "ref": r.source_ref}
            for r in answer.reasons
        ],
        "clause": answer.rule.clause,
        "source": answer.rule.source,
    }


@incentives_app.command("rules")
def rules_command(as_json: JsonOption = False) -> None:
    """The rules with version, dates, clause and responsible units."""
    rules = incentives.list_rules(Actor.system())
    if as_json:
        _json(
            [
                {
                    "id": r.id,
                    "version": r.version,
                    "source": r.source,
                    "title": r.title_zh,
                    "valid_from": r.valid_from,
                    "valid_to": r.valid_to,
                    "clause": r.clause,
                    "units": r.units,
                }
                for r in rules
            ]
        )
        return
    table = Table("id", "v", "source", "title", "from", "to", Column("clause", overflow="fold"))
    for r in rules:
        table.add_row(
            r.id,
            str(r.version),
            r.source,
            r.title_zh,
            str(r.valid_from or "—"),
            str(r.valid_to or "—"),
            r.clause,
        )
    console.print(table)


@incentives_app.command("check")
def check_command(
    credit_code: Annotated[str | None, typer.Argument(help="统一社会信用代码.")] = None,
    on: OnOption = None,
    small_scale_vat: Annotated[
        bool | None, typer.Option("--small-scale-vat/--not-small-scale-vat")
    ] = None,
    digital_tech: Annotated[bool | None, typer.Option("--digital-tech/--not-digital-tech")] = None,
    industry_code: Annotated[str | None, typer.Option("--industry-code")] = None,
    provincial: Annotated[int, typer.Option("--provincial", min=0)] = 0,
    municipal: Annotated[int, typer.Option("--municipal", min=0)] = 0,
    long_term: Annotated[bool, typer.Option("--long-term-employer")] = False,
    projects: Annotated[list[ProjectKind] | None, typer.Option("--project")] = None,
    key_lists: Annotated[list[Level] | None, typer.Option("--key-list")] = None,
    stored: Annotated[
        bool, typer.Option("--stored", help="Use the stored declaration instead of options.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Which rules apply to an enterprise on a day, with reasons and clauses."""
    declared = (
        None
        if stored
        else DeclaredFacts(
            small_scale_vat=small_scale_vat,
            digital_tech=digital_tech,
            industry_code=industry_code,
            provincial_members=provincial,
            municipal_members=municipal,
            long_term_employer=True if long_term else None,
            project_kinds=frozenset(projects or ()),
            key_project_lists=frozenset(key_lists or ()),
        )
    )
    settings = get_settings()
    with open_platform(settings) as db, closing(Pool(db, settings)) as pool:
        result = incentives.check(db, pool, Actor.system(), credit_code, declared, _day(on))
    if as_json:
        _json(
            {
                "credit_code": result.credit_code,
                "name": result.enterprise_name,
                "on": result.on,
                "base": result.base_status,
                "sources": result.base_sources,
                "answers": [_answer_json(a) for a in result.answers],
            }
        )
        return
    console.print(f"{result.credit_code or '—'} {result.enterprise_name or ''} · {result.on}")
    console.print(result.note_zh, highlight=False)
    for answer in result.answers:
        verdict = "[green]适用[/green]" if answer.applies else "[red]不适用[/red]"
        console.print(f"\n[bold]{answer.rule.title_zh}[/bold] {verdict}  {answer.benefit_zh or ''}")
        for reason in answer.reasons:
            mark = "✓" if reason.met else "✗"
            console.print(f"  {mark} {reason.zh} [{reason.source}]", highlight=False, markup=False)
        console.print(f"  {answer.rule.source}: {answer.rule.clause}", highlight=False)


@incentives_app.command("qualifying")
def qualifying_command(
    rule: Annotated[str, typer.Argument(help="The rule id, e.g. tax-halving.")],
    on: OnOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every enterprise of the base database that qualifies for a rule (免申即享)."""
    settings = get_settings()
    with open_platform(settings) as db, closing(Pool(db, settings)) as pool:
        found = incentives.qualifying(db, pool, Actor.system(), rule, _day(on))
    if as_json:
        _json(
            [
                {"credit_code": q.credit_code, "name": q.name, "benefit": q.answer.benefit_zh}
                for q in found
            ]
        )
        return
    table = Table("credit code", "name", Column("benefit", overflow="fold"))
    for q in found:
        table.add_row(q.credit_code, q.name or "", q.answer.benefit_zh or "")
    console.print(table)
    console.print(f"{len(found)} enterprises")
