"""Recall: trace a lot forward to every product, container and retailer it reached, or back to
every farm and input it came from.

The graph is walked over ``trace_event_lots`` breadth first, one SQL statement per level (per
chunk of the frontier): each level fetches, for the lots of the frontier, every event they take
part in together with all the other lots of those events (a self-join), and the rules below pick
the next lots. A visited set makes the walk terminate even if the data held a cycle.

Forward from lot L, through event E:
  - L an ``input`` of E (a TransformationEvent input, or the ``cityhub:agriInput`` lot of a
    farming event): E's ``output``, ``created`` and ``used`` lots;
  - L a ``child`` of E (aggregation): E's ``parent`` containers.
Back from lot L, through event E:
  - L an ``output``, ``created`` or ``used`` lot of E: E's ``input`` lots;
  - L a ``parent`` of E: E's ``child`` lots.
Actors: forward, every actor that recorded ``retail_selling`` of a reached lot, or
``receiving`` of it while being a retailer or market; back, every actor that recorded a
farming or origin step (planting … harvesting, commissioning) of a reached lot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.errors import NotFound
from cityhub.trace.actorview import display_name
from cityhub.trace.models import TraceActor, TraceBatch, TraceEvent, TraceEventLot

Direction = Literal["forward", "back"]
CHUNK = 500  # lots per IN list: far below every driver's parameter limit
CONTAINER_PREFIX = "https://id.gs1.org/00/"
FORWARD = {"input": {"output", "created", "used"}, "child": {"parent"}}
BACK = {"output": {"input"}, "created": {"input"}, "used": {"input"}, "parent": {"child"}}
RETAIL_KINDS = {"retailer", "market"}
FARM_KINDS = {"farm", "cooperative"}
ORIGIN_STEPS = {
    "planting",
    "fertilising",
    "pesticide_applying",
    "feeding",
    "harvesting",
    "commissioning",
}


@dataclass(frozen=True)
class Edge:
    """An edge of the graph: ``source`` reached ``target`` through one event."""

    source: str
    target: str
    event: str  # event hash ID
    biz_step: str | None


@dataclass
class RecallGraph:
    """The lots, containers and actors a recall reached, and how; ``as_json`` for the page."""

    start: str
    direction: Direction
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def of_type(self, node_type: str) -> list[str]:
        """Ids of the nodes of ``node_type`` (lot, container, actor), sorted."""
        return sorted(key for key, node in self.nodes.items() if node["type"] == node_type)

    def as_json(self) -> dict[str, Any]:
        """Nodes and edges as plain JSON (edges as from/to/event/biz_step)."""
        return {
            "start": self.start,
            "direction": self.direction,
            "nodes": [{"id": key, **node} for key, node in sorted(self.nodes.items())],
            "edges": [
                {"from": e.source, "to": e.target, "event": e.event, "biz_step": e.biz_step}
                for e in self.edges
            ],
        }


def step_name(biz_step: str | None) -> str | None:
    """``https://…/BizStep-receiving`` → ``receiving``; None stays None."""
    if biz_step is None:
        return None
    return biz_step.rsplit("BizStep-", 1)[-1]


def _node_type(lot: str) -> str:
    return "container" if lot.startswith(CONTAINER_PREFIX) else "lot"


@dataclass(frozen=True)
class _Row:
    lot: str
    role: str
    other: str
    other_role: str
    event: str
    biz_step: str | None
    actor_id: int
    actor_kind: str


def _level(session: Session, frontier: Iterable[str]) -> list[_Row]:
    mine, theirs = aliased(TraceEventLot), aliased(TraceEventLot)
    lots = sorted(frontier)
    rows: list[_Row] = []
    for start in range(0, len(lots), CHUNK):
        query = (
            select(
                mine.lot,
                mine.role,
                theirs.lot,
                theirs.role,
                TraceEvent.event_hash,
                TraceEvent.biz_step,
                TraceEvent.actor_id,
                TraceActor.kind,
            )
            .join(theirs, theirs.event_id == mine.event_id)
            .join(TraceEvent, TraceEvent.id == mine.event_id)
            .join(TraceActor, TraceActor.id == TraceEvent.actor_id)
            .where(mine.lot.in_(lots[start : start + CHUNK]))
            .order_by(TraceEvent.log_index)
        )
        rows.extend(_Row(*row) for row in session.execute(query))
    return rows


def _actor_reached(row: _Row, direction: Direction) -> bool:
    step = step_name(row.biz_step)
    if direction == "back":
        # A supplier commissioning a fertiliser lot is not a farm; a farm commissioning a lot is.
        return step in ORIGIN_STEPS and (step != "commissioning" or row.actor_kind in FARM_KINDS)
    return step == "retail_selling" or (step == "receiving" and row.actor_kind in RETAIL_KINDS)


def _walk(session: Session, start: str, direction: Direction) -> tuple[RecallGraph, set[int]]:
    rules = FORWARD if direction == "forward" else BACK
    graph = RecallGraph(start, direction)
    graph.nodes[start] = {"type": _node_type(start)}
    visited, frontier, actors = {start}, {start}, set()
    seen_edges: set[tuple[str, str, str]] = set()
    while frontier:
        following: set[str] = set()
        for row in _level(session, frontier):
            targets = rules.get(row.role, set())
            if row.other != row.lot and row.other_role in targets:
                if (row.lot, row.other, row.event) not in seen_edges:
                    seen_edges.add((row.lot, row.other, row.event))
                    graph.edges.append(Edge(row.lot, row.other, row.event, row.biz_step))
                if row.other not in visited:
                    visited.add(row.other)
                    following.add(row.other)
                    graph.nodes[row.other] = {"type": _node_type(row.other), "role": row.other_role}
            elif row.other == row.lot and _actor_reached(row, direction):
                key = f"actor:{row.actor_id}"
                if (row.lot, key, row.event) not in seen_edges:
                    seen_edges.add((row.lot, key, row.event))
                    graph.edges.append(Edge(row.lot, key, row.event, row.biz_step))
                actors.add(row.actor_id)
        frontier = following
    return graph, actors


def _describe(session: Session, graph: RecallGraph, actor_ids: set[int], caller: Actor) -> None:
    lots = [key for key, node in graph.nodes.items() if node["type"] == "lot"]
    for batch in session.scalars(select(TraceBatch).where(TraceBatch.lot.in_(lots))):
        graph.nodes[batch.lot].update(product_zh=batch.product_zh, product_en=batch.product_en)
    for row in session.scalars(select(TraceActor).where(TraceActor.id.in_(actor_ids))):
        name_zh, name_en = display_name(row, caller)
        graph.nodes[f"actor:{row.id}"] = {
            "type": "actor",
            "ref": row.ref,
            "kind": row.kind,
            "name_zh": name_zh,
            "name_en": name_en,
        }
    # Edges name actors by ref, which is stable and what other pages link to.
    refs = {
        f"actor:{i}": f"actor:{n['ref']}" for i in actor_ids for n in [graph.nodes[f"actor:{i}"]]
    }
    graph.nodes = {refs.get(key, key): node for key, node in graph.nodes.items()}
    graph.edges = [
        Edge(e.source, refs.get(e.target, e.target), e.event, e.biz_step) for e in graph.edges
    ]


def _trace(db: Database, caller: Actor, lot: str, direction: Direction) -> RecallGraph:
    action = f"trace.recall.{direction}"
    audit.require(
        db, caller, Permission.TRACE_READ, action, object_type="trace_batch", object_id=lot
    )
    with db.transaction() as session:
        if session.get(TraceBatch, lot) is None:
            raise NotFound(f"no batch {lot}", details={"batch": lot})
        graph, actor_ids = _walk(session, lot, direction)
        _describe(session, graph, actor_ids, caller)
        audit.record(
            session,
            caller,
            action,
            object_type="trace_batch",
            object_id=lot,
            details={"nodes": len(graph.nodes), "edges": len(graph.edges)},
        )
    return graph


def trace_forward(db: Database, caller: Actor, lot: str) -> RecallGraph:
    """Every product lot, container and retailer ``lot`` reached (from a contaminated input)."""
    return _trace(db, caller, lot, "forward")


def trace_back(db: Database, caller: Actor, lot: str) -> RecallGraph:
    """Every farm and input lot that ``lot`` (a retail item, say) came from."""
    return _trace(db, caller, lot, "back")
