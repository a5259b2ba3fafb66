"""Pages of the programme's targets and warnings: ``/programme/targets`` (a table with progress
bars; admins define targets and refresh the computed ones), ``/programme/targets/{code}`` (the
series on a chart against the expected path, the values, the forms to record a value and to
edit), and ``/programme/warnings`` (grouped by responsible unit, with the reasons).

Reading needs PROGRAMME_READ; recording a value PROGRAMME_REPORT for the owner department (or
PROGRAMME_MANAGE); defining, editing and refreshing PROGRAMME_MANAGE; every form the CSRF token.
A refused form comes back with its error.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityhub.auth import Actor, Permission
from cityhub.auth.departments import DEPARTMENTS
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput
from cityhub.programme import computed, targets, warnings
from cityhub.programme.tasks import city_today
from cityhub.programme.trend import Path, fmt, path_points
from cityhub.web.csrf import verify_csrf
from cityhub.web.deps import DatabaseDep, PageActor, PoolDep, SettingsDep
from cityhub.web.i18n import Translator, language_of
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)

UNIT_NAMES = {d.code: (d.name_zh, d.name_en) for d in DEPARTMENTS}
TEXT = Annotated[str, Form()]
CHART_LABELS = ("measured", "expected", "target", "empty")


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{field}: not a date (YYYY-MM-DD)", details={"field": field}) from None


def _number(text: str, field: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise InvalidInput(f"{field}: not a number", details={"field": field}) from None
    if not math.isfinite(value):
        raise InvalidInput(f"{field}: not a finite number", details={"field": field})
    return value


def _can_record(actor: Actor, view: targets.TargetView) -> bool:
    if actor.can(Permission.PROGRAMME_MANAGE):
        return True
    return actor.can(Permission.PROGRAMME_REPORT) and actor.department_code == view.owner


def _list_page(
    request: Request,
    db: Database,
    actor: Actor,
    error: Exception | None = None,
    form: dict[str, str] | None = None,
    refreshed: computed.RefreshOutcome | None = None,
) -> HTMLResponse:
    views = targets.list_targets(db, actor)
    context: dict[str, Any] = {
        "targets": views,
        "units": UNIT_NAMES,
        "fmt": fmt,
        "can_manage": actor.can(Permission.PROGRAMME_MANAGE),
        "error": error,
        "form": form or {"baseline": "0", "baseline_on": "2020-04-07", "owner": "DSJJ"},
        "refreshed": refreshed,
    }
    status = 400 if error else 200
    return render(request, "programme/targets_list.html", context, status=status)


@router.get("/programme/targets", response_class=HTMLResponse)
def targets_list(request: Request, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """Every target with its latest value and a progress bar."""
    return _list_page(request, db, actor)


@router.post("/programme/targets", dependencies=[Depends(verify_csrf)], response_model=None)
def create_target_form(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    code: TEXT = "",
    name_zh: TEXT = "",
    name_en: TEXT = "",
    unit_zh: TEXT = "",
    unit_en: TEXT = "",
    baseline: TEXT = "0",
    baseline_on: TEXT = "2020-04-07",
    target_value: TEXT = "",
    deadline: TEXT = "",
    owner: TEXT = "",
    task_number: TEXT = "",
    direction: TEXT = "up",
    path: TEXT = "linear",
    sql: TEXT = "",
) -> Response:
    """Define a target (admins); with a query it is computed from the pool."""
    actor.require(Permission.PROGRAMME_MANAGE)
    form = {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "unit_zh": unit_zh,
        "unit_en": unit_en,
        "baseline": baseline,
        "baseline_on": baseline_on,
        "target_value": target_value,
        "deadline": deadline,
        "owner": owner,
        "task_number": task_number,
        "direction": direction,
        "path": path,
        "sql": sql,
    }
    try:
        spec = targets.TargetSpec(
            code=code.strip(),
            name_zh=name_zh,
            name_en=name_en,
            unit_zh=unit_zh,
            unit_en=unit_en,
            baseline=_number(baseline, "baseline"),
            baseline_on=_date(baseline_on, "baseline_on"),
            target_value=_number(target_value, "target_value"),
            deadline=_date(deadline, "deadline"),
            owner=owner.strip(),
            task_number=int(_number(task_number, "task_number")) if task_number.strip() else None,
            direction=direction,
            source="sql" if sql.strip() else "manual",
            sql=sql or None,
            path=path,
        )
        targets.create_target(db, actor, spec)
    except (InvalidInput, Conflict) as exc:
        return _list_page(request, db, actor, exc, form)
    return RedirectResponse(f"/programme/targets/{spec.code}", status_code=303)


@router.post("/programme/targets/refresh", dependencies=[Depends(verify_csrf)])
def refresh_form(
    request: Request, db: DatabaseDep, pool: PoolDep, actor: PageActor
) -> HTMLResponse:
    """Compute the 'sql' and 'registry' targets now (admins); the list shows what happened."""
    outcome = computed.refresh_targets(db, pool, city_today(), actor)
    return _list_page(request, db, actor, refreshed=outcome)


def _chart_data(view: targets.TargetView) -> dict[str, Any]:
    path = Path(view.baseline, view.baseline_on, view.target_value, view.deadline, view.direction)
    return {
        "values": [[v.measured_on.isoformat(), v.value] for v in view.values],
        "path": [
            [d.isoformat(), value]
            for d, value in path_points(path, view.path, view.milestone_dates)
        ],
        "target": view.target_value,
        "deadline": view.deadline.isoformat(),
    }


def _detail_page(
    request: Request,
    db: Database,
    actor: Actor,
    code: str,
    error: Exception | None = None,
) -> HTMLResponse:
    view = targets.get_target(db, actor, code)
    today = city_today()
    t = Translator(language_of(request))
    context: dict[str, Any] = {
        "target": view,
        "units": UNIT_NAMES,
        "fmt": fmt,
        "today": today,
        "warnings": warnings.assess_target(view, today),
        "chart": _chart_data(view),
        "labels": {key: t(f"programme.targets.chart.{key}") for key in CHART_LABELS},
        "can_record": _can_record(actor, view),
        "can_manage": actor.can(Permission.PROGRAMME_MANAGE),
        "error": error,
    }
    return render(request, "programme/targets_detail.html", context, status=400 if error else 200)


@router.get("/programme/targets/{code}", response_class=HTMLResponse)
def target_detail(request: Request, code: str, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """A target's series on a chart against its expected path, its values and warnings."""
    return _detail_page(request, db, actor, code)


@router.post(
    "/programme/targets/{code}/values", dependencies=[Depends(verify_csrf)], response_model=None
)
def record_value_form(
    request: Request,
    code: str,
    db: DatabaseDep,
    actor: PageActor,
    value: TEXT = "",
    measured_on: TEXT = "",
) -> Response:
    """Record a measured value (stewards of the owner department, admins)."""
    try:
        targets.add_value(
            db, actor, code, _number(value, "value"), _date(measured_on, "measured_on")
        )
    except InvalidInput as exc:
        return _detail_page(request, db, actor, code, exc)
    return RedirectResponse(f"/programme/targets/{code}", status_code=303)


@router.post(
    "/programme/targets/{code}/edit", dependencies=[Depends(verify_csrf)], response_model=None
)
def edit_target_form(
    request: Request,
    code: str,
    db: DatabaseDep,
    actor: PageActor,
    name_zh: TEXT = "",
    name_en: TEXT = "",
    target_value: TEXT = "",
    deadline: TEXT = "",
    owner: TEXT = "",
    path: TEXT = "linear",
    sql: TEXT = "",
) -> Response:
    """Change a target's names, value, deadline, owner, path or query (admins)."""
    actor.require(Permission.PROGRAMME_MANAGE)
    try:
        changes: dict[str, Any] = {
            "name_zh": name_zh,
            "name_en": name_en,
            "target_value": _number(target_value, "target_value"),
            "deadline": _date(deadline, "deadline"),
            "owner": owner.strip(),
            "path": path,
        }
        if sql.strip():
            changes["sql"] = sql
        targets.update_target(db, actor, code, **changes)
    except InvalidInput as exc:
        return _detail_page(request, db, actor, code, exc)
    return RedirectResponse(f"/programme/targets/{code}", status_code=303)


@router.get("/programme/warnings", response_class=HTMLResponse)
def warnings_page(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    actor: PageActor,
    on: str = "",
    department: str = "",
) -> HTMLResponse:
    """Lagging warnings on a day (default today), grouped by responsible unit."""
    day = _date(on, "on") if on else city_today()
    found = warnings.list_warnings(
        db, actor, day, department or None, settings.programme_report_due_days
    )
    groups: dict[str, list[warnings.Warning]] = {}
    for item in found:
        groups.setdefault(item.department, []).append(item)
    context = {
        "groups": groups,
        "units": UNIT_NAMES,
        "on": day,
        "department": department,
        "count": len(found),
    }
    return render(request, "programme/warnings.html", context)
