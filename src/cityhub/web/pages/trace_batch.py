"""The consumer's pages: our GS1 Digital Link resolver and the QR code of a batch.

``/01/<GTIN>/10/<lot>`` is what a batch's QR code encodes: the page shows the history as a
timeline with a small map, the warnings of our rules, and the verdict of ``batch.js``, which
fetches the evidence document and verifies it in the browser; ``pages_batch.js`` hands it the
document's URL and draws the map. ``/01/<GTIN>`` lists the product's batches.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cityhub.errors import InvalidInput, NotFound
from cityhub.trace import batches
from cityhub.trace.batches import BatchHistory
from cityhub.trace.epcis import gtin_valid, normalise_id
from cityhub.web.deps import DatabaseDep, PageActor
from cityhub.web.i18n import Translator, language_of
from cityhub.web.pages.render import render
from cityhub.web.pages.trace_facts import event_facts, step_label
from cityhub.web.pages.trace_origins import origin_histories
from cityhub.web.routes.trace_deps import public_base

router = APIRouter(include_in_schema=False)

CITY_TIME = ZoneInfo("Asia/Shanghai")
GS1 = "https://id.gs1.org"


def consumer_path(lot: str) -> str | None:
    """Our resolver's path of a canonical lot URI (``/01/…/10/…``); None for containers."""
    return lot.removeprefix(GS1) if lot.startswith(f"{GS1}/01/") else None


def _lot_uri(gtin: str, lot: str) -> str:
    """The canonical URI of the lot the path names; NotFound when it names none."""
    try:
        return normalise_id(f"{GS1}/01/{gtin}/10/{quote(lot, safe='')}")
    except InvalidInput as error:
        raise NotFound(f"no batch /01/{gtin}/10/{lot}", details={"batch": lot}) from error


def _gtin14(gtin: str) -> str:
    if not gtin_valid(gtin):
        raise NotFound(f"no product {gtin}", details={"gtin": gtin})
    return gtin.zfill(14)


def _when(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(CITY_TIME).strftime("%Y-%m-%d %H:%M")


def _names(language: str, zh: str | None, en: str | None) -> str:
    return (en or zh or "") if language == "en" else (zh or en or "")


def _timeline(t: Translator, language: str, history: BatchHistory) -> list[dict[str, Any]]:
    items = []
    for event in history.events:
        actor = event["actor"]
        findings = [
            f.get("message_en" if language == "en" else "message_zh") or f.get("rule", "")
            for f in event["findings"]
        ]
        items.append(
            {
                "index": event["index"],
                # The evidence covers the lot's own events; a pallet's are shown, not verified.
                "verifiable": event["via"] is None,
                "via": event["via"],
                "step": step_label(t, event["step"]),
                "time": _when(event["event_time"]),
                "actor": _names(language, actor["name_zh"], actor["name_en"]),
                "county": actor["county"],
                "facts": event_facts(t, event["event"]),
                "findings": findings,
                "undecodable": event["event"] is None,
            }
        )
    return items


def _map_points(t: Translator, language: str, history: BatchHistory) -> list[dict[str, Any]]:
    """Where each step happened, in order; consecutive steps at one place share a point."""
    points: list[dict[str, Any]] = []
    for event in history.events:
        actor = event["actor"]
        if actor["lon"] is None or actor["lat"] is None:
            continue
        step = step_label(t, event["step"])
        if points and points[-1]["ref"] == actor["ref"]:
            points[-1]["steps"].append(step)
            continue
        name = _names(language, actor["name_zh"], actor["name_en"])
        points.append(
            {"ref": actor["ref"], "name": name, "lon": actor["lon"], "lat": actor["lat"]}
            | {"steps": [step]}
        )
    return points


def _producer(history: BatchHistory, language: str) -> str | None:
    for event in history.events:
        if event["index"] == history.created_index:
            actor = event["actor"]
            return _names(language, actor["name_zh"], actor["name_en"])
    return None


@router.get("/01/{gtin}/10/{lot:path}", response_class=HTMLResponse)
def batch_page(
    request: Request, gtin: str, lot: str, db: DatabaseDep, actor: PageActor
) -> HTMLResponse:
    """A batch's verified history, as the QR code on the package leads to it."""
    uri = _lot_uri(gtin, lot)
    history = batches.batch_history(db, actor, uri)
    language = language_of(request)
    t = Translator(language)
    path = consumer_path(uri) or ""
    timeline = _timeline(t, language, history)
    context = {
        "history": history,
        "product": _names(language, history.product_zh, history.product_en),
        "producer": _producer(history, language),
        "timeline": timeline,
        "warnings": [
            (item["step"], item["time"], message)
            for item in timeline
            for message in item["findings"]
        ],
        "origins": [
            {
                "lot": origin.lot_code or origin.lot,
                "product": _names(language, origin.product_zh, origin.product_en),
                "path": consumer_path(origin.lot),
                "items": _timeline(t, language, origin),
            }
            for origin in origin_histories(db, actor, history)
        ],
        "map_points": _map_points(t, language, history),
        "evidence_url": "/api/trace/batches/evidence?lot=" + quote(uri, safe=""),
        "qr_url": f"/trace/qr{path}.svg",
        "consumer_url": public_base(request) + path,
        "product_path": f"/01/{history.gtin}" if history.gtin else None,
    }
    return render(request, "trace/batch.html", context)


@router.get("/01/{gtin}", response_class=HTMLResponse)
def product_page(request: Request, gtin: str, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """A product's batches, newest first."""
    gtin14 = _gtin14(gtin)
    found = batches.list_batches(db, actor, gtin=gtin14, limit=500)
    if not found:
        raise NotFound(f"no batches of product {gtin14}", details={"gtin": gtin14})
    language = language_of(request)
    rows = [b | {"path": consumer_path(b["lot"])} for b in found]
    context = {
        "gtin": gtin14,
        "product": _names(language, found[0]["product_zh"], found[0]["product_en"]),
        "batches": rows,
    }
    return render(request, "trace/product.html", context)


@router.get("/trace/qr/01/{gtin}/10/{lot}.svg", response_class=Response)
def batch_qr(request: Request, gtin: str, lot: str) -> Response:
    """The QR code of a batch's consumer URL (GS1 Digital Link on our host), as SVG."""
    path = consumer_path(_lot_uri(gtin, lot)) or ""
    code = segno.make(public_base(request) + path, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return Response(
        buffer.getvalue(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )
