"""Pages of 惠企政策: ``/incentives`` ("哪些政策适用于我", public, no login, no JavaScript) and
``/incentives/qualifying`` (免申即享 lists, logged-in users with INCENTIVES_SCREEN).

The check page is a GET form: it stores nothing, so it needs no CSRF token, and its answer can be
bookmarked. Declared facts typed in are used for this answer only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityhub.auth import Permission
from cityhub.errors import CityhubError, InvalidInput
from cityhub.programme import incentives
from cityhub.programme.incentives import DeclaredFacts, Level, ProjectKind
from cityhub.programme.incentives.facts import LEVEL_NAMES, PROJECT_KIND_NAMES
from cityhub.programme.incentives.service import today_in_city
from cityhub.web.deps import DatabaseDep, PageActor, PoolDep
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)

PAGE_ROWS = 50
TRI_STATE = {"yes": True, "no": False}


def _day(text: str | None) -> date:
    if not text or not text.strip():
        return today_in_city()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("on: not a date (YYYY-MM-DD)", details={"field": "on"}) from None


def _count(text: str | None, field: str) -> int:
    if not text or not text.strip():
        return 0
    if not text.strip().isdigit():
        raise InvalidInput(f"{field}: a whole number ≥ 0", details={"field": field})
    return int(text.strip())


def _choices(values: list[str], kind: type[ProjectKind] | type[Level], field: str) -> Any:
    try:
        return frozenset(kind(v) for v in values if v)
    except ValueError:
        raise InvalidInput(f"{field}: unknown value", details={"field": field}) from None


def _declared(request: Request) -> DeclaredFacts:
    query = request.query_params
    return DeclaredFacts(
        small_scale_vat=TRI_STATE.get(query.get("small_scale_vat", "")),
        digital_tech=TRI_STATE.get(query.get("digital_tech", "")),
        industry_code=(query.get("industry_code") or "").strip() or None,
        provincial_members=_count(query.get("provincial_members"), "provincial_members"),
        municipal_members=_count(query.get("municipal_members"), "municipal_members"),
        long_term_employer=True if query.get("long_term_employer") else None,
        project_kinds=_choices(query.getlist("project_kinds"), ProjectKind, "project_kinds"),
        key_project_lists=_choices(query.getlist("key_project_lists"), Level, "key_project_lists"),
    )


@router.get("/incentives", response_class=HTMLResponse)
def incentives_check(
    request: Request, db: DatabaseDep, pool: PoolDep, actor: PageActor
) -> HTMLResponse:
    """The "which policies apply to me" form and, once submitted, the answers with reasons."""
    query = request.query_params
    context: dict[str, Any] = {
        "form": query,
        "kinds": PROJECT_KIND_NAMES,
        "levels": LEVEL_NAMES,
        "rules": incentives.list_rules(actor),
        "result": None,
        "error": None,
        "today": today_in_city().isoformat(),
        "can_screen": actor.can(Permission.INCENTIVES_SCREEN),
    }
    if "check" not in query:
        return render(request, "programme/incentives.html", context)
    try:
        code = query.get("credit_code", "").strip() or None
        context["result"] = incentives.check(
            db, pool, actor, code, _declared(request), _day(query.get("on"))
        )
    except CityhubError as exc:
        context["error"] = exc
        return render(request, "programme/incentives.html", context, status=400)
    return render(request, "programme/incentives.html", context)


@router.get("/incentives/qualifying", response_class=HTMLResponse)
def incentives_qualifying(
    request: Request, db: DatabaseDep, pool: PoolDep, actor: PageActor
) -> HTMLResponse:
    """One rule's 免申即享 list for a day, a page at a time."""
    query = request.query_params
    rule = query.get("rule") or incentives.RULES[0].id
    context: dict[str, Any] = {
        "rules": incentives.RULES,
        "rule": rule,
        "on": query.get("on") or today_in_city().isoformat(),
        "page": None,
        "error": None,
    }
    try:
        offset = _count(query.get("offset"), "offset")
        context["page"] = incentives.qualifying_page(
            db, pool, actor, rule, _day(query.get("on")), limit=PAGE_ROWS, offset=offset
        )
    except InvalidInput as exc:
        context["error"] = exc
        return render(request, "programme/incentives_qualifying.html", context, status=400)
    return render(request, "programme/incentives_qualifying.html", context)
