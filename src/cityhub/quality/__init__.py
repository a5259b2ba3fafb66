"""Data quality (数据质量): rules per dataset, cleaning, reports, and the quarantine.

A steward declares a versioned rule set for a dataset (``set_rules``). Every ingest cleans the
upload and checks it (``cityhub.pool.ingest`` calls ``screen``): rows failing a blocking rule are
held in the quarantine, the rest are committed, and a report lands with the version. Reports can
also be run on demand (``run_rules``). Stewards fix held rows and re-admit them as a new version,
or discard them; nothing is ever deleted. See ``docs/quality.md``.
"""

from cityhub.quality.held import HeldRow
from cityhub.quality.models import QualityReport, QualityRuleSet, QuarantinedRow, RowStatus, Trigger
from cityhub.quality.quarantine import (
    FixResult,
    QuarantinePage,
    ReadmitResult,
    discard,
    fix_row,
    get_row,
    list_quarantine,
    readmit,
)
from cityhub.quality.reports import ReportView, get_report, list_reports, run_rules
from cityhub.quality.rules import CleaningStep, Rule, RuleKind, RuleSet, parse_ruleset
from cityhub.quality.rulesets import get_rules, list_rulesets, set_rules

__all__ = [
    "CleaningStep",
    "FixResult",
    "HeldRow",
    "QualityReport",
    "QualityRuleSet",
    "QuarantinePage",
    "QuarantinedRow",
    "ReadmitResult",
    "ReportView",
    "RowStatus",
    "Rule",
    "RuleKind",
    "RuleSet",
    "Trigger",
    "discard",
    "fix_row",
    "get_report",
    "get_row",
    "get_rules",
    "list_quarantine",
    "list_reports",
    "list_rulesets",
    "parse_ruleset",
    "readmit",
    "run_rules",
    "set_rules",
]
