"""Quality pages of a dataset: its reports, its quarantine, and its rule set."""

from __future__ import annotations

import json
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityhub import catalog, quality
from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import CityhubError, Conflict, InvalidInput, NotFound
from cityhub.quality.sources import version_types
from cityhub.web.csrf import verify_csrf
from cityhub.web.deps import DatabaseDep, Id, PageActor, PoolDep
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)

CITY_TIME = ZoneInfo("Asia/Shanghai")
FIELD = "v:"  # form fields of a row's values are named v:<column>
PAGE = 50  # quarantined rows per page


def _labels(dataset: catalog.Dataset) -> dict[str, str]:
    return {c.name: c.label for c in dataset.columns}


@router.get("/datasets/{name}/quality", response_class=HTMLResponse)
def quality_page(
    request: Request, name: str, db: DatabaseDep, actor: PageActor, report: int | None = None
) -> HTMLResponse:
    """The newest quality report (or ``?report=``), with earlier reports and a run button."""
    dataset = catalog.get_dataset(db, actor, name)
    reports = quality.list_reports(db, actor, name)
    shown = next((r for r in reports if r.report.id == report), None)
    if report is not None and shown is None:
        shown = quality.get_report(db, actor, name, report)
    rulesets = quality.list_rulesets(db, actor, name)
    context = {
        "dataset": dataset,
        "reports": reports,
        "shown": shown or (reports[0] if reports else None),
        "ruleset": rulesets[0] if rulesets else None,
        "labels": _labels(dataset),
        "can_manage": catalog.can_manage(actor, dataset),
        "city_time": CITY_TIME,
    }
    return render(request, "quality.html", context)


@router.post("/datasets/{name}/quality/run", dependencies=[Depends(verify_csrf)])
async def run_now(name: str, pool: PoolDep, actor: PageActor) -> RedirectResponse:
    """Check the newest version now, then show its report."""
    view = await run_in_threadpool(quality.run_rules, pool, actor, name)
    return RedirectResponse(f"/datasets/{name}/quality?report={view.report.id}", status_code=303)


def _rows_context(db: Database, actor: Actor, name: str) -> dict[str, Any]:
    """What a quarantined row needs to be shown: its dataset's columns and labels."""
    dataset = catalog.get_dataset(db, actor, name)
    with db.reading() as session:
        latest = catalog.latest_version(session, dataset)
    return {
        "dataset": dataset,
        "columns": list(version_types(latest)) if latest else [],
        "labels": _labels(dataset),
        "city_time": CITY_TIME,
    }


def _quarantine_context(
    db: Database, actor: Actor, name: str, status: str, offset: int = 0
) -> dict[str, Any]:
    chosen = None if status == "all" else quality.RowStatus(status)
    page = quality.list_quarantine(db, actor, name, chosen, limit=PAGE, offset=offset)
    after = offset + PAGE
    return _rows_context(db, actor, name) | {
        "page": page,
        "status": status,
        "statuses": ["held", "readmitted", "discarded", "all"],
        "prev_offset": max(0, offset - PAGE) if offset > 0 else None,
        "next_offset": after if after < page.total else None,
    }


@router.get("/datasets/{name}/quarantine", response_class=HTMLResponse)
def quarantine_page(
    request: Request,
    name: str,
    db: DatabaseDep,
    actor: PageActor,
    status: str = "held",
    offset: int = 0,
    readmitted: int = 0,
    version: int | None = None,
    still: int = 0,
    discarded: int = 0,
) -> HTMLResponse:
    """Held rows with their reasons, an edit form per row, re-admit and discard."""
    if status not in ("held", "readmitted", "discarded", "all"):
        status = "held"
    context = _quarantine_context(db, actor, name, status, max(0, offset))
    context["done"] = {
        "readmitted": readmitted,
        "version": version,
        "still": still,
        "discarded": discarded,
    }
    return render(request, "quarantine.html", context)


@router.post(
    "/datasets/{name}/quarantine/{row_id}/fix",
    dependencies=[Depends(verify_csrf)],
    response_model=None,
)
async def fix(
    request: Request, name: str, row_id: Id, db: DatabaseDep, pool: PoolDep, actor: PageActor
) -> Response:
    """Store a row's fixed values and check it again (htmx: the row; otherwise a redirect)."""
    form = await request.form()
    values = {
        str(key)[len(FIELD) :]: value
        for key, value in form.items()
        if str(key).startswith(FIELD) and isinstance(value, str)
    }
    error: CityhubError | None = None
    result: quality.FixResult | None = None
    try:
        result = await run_in_threadpool(quality.fix_row, db, actor, pool, name, row_id, values)
    except (InvalidInput, Conflict) as exc:
        error = exc
    if "hx-request" not in request.headers:
        if error is not None:
            raise error
        return RedirectResponse(f"/datasets/{name}/quarantine", status_code=303)
    row = result.row if result else quality.get_row(db, actor, name, row_id)
    context = _rows_context(db, actor, name) | {"row": row, "result": result, "error": error}
    return render(request, "_quarantine_row.html", context)


@router.post("/datasets/{name}/quarantine/action", dependencies=[Depends(verify_csrf)])
async def act(
    request: Request,
    name: str,
    db: DatabaseDep,
    pool: PoolDep,
    actor: PageActor,
    action: Annotated[str, Form()],
    ids: Annotated[list[int] | None, Form()] = None,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Re-admit or discard the ticked rows, then show the quarantine with what happened."""
    try:
        if action == "readmit":
            done = await run_in_threadpool(quality.readmit, db, actor, pool, name, ids or [])
            query = f"readmitted={len(done.readmitted)}&still={len(done.still_failing)}"
            query += f"&version={done.version}" if done.version else ""
        elif action == "discard":
            gone = await run_in_threadpool(quality.discard, db, actor, name, ids or [], reason)
            query = f"discarded={len(gone)}"
        else:
            raise InvalidInput("unknown action", details={"field": "action", "value": action})
    except (InvalidInput, Conflict) as exc:
        context = _quarantine_context(db, actor, name, "held")
        context |= {"done": {}, "action_error": exc, "reason": reason}
        return render(request, "quarantine.html", context, status=400)
    return RedirectResponse(f"/datasets/{name}/quarantine?{query}", status_code=303)


def _rules_context(db: Database, actor: Actor, name: str, number: int | None) -> dict[str, Any]:
    dataset = catalog.get_dataset(db, actor, name)
    versions = quality.list_rulesets(db, actor, name)
    shown = next((v for v in versions if v.number == number), versions[0] if versions else None)
    if number is not None and (shown is None or shown.number != number):
        raise NotFound(f"dataset {name!r} has no rule set {number}", details={"number": number})
    text = (
        json.dumps({"rules": shown.rules, "cleaning": shown.cleaning}, ensure_ascii=False, indent=2)
        if shown
        else json.dumps({"rules": [], "cleaning": []}, indent=2)
    )
    return {
        "dataset": dataset,
        "versions": versions,
        "shown": shown,
        "text": text,
        "errors": [],
        "can_manage": catalog.can_manage(actor, dataset),
        "columns": dataset.columns,
        "city_time": CITY_TIME,
    }


@router.get("/datasets/{name}/rules", response_class=HTMLResponse)
def rules_page(
    request: Request,
    name: str,
    db: DatabaseDep,
    actor: PageActor,
    number: int | None = None,
    saved: int | None = None,
) -> HTMLResponse:
    """The rule set as JSON (stewards edit it) and its earlier versions."""
    context = _rules_context(db, actor, name, number) | {"saved": saved}
    return render(request, "rules.html", context)


@router.post("/datasets/{name}/rules", dependencies=[Depends(verify_csrf)], response_model=None)
def save_rules(
    request: Request,
    name: str,
    db: DatabaseDep,
    actor: PageActor,
    ruleset: Annotated[str, Form()],
) -> Response:
    """Store the edited rule set; errors are shown beside the text, which is kept."""
    try:
        data = json.loads(ruleset)
    except json.JSONDecodeError as exc:
        location = f"line {exc.lineno}, column {exc.colno}"
        errors = [{"location": location, "message": f"not valid JSON: {exc.msg}"}]
    else:
        try:
            number = quality.set_rules(db, actor, name, data)
        except InvalidInput as exc:
            errors = exc.details.get("errors") or [{"location": "", "message": exc.message}]
        else:
            return RedirectResponse(f"/datasets/{name}/rules?saved={number}", status_code=303)
    context = _rules_context(db, actor, name, None) | {"text": ruleset, "errors": errors}
    return render(request, "rules.html", context | {"saved": None}, status=400)
