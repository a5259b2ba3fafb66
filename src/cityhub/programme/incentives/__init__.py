"""惠企政策 as code: the incentive rules of 十七 and 十八, checked against an enterprise's facts.

``rules`` holds the versioned, dated rules with their clauses; ``facts`` gathers what is known of
an enterprise (the legal-entity base database plus declared facts); ``engine`` answers each rule
with its reasons; ``screening`` lists the enterprises that qualify without applying (免申即享);
``service`` is the entry point with permission checks and audit.
"""

from __future__ import annotations

from cityhub.programme.incentives.declarations import DeclarationView
from cityhub.programme.incentives.engine import Answer, Reason, evaluate, evaluate_all
from cityhub.programme.incentives.facts import (
    DeclaredFacts,
    EnterpriseFacts,
    Level,
    ProjectKind,
)
from cityhub.programme.incentives.rules import RULES, Rule, rule_by_id
from cityhub.programme.incentives.screening import Qualifier, QualifyingPage
from cityhub.programme.incentives.service import (
    CheckResult,
    check,
    delete_declaration,
    get_declaration,
    list_declarations,
    list_rules,
    qualifying,
    qualifying_page,
    save_declaration,
)

__all__ = [
    "RULES",
    "Answer",
    "CheckResult",
    "DeclarationView",
    "DeclaredFacts",
    "EnterpriseFacts",
    "Level",
    "ProjectKind",
    "Qualifier",
    "QualifyingPage",
    "Reason",
    "Rule",
    "check",
    "delete_declaration",
    "evaluate",
    "evaluate_all",
    "get_declaration",
    "list_declarations",
    "list_rules",
    "qualifying",
    "qualifying_page",
    "rule_by_id",
    "save_declaration",
]
