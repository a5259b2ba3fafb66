"""Quality reports: running the rules on a stored version, and reading reports under masking.

A report is visible to whoever can see the dataset. Its example values are data, so they are
shown only to those who may read the rows, and examples from personal columns are masked for
everyone outside the owner department, as the rows themselves are.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from cityhub import audit, catalog
from cityhub.auth import Actor
from cityhub.catalog import Dataset, PersonalKind
from cityhub.catalog.datasets import check_manage, dataset_by_name
from cityhub.db import Database
from cityhub.errors import NotFound
from cityhub.pool.masking import mask_value
from cityhub.pool.service import Pool
from cityhub.quality.evaluate import evaluate, tune
from cityhub.quality.models import QualityReport, Trigger
from cityhub.quality.plan import Target
from cityhub.quality.rulesets import parsed, ruleset_of
from cityhub.quality.screen import add_report
from cityhub.quality.sources import plan_for, version_types

REPORTS_PAGE = 50


@dataclass(frozen=True)
class ReportView:
    """A report as one actor may see it: examples masked or withheld."""

    report: QualityReport
    dataset: Dataset
    results: dict[str, Any]
    examples: bool  # whether examples are shown at all


def run_rules(
    pool: Pool, actor: Actor, dataset_name: str, version: int | None = None
) -> ReportView:
    """Check a stored version (default: the newest) against the current rules; no row moves.

    For the owner department's stewards and admins; the report is stored (trigger
    ``on_demand``) and the run audited as ``quality.run``.
    """
    db = pool.db
    with db.reading() as session:
        dataset = dataset_by_name(session, dataset_name)
    check_manage(db, actor, dataset, "quality.run")
    with db.reading() as session:
        chosen = catalog.version_of(session, dataset, version)
        stored = ruleset_of(session, dataset.id)
        if stored is None:
            raise NotFound(
                f"dataset {dataset.name!r} has no quality rules to run",
                details={"dataset": dataset.name},
            )
        target = Target(pool.files(dataset.id, chosen.snapshot_id), version_types(chosen))
        plan = plan_for(session, pool.files, dataset, parsed(stored), target)
    evaluation = evaluate(pool.processing, tune(pool.processing, plan))
    with db.transaction() as session:
        report = add_report(
            session, chosen, stored.number, Trigger.ON_DEMAND, evaluation, 0, actor.username
        )
        session.flush()
        audit.record(
            session,
            actor,
            "quality.run",
            object_type="dataset",
            object_id=dataset.name,
            details={
                "version": chosen.number,
                "ruleset": stored.number,
                "report": report.id,
                "score": report.score,
            },
        )
    return view(db, actor, dataset, report)


def list_reports(db: Database, actor: Actor, name: str) -> list[ReportView]:
    """The dataset's newest reports, newest first (at most ``REPORTS_PAGE``)."""
    dataset = catalog.get_dataset(db, actor, name)
    with db.reading() as session:
        query = (
            select(QualityReport)
            .where(QualityReport.dataset_id == dataset.id)
            .order_by(QualityReport.id.desc())
            .limit(REPORTS_PAGE)
        )
        reports = list(session.scalars(query))
    return [view(db, actor, dataset, r) for r in reports]


def get_report(db: Database, actor: Actor, name: str, report_id: int) -> ReportView:
    """One report of the dataset."""
    dataset = catalog.get_dataset(db, actor, name)
    with db.reading() as session:
        report = session.get(QualityReport, report_id)
    if report is None or report.dataset_id != dataset.id:
        raise NotFound(
            f"dataset {dataset.name!r} has no quality report {report_id}",
            details={"dataset": dataset.name, "report": report_id},
        )
    return view(db, actor, dataset, report)


def view(db: Database, actor: Actor, dataset: Dataset, report: QualityReport) -> ReportView:
    """``report`` as ``actor`` may see it."""
    with db.reading() as session:
        granted = catalog.granted_departments(session, dataset.id)
    readable = catalog.can_read(actor, dataset, granted)
    personal = (
        {c.name: PersonalKind(c.personal) for c in dataset.columns if c.personal}
        if catalog.masks_personal_data(actor, dataset)
        else {}
    )
    results = copy.deepcopy(report.results)
    for outcome in results.get("rules", []):
        column = outcome.get("column")
        if not readable:
            outcome["examples"] = []
        elif column in personal:
            outcome["examples"] = [
                mask_value(str(v), personal[column]) for v in outcome["examples"]
            ]
    return ReportView(report, dataset, results, readable)
