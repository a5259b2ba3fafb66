"""Computed targets: values from a saved SQL query over pool datasets, or from a registry.

A target of source 'sql' runs through the pool's SQL sandbox **as its owner department** (an
analyst of that department: it reads what the department may read, masked as the department
sees it); the first column of the first row is the value, and ``source_ref`` names each
dataset read as ``dataset@version``. A target of source 'registry' counts with
``cityhub.programme.measures.measure``. A value is recorded only when it differs from the
target's latest value or the versions read changed, so a refresh with nothing new records
nothing. One target's failure (a refused query, an SQL error, no number) is audited and
reported under its code; the others still refresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from cityhub import audit
from cityhub.auth.actor import Actor, Permission, Role
from cityhub.auth.models import Department
from cityhub.db import Database
from cityhub.errors import CityhubError, InvalidInput
from cityhub.pool.service import Pool, run_sql, sandboxed
from cityhub.programme.models_targets import ProgrammeTarget, ProgrammeTargetValue
from cityhub.programme.targets import record_value

REFRESH_ACTOR = Actor(None, "programme:refresh", Role.ADMIN, None, "local")


@dataclass(frozen=True)
class Computed:
    """A value freshly computed for one target, and what it was computed from."""

    value: float
    source: str  # 'sql' or 'registry'
    source_ref: str


@dataclass(frozen=True)
class RefreshOutcome:
    """What a refresh did: targets with a new value, unchanged ones, and failures by code."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, InvalidInput] = field(default_factory=dict)


def owner_actor(owner: str) -> Actor:
    """The actor a target's query runs as: an analyst of the owner department."""
    return Actor(None, f"programme:{owner}", Role.ANALYST, owner, "local")


def _number(code: str, cell: object) -> float:
    if isinstance(cell, bool) or not isinstance(cell, int | float | Decimal):
        raise InvalidInput(
            f"target {code}: the query's first column must be a number, not {cell!r}",
            details={"target": code, "field": "sql"},
        )
    return float(cell)


def compute_sql(pool: Pool, code: str, owner: str, sql: str) -> Computed:
    """Run a target's query as its owner department; InvalidInput naming the target on failure.

    The sandbox is consulted twice (for the versions, then by ``run_sql``); should a version be
    uploaded in between, the next refresh sees a changed ``source_ref`` and records again.
    """
    actor = owner_actor(owner)
    try:
        sources = sandboxed(pool, actor, sql).sources
        results = run_sql(pool, actor, sql, max_rows=1, processing=True)
    except CityhubError as exc:
        raise InvalidInput(
            f"target {code}: {exc.message}", details={"target": code, "field": "sql"} | exc.details
        ) from exc
    except Exception as exc:  # the engine's own errors (bad column, type): the query is at fault
        raise InvalidInput(
            f"target {code}: the query failed: {exc}", details={"target": code, "field": "sql"}
        ) from exc
    if not results.rows or not results.rows[0]:
        raise InvalidInput(
            f"target {code}: the query returned no rows", details={"target": code, "field": "sql"}
        )
    ref = ",".join(sorted(f"{s.dataset.name}@{s.version.number}" for s in sources))
    return Computed(_number(code, results.rows[0][0]), "sql", ref)


def compute_registry(db: Database, code: str, name: str, today: date) -> Computed:
    """Count a registry with C's ``measure`` as of ``today``."""
    from cityhub.programme.measures import measure  # C's module, imported when needed

    try:
        with db.reading() as session:
            value = measure(session, name, today)
    except CityhubError as exc:
        raise InvalidInput(
            f"target {code}: {exc.message}", details={"target": code, "field": "measure"}
        ) from exc
    return Computed(float(value), "registry", f"measure:{name}")


def _is_new(db: Database, target_id: int, computed: Computed) -> bool:
    with db.reading() as session:
        last = session.scalars(
            select(ProgrammeTargetValue)
            .where(ProgrammeTargetValue.target_id == target_id)
            .order_by(ProgrammeTargetValue.measured_on.desc(), ProgrammeTargetValue.id.desc())
            .limit(1)
        ).first()
    if last is None:
        return True
    return last.value != computed.value or last.source_ref != computed.source_ref


def refresh_targets(
    db: Database, pool: Pool, today: date, actor: Actor = REFRESH_ACTOR
) -> RefreshOutcome:
    """Compute every 'sql' and 'registry' target and record the values that are new (admins)."""
    actor.require(Permission.PROGRAMME_MANAGE)
    with db.reading() as session:
        owners = dict(session.execute(select(Department.id, Department.code)).all())
        targets = [
            (
                row.id,
                row.code,
                row.source,
                row.sql or "",
                row.measure or "",
                row.owner_department_id,
            )
            for row in session.scalars(
                select(ProgrammeTarget)
                .where(ProgrammeTarget.source.in_(("sql", "registry")))
                .order_by(ProgrammeTarget.code)
            )
        ]
    outcome = RefreshOutcome()
    for target_id, code, source, sql, measure_name, owner_id in targets:
        try:
            if source == "sql":
                computed = compute_sql(pool, code, owners[owner_id], sql)
            else:
                computed = compute_registry(db, code, measure_name, today)
            if not _is_new(db, target_id, computed):
                outcome.unchanged.append(code)
                continue
            with db.transaction() as session:
                record_value(
                    session,
                    actor,
                    code,
                    computed.value,
                    today,
                    computed.source,
                    computed.source_ref,
                )
        except InvalidInput as exc:
            outcome.failed[code] = exc
            audit.record_alone(
                db,
                actor,
                "programme.target.refresh",
                object_type="programme_target",
                object_id=code,
                outcome=audit.Outcome.FAILURE,
                details={"error": exc.message[:500]},
            )
            continue
        outcome.changed.append(code)
    return outcome


def refresh_computed(db: Database, pool: Pool, today: date) -> list[str]:
    """Refresh every computed target as the platform; the codes that got a new value."""
    return refresh_targets(db, pool, today).changed
