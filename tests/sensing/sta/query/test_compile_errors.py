"""Well-formed filters that are still wrong: errors name the position; nothing else escapes.

The fuzz test runs random trees against the real database: every one either runs or is
refused with ``InvalidInput`` — no database error, which the HTTP layer would turn into a 500.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import aliased

from cityhub.errors import InvalidInput
from cityhub.sensing.sta.entities import entity_set
from cityhub.sensing.sta.query import compile_filter, compile_orderby, parse_filter
from cityhub.sensing.sta.query.model import OrderItem
from cityhub.sensing.sta.query.nodes import Expr
from tests.sensing.sta.query.conftest import World
from tests.sensing.sta.query.strategies import expressions, observation_filters


@pytest.mark.parametrize(
    ("set_name", "text", "position", "message"),
    [
        ("Things", "nme eq 'x'", 0, "no property or navigation property 'nme'"),
        ("Things", "name eq 'a' and foo/bar eq 1", 16, "'foo'"),
        ("Things", "name eq 1", 0, "cannot compare a string with a number"),
        ("Things", "id eq 'x'", 0, "cannot compare a number with a string"),
        ("Things", "name", 0, "expected a condition"),
        ("Things", "1 add 1", 0, "expected a condition"),
        ("Things", "not name eq 'x'", 4, "expected a condition"),  # not binds tighter
        ("Things", "name/first eq 'x'", 0, "has no properties"),
        ("Things", "id/x eq 1", 0, "id has no properties"),
        ("Things", "Datastreams eq 1", 0, "is a navigation property"),
        ("Things", "properties eq 'x'", 0, "JSON object"),
        ("Things", "properties add 1 eq 2", 0, "JSON object"),
        ("Things", "properties/a eq 2024-01-01", 0, "cannot be used as a date"),
        ("Things", "year(name) eq 1", 5, "needs a date-time"),
        ("Things", "length(id) eq 1", 7, "needs a string"),
        ("Things", "round(name) eq 1", 6, "needs a number"),
        ("Things", "substring(name, 1.5) eq 'x'", 16, "whole numbers"),
        ("Things", "'a' add 1 eq 2", 0, "cannot add a string and a number"),
        ("Things", "-name eq 'x'", 1, "cannot negate a string"),
        ("Things", "name eq 'nul\x00'", 8, "NUL"),
        ("Observations", "result eq 2024-01-01T00:00:00Z", 0, "cannot be used as a date-time"),
        ("Observations", "phenomenonTime sub resultTime eq duration'PT1S'", 0, "constants only"),
        ("Observations", "phenomenonTime mul 2 eq 1", 0, "cannot mul"),
        ("Observations", "phenomenonTime eq 08:00:00", 0, "cannot compare a date-time"),
        ("Observations", "date(phenomenonTime) eq 2024-06-01T00:00:00Z", 0, "cannot compare"),
        ("Observations", "duration'PT1H' eq resultTime", 0, "cannot compare a duration"),
        ("Observations", "maxdatetime() add duration'P1D' gt resultTime", 0, "years 1 to 9999"),
        ("Locations", "location eq 1", 0, "geometry"),
        ("Locations", "st_touches(location, geography'POINT(1 2)')", 0, "not supported"),
        ("Locations", "st_relate(location, location, 'T********')", 0, "not supported"),
        ("Locations", "st_within(name, geography'POINT(1 2)')", 10, "needs a geometry"),
        ("Locations", "geo.distance(location, geography'LINESTRING(0 0, 1 1)') lt 1", 23,
         "between points"),
        ("Locations", "st_within(location, geography'LINESTRING(0 0, 1 1)')", 0,
         "points within polygons"),
        ("Datastreams", "geo.distance(observedArea, geography'POINT(1 1)') lt 1", 13,
         "Point location"),
    ],
)  # fmt: skip
def test_errors_name_the_position(
    world: World, set_name: str, text: str, position: int, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        world.matching(set_name, text)
    assert caught.value.details == {"option": "$filter", "position": position}
    assert message in caught.value.message


def test_nested_filters_report_under_expand() -> None:
    entity = entity_set("Things")
    expr = parse_filter("nothing eq 1", option="$expand", base=20)
    with pytest.raises(InvalidInput) as caught:
        compile_filter(entity, aliased(entity.model), expr, option="$expand")
    assert caught.value.details == {"option": "$expand", "position": 20}


SETS = ["Things", "Observations", "Locations", "Datastreams", "FeaturesOfInterest"]


@given(st.sampled_from(SETS), expressions)
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_filters_run_or_are_refused(world: World, set_name: str, tree: Expr) -> None:
    entity = entity_set(set_name)
    source: Any = aliased(entity.model)
    query = select(source.id).limit(5)
    with contextlib.suppress(InvalidInput):
        query = query.where(compile_filter(entity, source, tree))
    with contextlib.suppress(InvalidInput):
        query = query.order_by(*compile_orderby(entity, source, [OrderItem(tree, True)]))
    with world.db.reading() as session:
        session.execute(query).all()


@given(observation_filters)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_well_typed_filters_run(world: World, tree: Expr) -> None:
    entity = entity_set("Observations")
    source: Any = aliased(entity.model)
    try:
        condition = compile_filter(entity, source, tree)
    except InvalidInput as error:  # only values out of range may be refused here
        allowed = ("years 1 to 9999", "NUL", "whole numbers")
        assert any(reason in error.message for reason in allowed), error.message
        return
    order = compile_orderby(entity, source, [OrderItem(tree, True)])
    with world.db.reading() as session:
        session.execute(select(source.id).where(condition).order_by(*order)).all()
