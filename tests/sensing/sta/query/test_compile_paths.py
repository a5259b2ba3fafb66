"""Paths through relations (to-one, to-many, link tables) and JSON paths on a real database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import aliased

from cityhub.sensing.sta.entities import entity_set
from cityhub.sensing.sta.query import compile_filter, parse_filter
from tests.sensing.sta.query.conftest import World


@pytest.mark.parametrize(
    ("set_name", "text", "expected"),
    [
        ("Observations", "Datastream/id eq 1", ["O1", "O2"]),
        ("Observations", "Datastream/@iot.id eq 1", ["O1", "O2"]),
        ("Observations", "Datastream/name eq 'rainfall'", ["O3"]),
        ("Observations", "Datastream/Thing/name eq 'T2'", ["O4", "O5", "O6"]),
        ("Observations", "Datastream/Thing/id eq 1", ["O1", "O2", "O3"]),
        ("Observations", "Datastream/Thing/properties/basin eq 'huanghe'", ["O1", "O2", "O3"]),
        ("Observations", "FeatureOfInterest/name eq 'F2'", ["O3", "O5", "O6"]),
        ("Observations", "FeatureOfInterest/id eq Datastream/id", ["O1", "O2", "O3"]),
        (
            "Observations",
            "Datastream/name eq 'rainfall' or Datastream/id eq 3",
            ["O3", "O4", "O5", "O6"],
        ),
        ("Observations", "not (Datastream/Thing/name eq 'T1')", ["O4", "O5", "O6"]),
        ("Observations", "parameters/label eq 'O3'", ["O3"]),
        ("Things", "Datastreams/name eq 'rainfall'", ["T1"]),
        ("Things", "Datastreams/id eq 3", ["T2"]),
        ("Things", "Datastreams/Observations/result gt 11", ["T1"]),
        ("Things", "Datastreams/Observations/result eq true", ["T2"]),
        ("Things", "Datastreams/Observations/phenomenonTime ge 2024-06-03T00:00:00Z", ["T2"]),
        ("Things", "not (Datastreams/name eq 'rainfall')", ["T2", "T3", "T4"]),
        # Each predicate has its own EXISTS: two different Datastreams may satisfy them.
        ("Things", "Datastreams/name eq 'rainfall' and Datastreams/name eq 'water level'", ["T1"]),
        ("Things", "Datastreams/name eq Datastreams/description", []),
        ("Things", "Locations/name eq 'L2'", ["T2"]),
        ("Things", "Locations/id eq 2", ["T2"]),
        ("Things", "Datastreams/Sensor/name eq 'S1'", ["T1", "T2"]),
        ("Things", "Datastreams/ObservedProperty/definition eq 'http://x/level'", ["T1", "T2"]),
        ("Things", "Datastreams/unitOfMeasurement/name eq 'metre'", ["T1", "T2"]),
        ("Things", "HistoricalLocations/time gt 2000-01-01", []),
        ("Locations", "Things/name eq 'T3'", ["L3"]),
        ("Locations", "Things/id eq 1", ["L1"]),
        ("Datastreams", "Observations/FeatureOfInterest/name eq 'F1'", ["D1", "D3"]),
        ("Datastreams", "Thing/id eq 1", ["D1", "D2"]),
        ("Datastreams", "Observations/result gt 10", ["D1"]),
        ("Sensors", "Datastreams/Thing/Locations/name eq 'L2'", ["S1"]),
        ("FeaturesOfInterest", "Observations/result eq 'heavy'", ["F2"]),
    ],
)
def test_paths_through_relations(
    world: World, set_name: str, text: str, expected: list[str]
) -> None:
    assert world.matching(set_name, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("properties/basin eq 'huanghe'", ["T1"]),
        ("properties/basin ne 'huanghe'", ["T2"]),  # missing values never compare
        ("properties/level gt 2", ["T1"]),
        ("properties/level eq 1.5", ["T2"]),
        ("properties/level add 1 eq 4", ["T1"]),
        ("properties/active eq true", ["T1"]),
        ("properties/active eq false", ["T2"]),
        ("properties/active", ["T1"]),
        ("properties/code eq '12'", ["T1"]),
        ("properties/code eq 12", []),  # a string is not a number
        ("properties/level eq '3'", []),
        ("properties/basin eq null", ["T3", "T4"]),
        ("properties/basin ne null", ["T1", "T2"]),
        ("properties/missing eq null", ["T1", "T2", "T3", "T4"]),
        ("properties/basin/deeper eq null", ["T1", "T2", "T3", "T4"]),
        ("properties eq null", ["T3"]),
        ("properties ne null", ["T1", "T2", "T4"]),
        ("startswith(properties/basin, 'hu')", ["T1"]),
        ("length(properties/basin) eq 5", ["T2"]),
        ("properties/basin eq properties/basin", ["T1", "T2"]),
    ],
)
def test_json_paths(world: World, text: str, expected: list[str]) -> None:
    assert world.matching("Things", text) == expected


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])  # type: ignore[no-untyped-call]
def test_json_keys_are_rendered_quoted_and_bound_values_are_not_inlined(dialect: Dialect) -> None:
    entity = entity_set("Things")
    source: Any = aliased(entity.model)
    expr = parse_filter("properties/a.b eq 'x''; drop table t; --'")
    sql = str(
        select(source.id).where(compile_filter(entity, source, expr)).compile(dialect=dialect)
    )
    assert "drop table" not in sql
    assert "a.b" in sql
