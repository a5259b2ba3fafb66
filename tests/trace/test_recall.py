"""Recall on the hand-built chain: forward from an input lot, back from a product."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import NotFound
from cityhub.trace.log import TraceLog
from cityhub.trace.recall import trace_back, trace_forward
from tests.trace.chain import ADDITIVE, CROP, FERTILISER, PALLET, PRODUCT, RAW, Chain, build_chain


@pytest.fixture
def chain(db: Database, tlog: TraceLog) -> Chain:
    return build_chain(db, tlog)


def test_forward_from_a_contaminated_fertiliser_reaches_products_and_both_retailers(
    db: Database, chain: Chain
) -> None:
    graph = trace_forward(db, Actor.public(), FERTILISER)
    assert graph.of_type("lot") == sorted([FERTILISER, CROP, RAW, PRODUCT])
    assert graph.of_type("container") == [PALLET]
    retailers = {graph.nodes[key]["ref"] for key in graph.of_type("actor")}
    assert retailers == {chain.people.retailer_a, chain.people.retailer_b}
    edges = {(e.source, e.target) for e in graph.edges}
    assert (PRODUCT, PALLET) in edges
    assert (PALLET, f"actor:{chain.people.retailer_a}") in edges
    assert (PRODUCT, f"actor:{chain.people.retailer_b}") in edges
    # The additive went into the product, but the fertiliser did not reach it through there.
    assert ADDITIVE not in graph.nodes


def test_forward_from_the_additive_skips_the_farm(db: Database, chain: Chain) -> None:
    graph = trace_forward(db, Actor.public(), ADDITIVE)
    assert graph.of_type("lot") == sorted([ADDITIVE, PRODUCT])
    assert CROP not in graph.nodes and RAW not in graph.nodes


def test_back_from_the_product_reaches_the_farm_and_every_input(db: Database, chain: Chain) -> None:
    graph = trace_back(db, Actor.public(), PRODUCT)
    assert set(graph.of_type("lot")) == {PRODUCT, RAW, ADDITIVE, CROP, FERTILISER}
    farms = {graph.nodes[key]["ref"]: graph.nodes[key]["kind"] for key in graph.of_type("actor")}
    assert farms == {chain.people.farm: "farm"}  # the supplier commissioned lots but farms nothing
    inputs = {key for key, node in graph.nodes.items() if node.get("role") == "input"}
    assert inputs == {RAW, ADDITIVE, CROP, FERTILISER}
    assert PALLET not in graph.nodes  # the pallet came after


def test_back_from_the_pallet_goes_through_its_children(db: Database, chain: Chain) -> None:
    graph = trace_back(db, Actor.public(), PALLET)
    assert PRODUCT in graph.nodes and FERTILISER in graph.nodes


def test_the_graph_is_json_and_the_read_is_audited(db: Database, chain: Chain) -> None:
    graph = trace_forward(db, Actor.public(), FERTILISER).as_json()
    again = json.loads(json.dumps(graph))
    assert again["direction"] == "forward"
    ids = {node["id"] for node in again["nodes"]}
    assert all(edge["from"] in ids and edge["to"] in ids for edge in again["edges"])
    assert all(edge["event"].startswith("ni:///sha-256;") for edge in again["edges"])
    with db.reading() as session:
        assert (
            session.scalar(
                select(AuditEvent.object_id).where(AuditEvent.action == "trace.recall.forward")
            )
            == FERTILISER
        )


def test_unknown_lots_are_not_found(db: Database, chain: Chain) -> None:
    with pytest.raises(NotFound):
        trace_forward(db, Actor.public(), PRODUCT.replace("P1", "P2"))
