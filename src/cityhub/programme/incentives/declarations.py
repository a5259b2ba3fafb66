"""Stored declarations: the row, its view, and the conversion to ``DeclaredFacts``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cityhub.auth import Actor
from cityhub.auth.models import Department
from cityhub.db.base import utcnow
from cityhub.errors import InvalidInput
from cityhub.programme.incentives.facts import DeclaredFacts, Level, ProjectKind
from cityhub.programme.models_incentives import IncentiveDeclaration


@dataclass(frozen=True)
class DeclarationView:
    """An enterprise's stored declaration."""

    credit_code: str
    enterprise_name: str | None
    facts: DeclaredFacts
    note: str | None
    department: str | None
    recorded_by: str
    updated_at: datetime

    def facts_json(self) -> dict[str, Any]:
        """The declared facts as JSON (for the audit details and the API)."""
        return facts_json(self.facts)


def facts_json(facts: DeclaredFacts) -> dict[str, Any]:
    """Declared facts as a JSON object."""
    return {
        "small_scale_vat": facts.small_scale_vat,
        "digital_tech": facts.digital_tech,
        "industry_code": facts.industry_code,
        "provincial_members": facts.provincial_members,
        "municipal_members": facts.municipal_members,
        "long_term_employer": facts.long_term_employer,
        "project_kinds": sorted(k.value for k in facts.project_kinds),
        "key_project_lists": sorted(level.value for level in facts.key_project_lists),
    }


def checked_facts(facts: DeclaredFacts) -> DeclaredFacts:
    """The facts if they make sense; InvalidInput names the field otherwise."""
    for field in ("provincial_members", "municipal_members"):
        if getattr(facts, field) < 0:
            raise InvalidInput(f"{field} must not be negative", details={"field": field})
    if facts.industry_code is not None and len(facts.industry_code.strip()) > 8:
        raise InvalidInput(
            "industry_code is a GB/T 4754 code such as I6513", details={"field": "industry_code"}
        )
    return facts


def declared_of(row: IncentiveDeclaration) -> DeclaredFacts:
    """The declared facts of a stored row."""
    return DeclaredFacts(
        small_scale_vat=row.small_scale_vat,
        digital_tech=row.digital_tech,
        industry_code=row.industry_code,
        provincial_members=row.provincial_members,
        municipal_members=row.municipal_members,
        long_term_employer=row.long_term_employer,
        project_kinds=frozenset(ProjectKind(k) for k in row.project_kinds),
        key_project_lists=frozenset(Level(level) for level in row.key_project_lists),
    )


def view_of(row: IncentiveDeclaration) -> DeclarationView:
    """The view of a stored row."""
    return DeclarationView(
        row.credit_code,
        row.enterprise_name,
        declared_of(row),
        row.note,
        row.department.code if row.department else None,
        row.recorded_by,
        row.updated_at,
    )


def write_declaration(
    session: Session,
    row: IncentiveDeclaration | None,
    code: str,
    declared: DeclaredFacts,
    enterprise_name: str | None,
    note: str | None,
    actor: Actor,
    department: Department | None,
) -> IncentiveDeclaration:
    """Create or overwrite the row of ``code`` with the declared facts."""
    facts = checked_facts(declared)
    if row is None:
        row = IncentiveDeclaration(credit_code=code)
        session.add(row)
    row.enterprise_name = enterprise_name
    row.small_scale_vat = facts.small_scale_vat
    row.digital_tech = facts.digital_tech
    row.industry_code = facts.industry_code.strip().upper() if facts.industry_code else None
    row.provincial_members = facts.provincial_members
    row.municipal_members = facts.municipal_members
    row.long_term_employer = facts.long_term_employer
    row.project_kinds = sorted(k.value for k in facts.project_kinds)
    row.key_project_lists = sorted(level.value for level in facts.key_project_lists)
    row.note = note
    row.department_id = department.id if department else None
    row.recorded_by = actor.username
    row.updated_at = utcnow()
    session.flush()
    return row
