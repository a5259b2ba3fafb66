"""The quarantine: rows held back at ingest, reviewed, fixed, re-admitted or discarded.

Only the owner department's stewards and admins see held rows, and every listing is audited as
a read; admins see personal values masked (``held``). A row is never deleted: it is held,
then re-admitted (into a new version of the dataset, named in the row) or discarded (with the
reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityhub import audit, catalog
from cityhub.auth import Actor
from cityhub.catalog import ColumnInfo, Dataset, DatasetVersion
from cityhub.db import Database, utcnow
from cityhub.errors import Conflict, InvalidInput, NotFound
from cityhub.pool.service import Pool
from cityhub.quality.evaluate import Evaluation, Failure, RuleOutcome, failures
from cityhub.quality.held import HeldRow, RowMask
from cityhub.quality.models import QuarantinedRow, RowStatus, Trigger
from cityhub.quality.plan import Plan, Target
from cityhub.quality.rules import RuleSet
from cityhub.quality.rulesets import parsed, ruleset_of
from cityhub.quality.screen import add_report
from cityhub.quality.sources import appended_to, plan_for, version_types
from cityhub.quality.values import parse_row, typed_table

PAGE = 200
MAX_IDS = 1000


@dataclass(frozen=True)
class QuarantinePage:
    """A page of quarantined rows and how many there are with that status."""

    rows: list[HeldRow]
    total: int


@dataclass(frozen=True)
class FixResult:
    """A fixed row, and the rules it still fails (blocking ones keep it out)."""

    row: HeldRow
    failing: list[dict[str, Any]]

    @property
    def admissible(self) -> bool:
        """Whether the fixed row passes every blocking rule."""
        return not any(reason["blocking"] for reason in self.failing)


@dataclass(frozen=True)
class ReadmitResult:
    """What a re-admission did: the new version, the rows in it, the rows still held and why."""

    version: int | None
    readmitted: list[int]
    still_failing: dict[int, list[dict[str, Any]]]


def list_quarantine(
    db: Database,
    actor: Actor,
    name: str,
    status: RowStatus | None = RowStatus.HELD,
    *,
    limit: int = PAGE,
    offset: int = 0,
) -> QuarantinePage:
    """Quarantined rows of a dataset (``status`` None: all), oldest first; audited as a read."""
    dataset = catalog.require_manage(db, actor, name, "quality.quarantine.read")
    if not 1 <= limit <= 1000 or offset < 0:
        raise InvalidInput("limit must be 1-1000 and offset 0 or more", details={"field": "limit"})
    where = [QuarantinedRow.dataset_id == dataset.id]
    if status is not None:
        where.append(QuarantinedRow.status == status.value)
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(QuarantinedRow).where(*where)) or 0
        query = select(QuarantinedRow).where(*where).order_by(QuarantinedRow.id)
        rows = list(session.scalars(query.limit(limit).offset(offset)))
    audit.record_alone(
        db,
        actor,
        "quality.quarantine.read",
        object_type="dataset",
        object_id=dataset.name,
        outcome=audit.Outcome.SUCCESS,
        details={"status": status.value if status else None, "rows": len(rows)},
    )
    mask = RowMask.for_viewer(actor, dataset)
    return QuarantinePage([mask.row(r) for r in rows], int(total))


def get_row(db: Database, actor: Actor, name: str, row_id: int) -> HeldRow:
    """One quarantined row of the dataset, whatever its status; audited as a read."""
    dataset = catalog.require_manage(db, actor, name, "quality.quarantine.read")
    with db.reading() as session:
        row = session.get(QuarantinedRow, row_id)
    if row is None or row.dataset_id != dataset.id:
        raise NotFound(
            f"dataset {dataset.name!r} has no quarantined row {row_id}",
            details={"dataset": dataset.name, "rows": [row_id]},
        )
    audit.record_alone(
        db,
        actor,
        "quality.quarantine.read",
        object_type="dataset",
        object_id=dataset.name,
        outcome=audit.Outcome.SUCCESS,
        details={"row": row_id},
    )
    return RowMask.for_viewer(actor, dataset).row(row)


def fix_row(
    db: Database, actor: Actor, pool: Pool, name: str, row_id: int, values: dict[str, Any]
) -> FixResult:
    """Change values of a held row and check it again; answers which rules it still fails.

    Values are checked against the column types of the dataset's newest version; the row keeps
    its original values, the fixed ones are stored beside them and used when it is re-admitted.
    """
    dataset = catalog.require_manage(db, actor, name, "quality.quarantine.fix")
    if not isinstance(values, dict) or not values:
        raise InvalidInput("give the values to change", details={"field": "values"})
    with db.reading() as session:
        row = _held(session, dataset, [row_id])[0]
        latest = _latest(session, dataset)
    types = version_types(latest)
    mask = RowMask.for_viewer(actor, dataset)
    values = mask.changes(values, row.fixed_values or row.values)
    parse_row(values, types)  # refuse a value of the wrong type before anything is stored
    fixed = {**(row.fixed_values or row.values), **values}
    verdict = check_rows(pool, dataset, latest, [fixed])[0]
    with db.transaction() as session:
        stored = _held(session, dataset, [row_id])[0]
        stored.fixed_values = fixed
        audit.record(
            session,
            actor,
            "quality.quarantine.fix",
            object_type="dataset",
            object_id=dataset.name,
            details={"row": row_id, "columns": sorted(values), "still_failing": _rule_ids(verdict)},
        )
    return FixResult(mask.row(stored), mask.reasons(verdict.reasons))


def readmit(
    db: Database, actor: Actor, pool: Pool, name: str, row_ids: Sequence[int]
) -> ReadmitResult:
    """Check held rows again (with their fixes) and append those that pass as a new version.

    Rows still failing a blocking rule stay held and are named with their reasons. The new
    version, the rows' new status and its report are recorded in one transaction.
    """
    from cityhub.pool.ingest import append_rows  # the ingest imports this package

    dataset = catalog.require_manage(db, actor, name, "quality.quarantine.readmit")
    ids = _ids(row_ids)
    with db.reading() as session:
        rows = _held(session, dataset, ids)
        latest = _latest(session, dataset)
        stored = ruleset_of(session, dataset.id)
    candidates = [r.fixed_values or r.values for r in rows]
    plan, verdicts = _check(pool, dataset, latest, candidates)
    passing = [(r, v) for r, v in zip(rows, verdicts, strict=True) if not v.blocked]
    mask = RowMask.for_viewer(actor, dataset)
    failing = {
        r.id: mask.reasons(v.reasons) for r, v in zip(rows, verdicts, strict=True) if v.blocked
    }
    if not passing:
        audit.record_alone(
            db,
            actor,
            "quality.quarantine.readmit",
            object_type="dataset",
            object_id=dataset.name,
            outcome=audit.Outcome.FAILURE,
            details={"rows": [], "still_held": sorted(failing)},
        )
        return ReadmitResult(None, [], failing)
    types = version_types(latest)
    labels = {c.name: c.label for c in dataset.columns}
    columns = [ColumnInfo(n, labels.get(n, n), t.value) for n, t in types.items()]
    admitted_ids = [r.id for r, _ in passing]
    evaluation = _evaluation(plan, [v for _, v in passing])

    def record(session: Session, version: DatasetVersion) -> None:
        for row in _held(session, dataset, admitted_ids):
            row.status = RowStatus.READMITTED.value
            row.readmitted_in_version = version.number
            row.resolved_by = actor.username
            row.resolved_at = utcnow()
        if stored is not None:
            add_report(session, version, stored.number, Trigger.INGEST, evaluation, 0)
        audit.record(
            session,
            actor,
            "quality.quarantine.readmit",
            object_type="dataset",
            object_id=dataset.name,
            details={
                "rows": admitted_ids,
                "version": version.number,
                "still_held": sorted(failing),
            },
        )

    result = append_rows(
        db,
        actor,
        pool.warehouse,
        dataset=dataset.name,
        table=typed_table([v.values for _, v in passing], types),
        columns=columns,
        source_name=f"quarantine: {len(admitted_ids)} re-admitted rows",
        source_format="quarantine",
        notes=[f"re-admitted quarantined rows {', '.join(map(str, admitted_ids))}"],
        also=record,
    )
    return ReadmitResult(result.version, admitted_ids, failing)


def discard(
    db: Database, actor: Actor, name: str, row_ids: Sequence[int], reason: str
) -> list[int]:
    """Mark held rows discarded, with the reason; they stay in the quarantine as a record."""
    dataset = catalog.require_manage(db, actor, name, "quality.quarantine.discard")
    ids = _ids(row_ids)
    why = (reason or "").strip()
    if not why:
        raise InvalidInput("say why the rows are discarded", details={"field": "reason"})
    with db.transaction() as session:
        for row in _held(session, dataset, ids):
            row.status = RowStatus.DISCARDED.value
            row.note = why[:2000]
            row.resolved_by = actor.username
            row.resolved_at = utcnow()
        audit.record(
            session,
            actor,
            "quality.quarantine.discard",
            object_type="dataset",
            object_id=dataset.name,
            details={"rows": ids, "reason": why[:500]},
        )
    return ids


# -- checking a few rows -------------------------------------------------------------------


def check_rows(
    pool: Pool, dataset: Dataset, latest: DatasetVersion, rows: list[dict[str, Any]]
) -> list[Failure]:
    """Each row cleaned and checked against the current rules (and the stored rows, for
    ``unique``), in order: every rule it fails, and its cleaned values."""
    return _check(pool, dataset, latest, rows)[1]


def _check(
    pool: Pool, dataset: Dataset, latest: DatasetVersion, rows: list[dict[str, Any]]
) -> tuple[Plan | None, list[Failure]]:
    types = version_types(latest)
    with pool.db.reading() as session:
        stored = ruleset_of(session, dataset.id)
    ruleset = parsed(stored) if stored is not None else RuleSet()
    if ruleset.empty:
        return None, [Failure(i + 1, row, []) for i, row in enumerate(rows)]
    staging = pool.warehouse.staging(dataset.id)
    try:
        file = staging / "check.parquet"
        pq.write_table(typed_table(rows, types), file)
        context, context_columns = appended_to(pool.files, latest)
        target = Target((str(file),), types, context, context_columns)
        with pool.db.reading() as session:
            plan = plan_for(session, pool.files, dataset, ruleset, target)
        verdicts = list(failures(pool.engine, plan, {str(file): 0}, every=True))
    finally:
        pool.warehouse.discard(staging)
    return plan, verdicts


def _evaluation(plan: Plan | None, verdicts: list[Failure]) -> Evaluation:
    """The figures of rows already checked one by one (for the report of a re-admission)."""
    if plan is None:
        return Evaluation(len(verdicts), 0, 0, [])
    outcomes = []
    for check in plan.checks:
        failed = [v for v in verdicts if any(r["rule"] == check.rule.id for r in v.reasons)]
        examples = sorted({str(v.values.get(check.column or "")) for v in failed if check.column})
        ran = check.skipped is None
        outcomes.append(RuleOutcome(check, len(verdicts) if ran else 0, len(failed), examples[:5]))
    failed_rows = sum(1 for v in verdicts if v.reasons)
    return Evaluation(len(verdicts), failed_rows, 0, outcomes, list(plan.notes))


# -- helpers -------------------------------------------------------------------------------


def _ids(row_ids: Sequence[int]) -> list[int]:
    ids = sorted({int(i) for i in row_ids})
    if not ids:
        raise InvalidInput("give the ids of the rows", details={"field": "ids"})
    if len(ids) > MAX_IDS:
        raise InvalidInput(f"at most {MAX_IDS} rows at a time", details={"field": "ids"})
    return ids


def _held(session: Session, dataset: Dataset, ids: list[int]) -> list[QuarantinedRow]:
    """The rows ``ids`` of the dataset, in id order, all still held (else NotFound/Conflict)."""
    query = (
        select(QuarantinedRow)
        .where(QuarantinedRow.dataset_id == dataset.id, QuarantinedRow.id.in_(ids))
        .order_by(QuarantinedRow.id)
    )
    rows = list(session.scalars(query))
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing:
        raise NotFound(
            f"dataset {dataset.name!r} has no quarantined row {missing[0]}",
            details={"dataset": dataset.name, "rows": missing},
        )
    settled = [r.id for r in rows if r.status != RowStatus.HELD.value]
    if settled:
        raise Conflict(
            f"row {settled[0]} is no longer held (re-admitted or discarded)",
            details={"dataset": dataset.name, "rows": settled},
        )
    return rows


def _latest(session: Session, dataset: Dataset) -> DatasetVersion:
    return catalog.version_of(session, dataset, None)


def _rule_ids(verdict: Failure) -> list[str]:
    return [str(r["rule"]) for r in verdict.reasons]
