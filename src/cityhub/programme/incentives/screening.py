"""免申即享: the enterprises of the base database that qualify for a rule without applying.

The stored declarations (a few thousand at most) decide in Python which credit codes are
candidates; the base database (any size) is filtered in DuckDB: the candidates that exist, are
not deregistered and, for the tax rule, are digital-technology enterprises by industry code. Only
the requested page of rows comes back, and each is explained by the same ``evaluate`` the check
uses, so a listed enterprise always carries its reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from cityhub.pool.service import Pool
from cityhub.programme.incentives.basedb import BaseDatabase, record_of
from cityhub.programme.incentives.engine import COMMERCIAL_KINDS, LIBRARY_KINDS, Answer, evaluate
from cityhub.programme.incentives.facts import (
    ENDED_STATES,
    DeclaredFacts,
    EnterpriseFacts,
    digital_category,
    digital_prefixes,
)
from cityhub.programme.incentives.rules import (
    COMMERCIAL_LAND,
    LAND_PRIORITY,
    MAJOR_PROJECT_LIBRARY,
    TALENT_LOAN,
    TAX_HALVING,
    Rule,
)


@dataclass(frozen=True)
class Qualifier:
    """One enterprise that qualifies, with its name and the answer that explains why."""

    credit_code: str
    name: str | None
    answer: Answer


@dataclass(frozen=True)
class QualifyingPage:
    """A page of qualifying enterprises, ordered by credit code, and how many there are."""

    rule: Rule
    on: date
    total: int
    limit: int
    offset: int
    items: tuple[Qualifier, ...]
    sources: tuple[str, ...]  # dataset@version of each base dataset read


def candidates(rule: Rule, declarations: Mapping[str, DeclaredFacts]) -> list[str]:
    """Credit codes whose declaration meets the rule's declared conditions."""

    def meets(facts: DeclaredFacts) -> bool:
        if rule.id == TAX_HALVING:
            return facts.small_scale_vat is True and facts.digital_tech is not False
        if rule.id == TALENT_LOAN:
            members = facts.provincial_members + facts.municipal_members
            return members > 0 and facts.long_term_employer is True
        if rule.id == LAND_PRIORITY:
            return bool(facts.key_project_lists)
        if rule.id == COMMERCIAL_LAND:
            return any(kind in facts.project_kinds for kind in COMMERCIAL_KINDS)
        if rule.id == MAJOR_PROJECT_LIBRARY:
            return any(kind in facts.project_kinds for kind in LIBRARY_KINDS)
        return False

    return sorted(code for code, facts in declarations.items() if meets(facts))


def _where(
    rule: Rule, declarations: Mapping[str, DeclaredFacts], codes: list[str]
) -> tuple[str, list[object]]:
    """The WHERE clause over the base subquery, and its parameters."""
    clauses = ["list_contains(?::VARCHAR[], credit_code)", "coalesce(trim(state), '') NOT IN ?"]
    params: list[object] = [codes, list(ENDED_STATES)]
    if rule.id == TAX_HALVING:
        declared_digital = [c for c in codes if declarations[c].digital_tech is True]
        by_declared_industry = [
            c
            for c in codes
            if declarations[c].digital_tech is None
            and digital_category(declarations[c].industry_code) is not None
        ]
        industry = "upper(replace(replace(coalesce(industry_code, ''), ' ', ''), '.', ''))"
        clauses.append(
            "(list_contains(?::VARCHAR[], credit_code)"
            f" OR (nullif({industry}, '') IS NOT NULL"
            f"     AND len(list_filter(?::VARCHAR[], lambda p: starts_with({industry}, p))) > 0)"
            f" OR (nullif({industry}, '') IS NULL AND list_contains(?::VARCHAR[], credit_code)))"
        )
        params += [declared_digital, [p for p, _ in digital_prefixes()], by_declared_industry]
    return " AND ".join(clauses), params


def screen(
    pool: Pool,
    base: BaseDatabase,
    rule: Rule,
    on: date,
    declarations: Mapping[str, DeclaredFacts],
    *,
    limit: int,
    offset: int,
) -> QualifyingPage:
    """One page of the enterprises that qualify for ``rule`` on ``on``."""
    codes = candidates(rule, declarations)
    if not rule.in_force(on) or not codes or not base.sources:
        return QualifyingPage(rule, on, 0, limit, offset, (), base.refs)
    where, params = _where(rule, declarations, codes)
    selected = f"SELECT * FROM ({base.subquery()}) AS base WHERE {where}"
    settings = pool.settings
    total = pool.engine.query(
        base.relations,
        f"SELECT count(*) FROM ({selected}) AS q",
        params,
        time_limit_ms=settings.query_time_limit_ms,
        max_rows=1,
    )
    page = pool.engine.query(
        base.relations,
        f"{selected} ORDER BY credit_code LIMIT {int(limit)} OFFSET {int(offset)}",
        params,
        time_limit_ms=settings.query_time_limit_ms,
        max_rows=limit,
    )
    items = []
    for row in page.rows:
        record = record_of(row)
        facts = EnterpriseFacts(
            record.credit_code, record, "found", declarations[record.credit_code], base.refs
        )
        items.append(Qualifier(record.credit_code, record.name, evaluate(rule, facts, on)))
    return QualifyingPage(rule, on, int(total.rows[0][0]), limit, offset, tuple(items), base.refs)
