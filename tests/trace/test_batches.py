"""Batch histories: own events and the pallet's, in log order, decoded; names masked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import NotFound, PermissionDenied
from cityhub.trace.batches import batch_history, list_batches, name_product
from cityhub.trace.epcis import lgtin_uri
from cityhub.trace.events import record_events, seal_event
from cityhub.trace.log import TraceLog
from tests.trace.chain import PALLET, PRODUCT, START, Chain, build_chain, event, qty


@pytest.fixture
def chain(db: Database, tlog: TraceLog) -> Chain:
    return build_chain(db, tlog)


def test_history_has_own_and_pallet_events_in_log_order(db: Database, chain: Chain) -> None:
    history = batch_history(db, Actor.public(), PRODUCT)
    steps = [(e["step"], e["via"]) for e in history.events]
    # Log order: request order, except that events waiting on others of the request come later.
    assert steps == [
        ("processing", None),
        ("packing", None),
        ("shipping", PALLET),
        ("receiving", None),
        ("receiving", PALLET),
        ("retail_selling", None),
    ]
    indices = [e["index"] for e in history.events]
    assert indices == sorted(indices)
    first = history.events[0]
    assert first["roles"] == ["created", "output"]
    assert first["event"]["type"] == "TransformationEvent"
    assert first["actor"]["ref"] == chain.people.processor
    assert first["actor"]["lon"] == 115.9
    assert history.gtin == "06901234000061" and history.lot_code == "P1"


def test_history_accepts_an_epc_urn(db: Database, chain: Chain) -> None:
    urn = "urn:epc:class:lgtin:6901234.000006.P1"
    assert batch_history(db, Actor.public(), urn).lot == PRODUCT


def test_natural_persons_are_masked_in_histories(
    db: Database, tlog: TraceLog, chain: Chain
) -> None:
    lot = lgtin_uri("06901234000047", "W1")
    planted = event(
        "ObjectEvent", 3, "city:planting", action="ADD", quantityList=[qty(lot, 5, "H87")]
    )
    record_events(
        db,
        tlog,
        Actor.system(),
        [seal_event(planted, chain.keys["farmer"])],
        now=START + timedelta(days=60),
    )
    public = batch_history(db, Actor.public(), lot).events[0]["actor"]
    assert (public["name_zh"], public["lon"], public["lat"]) == ("王**", 115.67, 36.23)
    manager = batch_history(db, chain.people.steward, lot).events[0]["actor"]
    assert (manager["name_zh"], manager["lon"]) == ("王小明", 115.6712)


def test_products_are_named_and_listed(db: Database, chain: Chain) -> None:
    with pytest.raises(PermissionDenied):
        name_product(db, chain.people.recorder, "06901234000061", "东阿阿胶")
    assert name_product(db, chain.people.steward, "06901234000061", "东阿阿胶", "Dong'e ejiao") == 1
    [listed] = list_batches(db, Actor.public(), gtin="06901234000061")
    assert (listed["lot"], listed["product_zh"], listed["actor"]) == (
        PRODUCT,
        "东阿阿胶",
        chain.people.processor,
    )
    assert (
        len(list_batches(db, Actor.public(), actor_ref=chain.people.farm)) == 2
    )  # crop and raw lots


def test_unknown_batches_are_not_found(db: Database, chain: Chain) -> None:
    with pytest.raises(NotFound):
        batch_history(db, Actor.public(), "not a lot")
    with pytest.raises(NotFound):
        batch_history(db, Actor.public(), lgtin_uri("06901234000061", "NOPE"))
