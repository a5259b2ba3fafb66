"""The quality API: rule sets, reports and the quarantine of a dataset."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body

from cityhub import quality
from cityhub.web.deps import ApiActor, DatabaseDep, Id, PoolDep
from cityhub.web.quality_schemas import (
    DiscardPublic,
    FixPublic,
    QuarantinePublic,
    ReadmitPublic,
    ReportPublic,
    RowDiscard,
    RowFix,
    RowIds,
    RuleSetPublic,
    StillHeld,
    report_public,
    row_public,
    ruleset_public,
)
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/datasets", tags=["quality"], responses=ERROR_RESPONSES)
Status = Literal["held", "readmitted", "discarded", "all"]
EXAMPLE = {
    "rules": [
        {
            "id": "credit_code_valid",
            "kind": "identifier",
            "column": "统一社会信用代码",
            "params": {"kind": "credit_code"},
            "blocking": True,
            "description": "统一社会信用代码校验",
        }
    ],
    "cleaning": [{"column": "统一社会信用代码", "steps": ["trim", "halfwidth", "upper"]}],
}


@router.get("/{name}/rules")
def read_rules(
    name: str, db: DatabaseDep, actor: ApiActor, number: int | None = None
) -> RuleSetPublic:
    """The dataset's current rule set, or version ``number`` (whoever can see the dataset)."""
    return ruleset_public(quality.get_rules(db, actor, name, number))


@router.put("/{name}/rules")
def set_rules(
    name: str,
    db: DatabaseDep,
    actor: ApiActor,
    body: Annotated[dict[str, Any], Body(examples=[EXAMPLE])],
) -> RuleSetPublic:
    """Store a new rule set (owner department's stewards, admins); errors name their place."""
    number = quality.set_rules(db, actor, name, body)
    return ruleset_public(quality.get_rules(db, actor, name, number))


@router.get("/{name}/rules/versions")
def read_rule_versions(name: str, db: DatabaseDep, actor: ApiActor) -> list[RuleSetPublic]:
    """Every rule set of the dataset, newest first."""
    return [ruleset_public(r) for r in quality.list_rulesets(db, actor, name)]


@router.post("/{name}/quality/run", status_code=201)
def run_quality(
    name: str, pool: PoolDep, actor: ApiActor, version: int | None = None
) -> ReportPublic:
    """Check a stored version (default: the newest) now; stores a report, moves no row."""
    return report_public(quality.run_rules(pool, actor, name, version))


@router.get("/{name}/quality")
def read_reports(name: str, db: DatabaseDep, actor: ApiActor) -> list[ReportPublic]:
    """The dataset's quality reports, newest first."""
    return [report_public(v) for v in quality.list_reports(db, actor, name)]


@router.get("/{name}/quality/{report_id}")
def read_report(name: str, report_id: Id, db: DatabaseDep, actor: ApiActor) -> ReportPublic:
    """One quality report."""
    return report_public(quality.get_report(db, actor, name, report_id))


@router.get("/{name}/quarantine")
def read_quarantine(
    name: str,
    db: DatabaseDep,
    actor: ApiActor,
    status: Status = "held",
    limit: int = 200,
    offset: int = 0,
) -> QuarantinePublic:
    """Quarantined rows with their reasons (owner stewards, admins; audited as a read)."""
    chosen = None if status == "all" else quality.RowStatus(status)
    page = quality.list_quarantine(db, actor, name, chosen, limit=limit, offset=offset)
    return QuarantinePublic(total=page.total, data=[row_public(r) for r in page.rows])


@router.patch("/{name}/quarantine/{row_id}")
def fix_row(
    name: str, row_id: Id, body: RowFix, db: DatabaseDep, pool: PoolDep, actor: ApiActor
) -> FixPublic:
    """Fix values of a held row; answers which rules it still fails."""
    result = quality.fix_row(db, actor, pool, name, row_id, body.values)
    return FixPublic(
        row=row_public(result.row), failing=result.failing, admissible=result.admissible
    )


@router.post("/{name}/quarantine/readmit")
def readmit(
    name: str, body: RowIds, db: DatabaseDep, pool: PoolDep, actor: ApiActor
) -> ReadmitPublic:
    """Re-admit held rows that now pass, as a new version; the others stay held, named."""
    result = quality.readmit(db, actor, pool, name, body.ids)
    still = [StillHeld(id=i, reasons=r) for i, r in sorted(result.still_failing.items())]
    return ReadmitPublic(version=result.version, readmitted=result.readmitted, still_held=still)


@router.post("/{name}/quarantine/discard")
def discard(name: str, body: RowDiscard, db: DatabaseDep, actor: ApiActor) -> DiscardPublic:
    """Mark held rows discarded with the reason; they are kept, never deleted."""
    return DiscardPublic(discarded=quality.discard(db, actor, name, body.ids, body.reason))
