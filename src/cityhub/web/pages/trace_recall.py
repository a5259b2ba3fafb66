"""The recall page: a lot traced forward (where it went) or back (where it came from), as a graph.

The graph holds lots, containers and actors; natural persons among the actors are masked by the
recall service for everyone but TRACE_MANAGE holders, so the page is open like the batch page.
``pages_recall.js`` draws it with ECharts from the JSON the page embeds.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityhub.errors import InvalidInput, NotFound
from cityhub.trace import recall
from cityhub.trace.recall import RecallGraph
from cityhub.web.deps import DatabaseDep, PageActor
from cityhub.web.errors import status_of
from cityhub.web.i18n import Translator, language_of
from cityhub.web.pages.render import render
from cityhub.web.pages.trace_batch import consumer_path
from cityhub.web.pages.trace_facts import step_label
from cityhub.web.routes.trace_deps import canonical_lot

router = APIRouter(include_in_schema=False)

FARM_KINDS = {"farm", "cooperative"}
RETAIL_KINDS = {"retailer", "market", "wholesaler"}
PROCESSOR_KINDS = {"processor"}
CATEGORIES: tuple[str, ...] = ("start", "input_lot", "product_lot", "container", "farm")
CATEGORIES += ("processor", "retailer", "other_actor")


def category(node: dict[str, Any], start: str) -> str:
    """The colour class of a node: the start, input lot, product lot, container, farm …"""
    if node["id"] == start:
        return "start"
    if node["type"] == "container":
        return "container"
    if node["type"] == "lot":
        return "input_lot" if node.get("role") == "input" else "product_lot"
    kind = node.get("kind")
    if kind in FARM_KINDS:
        return "farm"
    if kind in PROCESSOR_KINDS:
        return "processor"
    if kind in RETAIL_KINDS:
        return "retailer"
    return "other_actor"


def _label(node: dict[str, Any], language: str) -> str:
    if node["type"] == "actor":
        zh, en = node.get("name_zh"), node.get("name_en")
    else:
        zh, en = node.get("product_zh"), node.get("product_en")
    name = (en or zh) if language == "en" else (zh or en)
    tail = node["id"].rsplit("/", 1)[-1]
    return f"{name} {tail}" if name and node["type"] != "actor" else name or tail


def graph_data(graph: RecallGraph, t: Translator, language: str) -> dict[str, Any]:
    """What ``pages_recall.js`` draws: nodes with category and label, edges with step names."""
    data = graph.as_json()
    nodes = [
        {
            "id": node["id"],
            "label": _label(node, language),
            "category": category(node, graph.start),
            "href": consumer_path(node["id"]) if node["type"] == "lot" else None,
        }
        for node in data["nodes"]
    ]
    edges = [
        {
            "source": edge["from"],
            "target": edge["to"],
            "step": step_label(t, recall.step_name(edge["biz_step"])),
        }
        for edge in data["edges"]
    ]
    legend = {name: t(f"trace.recall.category.{name}") for name in CATEGORIES}
    return {"nodes": nodes, "edges": edges, "legend": legend}


@router.get("/trace/recall", response_class=HTMLResponse)
def recall_page(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    lot: str = "",
    direction: Literal["forward", "back"] = "forward",
) -> HTMLResponse:
    """The form, and for a lot the recall graph with the retailers and products it reached."""
    language = language_of(request)
    t = Translator(language)
    context: dict[str, Any] = {"lot": lot, "direction": direction, "graph": None}
    if not lot.strip():
        return render(request, "trace/recall.html", context)
    try:
        start = canonical_lot(lot)
        trace = recall.trace_forward if direction == "forward" else recall.trace_back
        graph = trace(db, actor, start)
    except (InvalidInput, NotFound) as error:
        context["error"] = error.message
        return render(request, "trace/recall.html", context, status=status_of(error))
    data = graph_data(graph, t, language)
    actors = [n for n in graph.as_json()["nodes"] if n["type"] == "actor"]
    context |= {
        "graph": data,
        "retailers": [n for n in actors if n.get("kind") in RETAIL_KINDS],
        "origins": [n for n in actors if n.get("kind") not in RETAIL_KINDS],
        "lots": [
            n | {"path": consumer_path(n["id"])}
            for n in graph.as_json()["nodes"]
            if n["type"] == "lot" and n["id"] != graph.start
        ],
        "containers": graph.of_type("container"),
        "start_path": consumer_path(graph.start),
    }
    return render(request, "trace/recall.html", context)
