"""Running a plan: the figures of a quality report, and the failing rows with their reasons."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from cityhub.pool.engine import QueryEngine, quote
from cityhub.quality.messages import reason_for
from cityhub.quality.plan import ROW, Check, Plan
from cityhub.quality.rules import IdentifierRule, RegexRule
from cityhub.quality.sqltext import literal
from cityhub.quality.vectorised import vectorised

# A quality run reads every row of a version: far longer than a user's query may take.
TIME_LIMIT_MS = 60 * 60 * 1000
PROBE = 100_000  # rows sampled to find columns of few distinct values
MIN_SAMPLE = 1_000  # below this, per-row checks are cheap anyway
FEW = 50  # rows per distinct value from which a check runs once per value


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's figures."""

    check: Check
    checked: int
    failed: int
    examples: list[str]

    def as_json(self) -> dict[str, Any]:
        """The outcome as stored in a report's ``results``."""
        rule = self.check.rule
        return {
            "rule": rule.id,
            "kind": rule.kind.value,
            "column": rule.column,
            "blocking": rule.blocking,
            "description": rule.description,
            "checked": self.checked,
            "failed": self.failed,
            "examples": self.examples,
            "skipped": self.check.skipped,
        }


@dataclass(frozen=True)
class Evaluation:
    """The figures of a rule set over some rows."""

    rows: int
    rows_failed: int
    rows_blocked: int
    outcomes: list[RuleOutcome]
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        """Share of (row, rule) pairs that pass, in percent, rounded down to one decimal.

        Rounded down so that 100.0 means no failure at all. None when nothing was checked.
        """
        return _score(sum(o.checked for o in self.ran), sum(o.failed for o in self.ran))

    @property
    def ran(self) -> list[RuleOutcome]:
        """Outcomes of the rules that were not skipped."""
        return [o for o in self.outcomes if o.check.skipped is None]

    def columns(self) -> dict[str, dict[str, Any]]:
        """Per column: (row, rule) checks, failures and score."""
        found: dict[str, dict[str, Any]] = {}
        for outcome in self.ran:
            column = outcome.check.column
            if column is None:
                continue
            entry = found.setdefault(column, {"rules": 0, "checks": 0, "failed": 0})
            entry["rules"] += 1
            entry["checks"] += outcome.checked
            entry["failed"] += outcome.failed
        for entry in found.values():
            entry["score"] = _score(entry["checks"], entry["failed"])
        return found

    def results(self) -> dict[str, Any]:
        """What a report stores: per rule, per column, and notes."""
        return {
            "rules": [o.as_json() for o in self.outcomes],
            "columns": self.columns(),
            "notes": self.notes,
        }


def _score(checks: int, failed: int) -> float | None:
    if checks == 0:
        return None
    return math.floor(1000 * (checks - failed) / checks) / 10


def tune(engine: QueryEngine, plan: Plan) -> Plan:
    """``plan`` with its costly checks on columns of few distinct values run once per value.

    Identifier and regex checks cost microseconds per row; a column such as a region code or a
    category holds a handful of values over millions of rows. A sample of the first file says
    which columns those are (at least ``FEW`` rows per distinct value).
    """
    candidates = sorted(
        {
            rule.column
            for rule in plan.ruleset.rules
            if isinstance(rule, RegexRule | IdentifierRule) and rule.column in plan.target.types
        }
    )
    if not candidates or not plan.target.files:
        return plan
    columns = ", ".join(quote(c) for c in candidates)
    counts = ", ".join(f"count(DISTINCT {quote(c)}), count({quote(c)})" for c in candidates)
    sample = f"SELECT {columns} FROM read_parquet([{literal(plan.target.files[0])}]) LIMIT {PROBE}"
    row = engine.query(
        [], f"SELECT {counts} FROM ({sample})", time_limit_ms=TIME_LIMIT_MS, max_rows=1
    ).rows[0]
    few = frozenset(
        column
        for k, column in enumerate(candidates)
        if row[2 * k + 1] >= MIN_SAMPLE and row[2 * k] * FEW <= row[2 * k + 1]
    )
    return replace(plan, by_value=few) if few else plan


def evaluate(engine: QueryEngine, plan: Plan) -> Evaluation:
    """The figures of ``plan`` in one pass over its files (identifier columns are read once
    more, for their NumPy check: see ``quality.vectorised``)."""
    with vectorised(engine, plan) as ready:
        return _evaluate(engine, ready)


def _evaluate(engine: QueryEngine, plan: Plan) -> Evaluation:
    active = plan.active
    if not plan.target.files:
        row: tuple[Any, ...] = (0, 0, 0, *([0, []] * len(active)))
    else:
        results = engine.query([], plan.stats_sql(), time_limit_ms=TIME_LIMIT_MS, max_rows=1)
        row = results.rows[0]
    rows = int(row[0])
    figures = {
        i: (int(row[3 + 2 * k]), list(row[4 + 2 * k] or [])) for k, (i, _) in enumerate(active)
    }
    outcomes = [
        RuleOutcome(
            check,
            rows if i in figures else 0,
            figures[i][0] if i in figures else 0,
            figures[i][1] if i in figures else [],
        )
        for i, check in enumerate(plan.checks)
    ]
    notes = list(plan.notes)
    notes += [f"rule {c.rule.id!r} skipped: {c.skipped}" for c in plan.checks if c.skipped]
    return Evaluation(rows, int(row[1]), int(row[2]), outcomes, notes)


@dataclass(frozen=True)
class Failure:
    """A row that failed a blocking rule: its data row number, cleaned values and reasons."""

    row_number: int
    values: dict[str, Any]
    reasons: list[dict[str, Any]]

    @property
    def blocked(self) -> bool:
        """Whether the row fails a blocking rule (and so may not be stored)."""
        return any(reason["blocking"] for reason in self.reasons)


def failures(
    engine: QueryEngine, plan: Plan, offsets: dict[str, int], *, every: bool = False
) -> Iterator[Failure]:
    """The rows failing a blocking rule (``every``: all rows), in row order, with every rule
    they fail (blocking or not)."""
    if not plan.target.files:
        return
    _, batches = engine.stream([], plan.failures_sql(offsets, every=every))
    columns = list(plan.target.types)
    active = plan.active
    for batch in batches:
        for record in batch.to_pylist():
            values = {name: jsonable(record[name]) for name in columns}
            reasons = [
                reason_for(check, values)
                for k, (_, check) in enumerate(active)
                if not record[f"__q_p{active[k][0]}"]
            ]
            yield Failure(int(record[ROW]), values, reasons)


def admitted(
    engine: QueryEngine, plan: Plan, *, row_numbers: bool = False
) -> Iterator[pa.RecordBatch]:
    """The cleaned rows that pass every blocking rule, as Arrow batches."""
    if not plan.target.files:
        return iter(())
    _, batches = engine.stream([], plan.admitted_sql(row_numbers=row_numbers))
    return batches


def jsonable(value: Any) -> Any:
    """A value of a row as JSON can hold it: dates as ISO text, non-finite floats as None."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
