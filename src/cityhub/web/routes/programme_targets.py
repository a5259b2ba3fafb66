"""The programme office API: targets (KPIs), their values and refresh, and lagging warnings."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from cityhub.programme import computed, targets, warnings
from cityhub.programme.tasks import city_today
from cityhub.web.deps import ApiActor, DatabaseDep, PoolDep, SettingsDep
from cityhub.web.programme_targets_schemas import (
    RefreshPublic,
    TargetCreate,
    TargetPublic,
    TargetUpdate,
    ValueCreate,
    WarningPublic,
    refresh_public,
    target_public,
    warning_public,
)
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/programme", tags=["programme"], responses=ERROR_RESPONSES)


@router.get("/targets")
def read_targets(db: DatabaseDep, actor: ApiActor) -> list[TargetPublic]:
    """Every target with its series (analysts, stewards, admins)."""
    return [target_public(v) for v in targets.list_targets(db, actor)]


@router.post("/targets", status_code=201)
def create_target(body: TargetCreate, db: DatabaseDep, actor: ApiActor) -> TargetPublic:
    """Define a target (admins)."""
    return target_public(targets.create_target(db, actor, body.spec()))


# Declared before /targets/{code} so that 'refresh' is not taken for a code.
@router.post("/targets/refresh")
def refresh_targets(db: DatabaseDep, pool: PoolDep, actor: ApiActor) -> RefreshPublic:
    """Compute the 'sql' and 'registry' targets now and record what changed (admins)."""
    return refresh_public(computed.refresh_targets(db, pool, city_today(), actor))


@router.get("/targets/{code}")
def read_target(code: str, db: DatabaseDep, actor: ApiActor) -> TargetPublic:
    """One target with its series (analysts, stewards, admins)."""
    return target_public(targets.get_target(db, actor, code))


@router.patch("/targets/{code}")
def update_target(code: str, body: TargetUpdate, db: DatabaseDep, actor: ApiActor) -> TargetPublic:
    """Change a target's definition (admins)."""
    return target_public(targets.update_target(db, actor, code, **body.changes()))


@router.post("/targets/{code}/values", status_code=201)
def add_value(code: str, body: ValueCreate, db: DatabaseDep, actor: ApiActor) -> TargetPublic:
    """Record a measured value (stewards of the owner department, admins)."""
    return target_public(targets.add_value(db, actor, code, body.value, body.measured_on))


@router.get("/warnings")
def read_warnings(
    db: DatabaseDep,
    settings: SettingsDep,
    actor: ApiActor,
    on: date | None = None,
    department: str | None = None,
) -> list[WarningPublic]:
    """Lagging warnings on a day (default today), optionally of one department."""
    found = warnings.list_warnings(
        db, actor, on or city_today(), department, settings.programme_report_due_days
    )
    return [warning_public(w) for w in found]
