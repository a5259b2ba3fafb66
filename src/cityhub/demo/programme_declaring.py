"""Storing the demo enterprises' declared facts through the incentives service.

The facts are in ``programme_facts``; each declaration is saved by 市税务局's steward (the tax
bureau takes the declarations for the tax and fee halving), audited like any other.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from cityhub.auth import Actor, Role
from cityhub.db import Database
from cityhub.demo.programme_facts import DemoFacts, declarations
from cityhub.programme.incentives import DeclaredFacts, Level, ProjectKind, save_declaration
from cityhub.programme.models_incentives import IncentiveDeclaration

DECLARED_TO = Actor(None, "swuj.steward", Role.STEWARD, "SWUJ", "local")


def declared(facts: DemoFacts) -> DeclaredFacts:
    """The incentives module's form of the demo facts."""
    return DeclaredFacts(
        small_scale_vat=facts.small_scale_vat,
        digital_tech=facts.digital_tech,
        provincial_members=facts.provincial_members,
        municipal_members=facts.municipal_members,
        long_term_employer=facts.long_term_employer,
        project_kinds=frozenset(ProjectKind(k) for k in facts.project_kinds),
        key_project_lists=frozenset(Level(level) for level in facts.key_project_lists),
    )


def seed_declarations(db: Database, today: date) -> int:
    """Save the declarations that are missing; how many were saved."""
    with db.reading() as session:
        present = set(session.scalars(select(IncentiveDeclaration.credit_code)))
    saved = 0
    for facts in declarations(today):
        if facts.credit_code in present:
            continue
        save_declaration(
            db,
            DECLARED_TO,
            facts.credit_code,
            declared(facts),
            enterprise_name=facts.name,
            note="演示数据:企业自行申报",
        )
        saved += 1
    return saved
