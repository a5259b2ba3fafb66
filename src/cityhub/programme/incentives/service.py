"""The incentives entry points: permission checks, the base-database read, declarations, audit.

``check`` answers every rule for one enterprise (public callers too: INCENTIVES_CHECK);
``qualifying_page``/``qualifying`` list the enterprises that qualify without applying
(INCENTIVES_SCREEN); declarations are stored by stewards (PROGRAMME_REPORT) and admins
(PROGRAMME_MANAGE). Every call is audited; a refusal is audited as denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.auth.departments import department_by_code
from cityhub.db import Database
from cityhub.errors import InvalidInput, NotFound
from cityhub.pool.service import Pool
from cityhub.programme.incentives.basedb import base_database, lookup
from cityhub.programme.incentives.declarations import (
    DeclarationView,
    declared_of,
    view_of,
    write_declaration,
)
from cityhub.programme.incentives.engine import Answer, evaluate_all
from cityhub.programme.incentives.facts import BaseStatus, DeclaredFacts, EnterpriseFacts
from cityhub.programme.incentives.rules import RULES, Rule, rule_by_id
from cityhub.programme.incentives.screening import Qualifier, QualifyingPage, screen
from cityhub.programme.models_incentives import IncentiveDeclaration
from cityhub.registry.credit_code import validate_credit_code

MAX_PAGE = 1000
CITY_TIME = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class CheckResult:
    """Every rule's answer for one enterprise on one day, and what the answers rest on."""

    credit_code: str | None
    enterprise_name: str | None
    on: date
    base_status: BaseStatus
    base_sources: tuple[str, ...]
    note_zh: str
    note_en: str
    declared: DeclaredFacts
    declared_stored: bool  # the declared facts are the stored declaration
    answers: tuple[Answer, ...]


_NOTES: dict[BaseStatus, tuple[str, str]] = {
    "found": ("已在法人单位基础库中找到该企业", "found in the legal-entity base database"),
    "not_found": (
        "法人单位基础库中没有该统一社会信用代码,仅依据申报事实作答",
        "the credit code is not in the legal-entity base database: answered from declared "
        "facts only",
    ),
    "unavailable": (
        "无可读取的法人单位基础库(不存在或未向您共享),仅依据申报事实作答",
        "no legal-entity base database is readable for you: answered from declared facts only",
    ),
    "not_given": (
        "未填写统一社会信用代码,仅依据申报事实作答",
        "no credit code given: answered from declared facts only",
    ),
}


def list_rules(actor: Actor) -> tuple[Rule, ...]:
    """The current incentive rules (public)."""
    actor.require(Permission.INCENTIVES_CHECK)
    return RULES


def valid_credit_code(value: str, field: str = "credit_code") -> str:
    """The normalised credit code; InvalidInput names the field and the reason."""
    verdict = validate_credit_code(value)
    if not verdict.valid or verdict.normalised is None:
        raise InvalidInput(
            f"{field}: {verdict.reason_en}",
            details={"field": field, "reason_zh": verdict.reason_zh, "value": value},
        )
    return verdict.normalised


def check(
    db: Database,
    pool: Pool,
    actor: Actor,
    credit_code: str | None,
    declared: DeclaredFacts | None,
    on: date,
) -> CheckResult:
    """Which rules apply to the enterprise on ``on``, each with reasons and the clause.

    ``declared`` None uses the stored declaration (needs PROGRAMME_READ); facts passed are used
    as given and not stored. The base database is read as ``actor``.
    """
    audit.require(db, actor, Permission.INCENTIVES_CHECK, "programme.incentives.check")
    code = valid_credit_code(credit_code) if credit_code and credit_code.strip() else None
    stored = declared is None
    if declared is None:
        audit.require(db, actor, Permission.PROGRAMME_READ, "programme.incentives.check")
        with db.reading() as session:
            row = _declaration(session, code) if code else None
            declared = declared_of(row) if row else DeclaredFacts()
    status: BaseStatus = "not_given"
    record = None
    base = base_database(pool, actor) if code else None
    if code and base is not None:
        record = lookup(pool, base, code) if base.sources else None
        status = "found" if record else ("not_found" if base.sources else "unavailable")
    refs = base.refs if base is not None else ()
    facts = EnterpriseFacts(code, record, status, declared, refs)
    answers = evaluate_all(facts, on)
    audit.record_alone(
        db,
        actor,
        "programme.incentives.check",
        object_type="enterprise",
        object_id=code,
        outcome=audit.Outcome.SUCCESS,
        details={
            "on": on.isoformat(),
            "base": status,
            "sources": list(refs),
            "stored_declaration": stored,
            "applies": [a.rule.id for a in answers if a.applies],
        },
    )
    note_zh, note_en = _NOTES[status]
    return CheckResult(
        code,
        record.name if record else None,
        on,
        status,
        refs,
        note_zh,
        note_en,
        declared,
        stored,
        answers,
    )


def _declaration(session: Session, code: str) -> IncentiveDeclaration | None:
    return session.scalar(
        select(IncentiveDeclaration).where(IncentiveDeclaration.credit_code == code)
    )


def _all_declared(db: Database) -> dict[str, DeclaredFacts]:
    with db.reading() as session:
        rows = session.scalars(select(IncentiveDeclaration)).all()
        return {row.credit_code: declared_of(row) for row in rows}


def qualifying_page(
    db: Database,
    pool: Pool,
    actor: Actor,
    rule_id: str,
    on: date,
    *,
    limit: int = 100,
    offset: int = 0,
) -> QualifyingPage:
    """A page of the enterprises that qualify for ``rule_id`` on ``on`` (免申即享)."""
    audit.require(db, actor, Permission.INCENTIVES_SCREEN, "programme.incentives.screen")
    rule = rule_by_id(rule_id)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be 1..{MAX_PAGE}", details={"field": "limit"})
    if offset < 0:
        raise InvalidInput("offset must not be negative", details={"field": "offset"})
    page = screen(
        pool, base_database(pool, actor), rule, on, _all_declared(db), limit=limit, offset=offset
    )
    audit.record_alone(
        db,
        actor,
        "programme.incentives.screen",
        object_type="incentive_rule",
        object_id=rule.id,
        outcome=audit.Outcome.SUCCESS,
        details={
            "on": on.isoformat(),
            "sources": list(page.sources),
            "total": page.total,
            "offset": offset,
            "rows": len(page.items),
        },
    )
    return page


def qualifying(db: Database, pool: Pool, actor: Actor, rule_id: str, on: date) -> list[Qualifier]:
    """Every qualifying enterprise for ``rule_id`` on ``on``, page by page."""
    found: list[Qualifier] = []
    offset = 0
    while True:
        page = qualifying_page(db, pool, actor, rule_id, on, limit=MAX_PAGE, offset=offset)
        found.extend(page.items)
        offset += MAX_PAGE
        if offset >= page.total:
            return found


def save_declaration(
    db: Database,
    actor: Actor,
    credit_code: str,
    declared: DeclaredFacts,
    *,
    enterprise_name: str | None = None,
    note: str | None = None,
) -> DeclarationView:
    """Store (or replace) an enterprise's declaration; stewards and admins; audited."""
    # Admins hold every permission, so PROGRAMME_REPORT admits stewards and admins alike.
    audit.require(db, actor, Permission.PROGRAMME_REPORT, "programme.incentives.declare")
    code = valid_credit_code(credit_code)
    with db.transaction() as session:
        department = (
            department_by_code(session, actor.department_code) if actor.department_code else None
        )
        row = _declaration(session, code)
        row = write_declaration(
            session, row, code, declared, enterprise_name, note, actor, department
        )
        audit.record(
            session,
            actor,
            "programme.incentives.declare",
            object_type="enterprise",
            object_id=code,
            details=view_of(row).facts_json(),
        )
        return view_of(row)


def get_declaration(db: Database, actor: Actor, credit_code: str) -> DeclarationView:
    """The stored declaration of an enterprise (PROGRAMME_READ); NotFound when none."""
    audit.require(db, actor, Permission.PROGRAMME_READ, "programme.incentives.declaration.read")
    code = valid_credit_code(credit_code)
    with db.reading() as session:
        row = _declaration(session, code)
        if row is None:
            raise NotFound(f"no declaration for {code}", details={"credit_code": code})
        return view_of(row)


def list_declarations(db: Database, actor: Actor) -> list[DeclarationView]:
    """Every stored declaration, by credit code (PROGRAMME_READ)."""
    audit.require(db, actor, Permission.PROGRAMME_READ, "programme.incentives.declaration.read")
    with db.reading() as session:
        rows = session.scalars(
            select(IncentiveDeclaration).order_by(IncentiveDeclaration.credit_code)
        ).all()
        return [view_of(row) for row in rows]


def delete_declaration(db: Database, actor: Actor, credit_code: str) -> None:
    """Remove a declaration (admin, PROGRAMME_MANAGE); audited with the removed facts."""
    audit.require(db, actor, Permission.PROGRAMME_MANAGE, "programme.incentives.declaration.delete")
    code = valid_credit_code(credit_code)
    with db.transaction() as session:
        row = _declaration(session, code)
        if row is None:
            raise NotFound(f"no declaration for {code}", details={"credit_code": code})
        audit.record(
            session,
            actor,
            "programme.incentives.declaration.delete",
            object_type="enterprise",
            object_id=code,
            details=view_of(row).facts_json(),
        )
        session.delete(row)


def today_in_city() -> date:
    """Today in Liaocheng (China Standard Time): the default day of a check."""
    return datetime.now(CITY_TIME).date()
