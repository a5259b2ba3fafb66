"""Traceability pages: the overview (``/trace``) and the key page (``/trace/keys/new``).

``router`` also carries the consumer pages (``trace_batch``) and the recall page
(``trace_recall``), so that the app registers one router for the area.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityhub.auth import Permission
from cityhub.trace import actors, batches, keys
from cityhub.web.deps import DatabaseDep, PageActor
from cityhub.web.i18n import Translator, language_of
from cityhub.web.pages import trace_batch, trace_recall
from cityhub.web.pages.render import render
from cityhub.web.pages.trace_batch import consumer_path
from cityhub.web.pages.trace_status import log_status
from cityhub.web.routes.trace_anchors import list_anchors
from cityhub.web.routes.trace_deps import LogDep

pages = APIRouter(include_in_schema=False)

CITY_TIME = ZoneInfo("Asia/Shanghai")
RECENT = 20  # batches listed on the overview
COUNTED = 1000  # batches the per-product counts look at


def _products(found: list[dict[str, Any]], language: str) -> list[tuple[str, str, int]]:
    """(GTIN, product name, batches) among ``found``, most batches first."""
    names: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for batch in found:
        if batch["gtin"] is None:
            continue
        counts[batch["gtin"]] += 1
        zh, en = batch["product_zh"], batch["product_en"]
        names.setdefault(batch["gtin"], ((en or zh) if language == "en" else (zh or en)) or "")
    return [(gtin, names[gtin], n) for gtin, n in counts.most_common()]


@pages.get("/trace", response_class=HTMLResponse)
def overview_page(request: Request, db: DatabaseDep, log: LogDep, actor: PageActor) -> HTMLResponse:
    """The log's state, recent batches, batches per product; actors and anchors for managers."""
    language = language_of(request)
    found = batches.list_batches(db, actor, limit=COUNTED)
    context: dict[str, Any] = {
        "status": log_status(db, log, actor),
        "recent": [b | {"path": consumer_path(b["lot"])} for b in found[:RECENT]],
        "products": _products(found, language),
        "counted": len(found),
        "counted_all": len(found) < COUNTED,
        "city_time": CITY_TIME,
        "manager": actor.can(Permission.TRACE_MANAGE),
        "recorder": actor.can(Permission.TRACE_RECORD),
    }
    if context["manager"]:
        context["actors"] = actors.list_actors(db, actor)
        context["anchors"] = list_anchors(db, actor, limit=20)
    return render(request, "trace/overview.html", context)


@pages.get("/trace/keys/new", response_class=HTMLResponse)
def key_page(request: Request, db: DatabaseDep, actor: PageActor, ref: str = "") -> HTMLResponse:
    """Make a key pair in the browser and register its public half (recorder accounts)."""
    actor.require(Permission.TRACE_RECORD)
    t = Translator(language_of(request))
    known = actors.list_actors(db, actor)
    existing = keys.list_keys(db, actor, ref) if ref else []
    context = {
        "actors": known,
        "ref": ref,
        "keys": existing,
        "labels": {
            name: t(f"trace.keys.{name}")
            for name in ("working", "registered", "failed", "unsupported")
        },
    }
    return render(request, "trace/keys_new.html", context)


router = APIRouter(include_in_schema=False)
router.include_router(pages)
router.include_router(trace_batch.router)
router.include_router(trace_recall.router)
