"""``$orderby`` on a real database: SensorThings null ordering on both dialects."""

from __future__ import annotations

import pytest

from cityhub.errors import InvalidInput
from tests.sensing.sta.query.conftest import World


@pytest.mark.parametrize(
    ("set_name", "orderby", "expected"),
    [
        # Nulls first ascending, last descending; the id breaks ties.
        ("Observations", "resultTime", ["O2", "O3", "O4", "O5", "O6", "O1"]),
        ("Observations", "resultTime asc", ["O2", "O3", "O4", "O5", "O6", "O1"]),
        ("Observations", "resultTime DESC", ["O1", "O2", "O3", "O4", "O5", "O6"]),
        ("Observations", "phenomenonTime", ["O4", "O5", "O1", "O2", "O3", "O6"]),
        ("Observations", "phenomenonTime desc", ["O6", "O3", "O2", "O1", "O5", "O4"]),
        ("Datastreams", "phenomenonTime", ["D2", "D3", "D1"]),
        ("Datastreams", "phenomenonTime desc", ["D1", "D2", "D3"]),
        ("Things", "properties/level", ["T3", "T4", "T2", "T1"]),
        ("Things", "properties/level desc", ["T1", "T2", "T3", "T4"]),
        ("Things", "properties/basin desc, name", ["T2", "T1", "T3", "T4"]),
        ("Things", "properties/basin desc, name desc", ["T2", "T1", "T4", "T3"]),
        # result: numbers, then text, then booleans, each key with its own null rank.
        ("Observations", "result", ["O5", "O4", "O3", "O6", "O1", "O2"]),
        ("Observations", "result desc", ["O2", "O1", "O6", "O3", "O4", "O5"]),
        # Paths through to-one relations: the foreign key, or a scalar subquery.
        ("Observations", "Datastream/id desc", ["O4", "O5", "O6", "O3", "O1", "O2"]),
        ("Observations", "Datastream/Thing/id desc", ["O4", "O5", "O6", "O1", "O2", "O3"]),
        ("Observations", "FeatureOfInterest/name desc", ["O3", "O5", "O6", "O1", "O2", "O4"]),
        ("Observations", "Datastream/phenomenonTime", ["O3", "O4", "O5", "O6", "O1", "O2"]),
        # Expressions.
        ("Locations", "geo.distance(location, geography'POINT(117 37)')", ["L3", "L2", "L1"]),
        ("Observations", "result mul -1", ["O3", "O4", "O5", "O2", "O1", "O6"]),
        (
            "Observations",
            "year(phenomenonTime) desc, id desc",
            ["O6", "O5", "O3", "O2", "O1", "O4"],
        ),
        ("Things", "1, id desc", ["T4", "T3", "T2", "T1"]),  # a constant orders nothing
    ],
)
def test_orderby(world: World, set_name: str, orderby: str, expected: list[str]) -> None:
    assert world.ordered(set_name, orderby) == expected


@pytest.mark.parametrize(
    ("set_name", "orderby", "position"),
    [
        ("Things", "Datastreams/name", 0),  # to-many
        ("Things", "name, Locations/name desc", 6),
        ("Things", "properties", 0),  # a whole JSON object
        ("Locations", "location", 0),
        ("Things", "nothing", 0),
    ],
)
def test_orderby_errors(world: World, set_name: str, orderby: str, position: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        world.ordered(set_name, orderby)
    assert caught.value.details == {"option": "$orderby", "position": position}
