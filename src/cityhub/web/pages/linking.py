"""Pages of record linking: the runs with a form to start one, and a run's review of pairs."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityhub import catalog, linking
from cityhub.auth import Actor, Permission, Role
from cityhub.db import Database
from cityhub.errors import CityhubError, Conflict, InvalidInput, NotFound, PermissionDenied
from cityhub.registry.normalise import to_halfwidth
from cityhub.web.csrf import verify_csrf
from cityhub.web.deps import DatabaseDep, Id, PageActor, PoolDep
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)

CITY_TIME = ZoneInfo("Asia/Shanghai")  # times on the page are China Standard Time
SOURCE_SLOTS = 3
ROLES = ("dataset", "key", "name", "address", "legal_rep", "phone", "code")
FIELDS = ("name", "address", "rep", "phone", "code")  # as a pair's detail holds them
REVIEW_LIMIT = 200


def summary(run: linking.LinkRun) -> dict[str, int] | None:
    """Entities, links and pairs to review of a finished run (None before it finished)."""
    figures = run.figures
    if "clusters" not in figures:
        return None
    return {
        "clusters": figures["clusters"],
        "links": figures.get("exact_links", 0) + figures.get("probabilistic_links", 0),
        "review": figures.get("review_band", 0),
    }


def _readable(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """Datasets the actor may read, with their columns, for the form's choices."""
    return [
        {"name": d.name, "title": d.title, "columns": [c["name"] for c in v.schema]}
        for d, v in catalog.readable_versions(db, actor)
    ]


def _list_page(
    request: Request,
    db: Database,
    actor: Actor,
    form: dict[str, str],
    error: CityhubError | None = None,
) -> HTMLResponse:
    context = {
        "runs": [(run, summary(run)) for run in linking.list_runs(db, actor)],
        "datasets": _readable(db, actor),
        "form": form,
        "error": error,
        "slots": range(1, SOURCE_SLOTS + 1),
        "roles": ROLES[1:],
        "pick_department": actor.role is Role.ADMIN,
        "city_time": CITY_TIME,
    }
    return render(request, "linking.html", context, status=400 if error else 200)


@router.get("/linking", response_class=HTMLResponse)
def linking_page(request: Request, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """Linking runs of the steward's department (all for admins), and the form to start one."""
    form = {"kind": linking.Kind.LEGAL_ENTITY.value, "threshold": "0.9"}
    return _list_page(request, db, actor, form | {"department": actor.department_code or ""})


def spec_of(form: dict[str, str], actor: Actor) -> linking.LinkSpec:
    """The spec the form describes (empty source slots are skipped)."""
    sources = []
    for slot in range(1, SOURCE_SLOTS + 1):
        given = {role: form.get(f"{role}_{slot}", "").strip() for role in ROLES}
        if not given["dataset"]:
            continue
        code = given.pop("code")
        source: dict[str, Any] = {k: v for k, v in given.items() if v}
        if code:
            kind = form.get("kind", linking.Kind.LEGAL_ENTITY.value)
            source["credit_code" if kind == linking.Kind.LEGAL_ENTITY.value else "id_number"] = code
        sources.append(source)
    raw: dict[str, Any] = {
        "kind": form.get("kind") or linking.Kind.LEGAL_ENTITY.value,
        "output": form.get("output", "").strip(),
        "title": form.get("title", "").strip() or None,
        "threshold": form.get("threshold") or 0.9,
        "sources": sources,
    }
    if actor.role is Role.ADMIN and form.get("department", "").strip():
        raw["department"] = form["department"].strip()
    return linking.LinkSpec.parse(raw)


@router.post("/linking", dependencies=[Depends(verify_csrf)], response_model=None)
async def start_run(request: Request, db: DatabaseDep, pool: PoolDep, actor: PageActor) -> Response:
    """Start a run and show its review; a refused spec comes back in the form with the reason."""
    actor.require(Permission.DATASETS_PUBLISH)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        spec = spec_of(form, actor)
        run = await run_in_threadpool(linking.run_linking, db, actor, pool, spec)
    except (InvalidInput, Conflict, NotFound, PermissionDenied) as exc:
        return _list_page(request, db, actor, form, exc)
    return RedirectResponse(f"/linking/{run.id}/review", status_code=303)


def _compact(value: object) -> str:
    return "".join(to_halfwidth(str(value)).split()) if value is not None else ""


def pair_view(pair: linking.ReviewPair) -> dict[str, Any]:
    """A pair for the page: both sides' fields, and which of them differ."""
    left, right = pair.detail.get("left", {}), pair.detail.get("right", {})
    rows = [
        {
            "field": field,
            "left": left.get(field),
            "right": right.get(field),
            "differs": _compact(left.get(field)) != _compact(right.get(field)),
        }
        for field in FIELDS
        if left.get(field) is not None or right.get(field) is not None
    ]
    return {"pair": pair, "rows": rows}


@router.get("/linking/{run_id}/review", response_class=HTMLResponse)
def review_page(request: Request, run_id: Id, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """A run's uncertain pairs side by side, the differing fields marked, with the two buttons."""
    run = linking.get_run(db, actor, run_id)
    pairs = linking.pairs_for_review(db, actor, run_id, limit=REVIEW_LIMIT)
    context = {
        "run": run,
        "summary": summary(run),
        "pairs": [pair_view(p) for p in pairs],
        "limit": REVIEW_LIMIT,
        "city_time": CITY_TIME,
    }
    return render(request, "linking_review.html", context)


@router.post(
    "/linking/pairs/{pair_id}/decision", dependencies=[Depends(verify_csrf)], response_model=None
)
async def decide(request: Request, pair_id: Id, db: DatabaseDep, actor: PageActor) -> Response:
    """Record a decision (htmx: the pair again; otherwise back to the review)."""
    form = await request.form()
    decision = form.get("decision")
    pair = await run_in_threadpool(
        linking.decide, db, actor, pair_id, decision if isinstance(decision, str) else ""
    )
    if "hx-request" not in request.headers:
        return RedirectResponse(f"/linking/{pair.run_id}/review", status_code=303)
    return render(request, "_linking_pair.html", pair_view(pair) | {"city_time": CITY_TIME})


@router.post("/linking/{run_id}/rerun", dependencies=[Depends(verify_csrf)])
async def rerun(run_id: Id, db: DatabaseDep, pool: PoolDep, actor: PageActor) -> Response:
    """Run the same spec again with the decisions made; show the new run's review."""
    run = await run_in_threadpool(linking.rerun, db, actor, pool, run_id)
    return RedirectResponse(f"/linking/{run.id}/review", status_code=303)
