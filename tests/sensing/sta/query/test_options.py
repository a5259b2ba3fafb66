"""``parse_options``: every system query option, ``$expand`` nesting, and refusals."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.errors import InvalidInput
from cityhub.sensing.sta.entities import entity_set
from cityhub.sensing.sta.query import (
    Expand,
    OrderItem,
    QueryOptions,
    check_options,
    parse_options,
    unknown_options,
)
from cityhub.sensing.sta.query.nodes import Binary, NumberLit, Path, StringLit

MAX_TOP, DEFAULT_TOP = 1000, 100


def parse(**params: str) -> QueryOptions:
    return parse_options(
        {f"${k}": v for k, v in params.items()}, max_top=MAX_TOP, default_top=DEFAULT_TOP
    )


def defaults(**changes: Any) -> QueryOptions:
    return QueryOptions(**{"top": DEFAULT_TOP, **changes})


def test_no_options_gives_the_defaults() -> None:
    assert parse() == defaults()
    assert parse_options({"name": "x", "other": "$y"}, max_top=5, default_top=3) == QueryOptions(
        top=3
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"top": "5"}, defaults(top=5, top_given=True)),
        ({"top": "0"}, defaults(top=0, top_given=True)),
        ({"top": "5000000"}, defaults(top=MAX_TOP, top_given=True)),  # capped, not refused
        ({"skip": "20"}, defaults(skip=20)),
        ({"count": "true"}, defaults(count=True)),
        ({"count": "false"}, defaults(count=False)),
        ({"select": "name, description,@iot.id,Datastreams"},
         defaults(select=("name", "description", "id", "Datastreams"))),
        ({"select": "id,id"}, defaults(select=("id",))),
        ({"resultFormat": "dataArray"}, defaults(result_format="dataArray")),
        ({"resultformat": "DATAARRAY"}, defaults(result_format="dataArray")),
        ({"filter": "id eq 1"}, defaults(filter=Binary("eq", Path(("id",)), NumberLit(1)))),
        ({"orderby": "phenomenonTime DESC, Datastream/id"},
         defaults(orderby=(OrderItem(Path(("phenomenonTime",)), True),
                           OrderItem(Path(("Datastream", "id")), False)))),
        ({"orderby": "name Asc"}, defaults(orderby=(OrderItem(Path(("name",))),))),
        ({"orderby": "length(name) desc"},
         defaults(orderby=(OrderItem(parse(filter="length(name)").filter, True),))),  # type: ignore[arg-type]
    ],
)  # fmt: skip
def test_single_options(params: dict[str, str], expected: QueryOptions) -> None:
    assert parse(**params) == expected


def test_option_names_are_case_insensitive() -> None:
    options = parse_options({"$TOP": "3", "$Filter": "id eq 1"}, max_top=10, default_top=5)
    assert (options.top, options.filter) == (3, Binary("eq", Path(("id",)), NumberLit(1)))


def test_expand_paths_become_one_hop_trees_merged_by_relation() -> None:
    options = parse(expand="Datastreams/Observations, Locations, Datastreams/Sensor,Datastreams")
    assert options.expand == (
        Expand(
            "Datastreams",
            defaults(expand=(Expand("Observations", defaults()), Expand("Sensor", defaults()))),
        ),
        Expand("Locations", defaults()),
    )


def test_expand_with_nested_options_recursively() -> None:
    text = (
        "Datastreams($filter=name eq 'x(;,)';$top=2;$count=true;$select=name;"
        "$expand=Observations($top=1;$orderby=phenomenonTime desc)),Locations($skip=1)"
    )
    options = parse(expand=text)
    observations = Expand(
        "Observations",
        defaults(top=1, top_given=True, orderby=(OrderItem(Path(("phenomenonTime",)), True),)),
    )
    assert options.expand == (
        Expand(
            "Datastreams",
            defaults(
                filter=Binary("eq", Path(("name",)), StringLit("x(;,)")),
                top=2,
                top_given=True,
                count=True,
                select=("name",),
                expand=(observations,),
            ),
        ),
        Expand("Locations", defaults(skip=1)),
    )


def test_options_on_a_multi_segment_expand_apply_to_the_last_hop() -> None:
    options = parse(expand="Datastreams/Observations($top=3),Datastreams($select=name)")
    (datastreams,) = options.expand
    assert datastreams.options.select == ("name",)
    assert datastreams.options.expand == (Expand("Observations", defaults(top=3, top_given=True)),)


def test_nested_top_is_capped_too() -> None:
    (item,) = parse(expand="Observations($top=99999)").expand
    assert item.options.top == MAX_TOP


@pytest.mark.parametrize(
    ("params", "option", "position"),
    [
        ({"top": "-1"}, "$top", 0),
        ({"top": "ten"}, "$top", 0),
        ({"top": "1.5"}, "$top", 0),
        ({"skip": "-3"}, "$skip", 0),
        ({"skip": "99999999999999999999"}, "$skip", 0),
        ({"count": "yes"}, "$count", 0),
        ({"count": "TRUE"}, "$count", 0),
        ({"select": "name,,id"}, "$select", 5),
        ({"select": "name, a/b"}, "$select", 6),
        ({"select": ""}, "$select", 0),
        ({"resultFormat": "GeoJSON"}, "$resultFormat", 0),
        ({"filter": "name eq"}, "$filter", 7),
        ({"orderby": "name sideways"}, "$orderby", 5),
        ({"orderby": "name,"}, "$orderby", 5),
        ({"orderby": ""}, "$orderby", 0),
        # Positions inside $expand are offsets in the $expand text.
        ({"expand": "Datastreams($filter=name eq)"}, "$expand", 27),
        ({"expand": "Datastreams($top=x)"}, "$expand", 17),
        ({"expand": "Datastreams($unknown=1)"}, "$expand", 12),
        ({"expand": "Datastreams($resultFormat=dataArray)"}, "$expand", 12),
        ({"expand": "Datastreams($top=1;$top=2)"}, "$expand", 19),
        ({"expand": "Datastreams(top=1)"}, "$expand", 12),
        ({"expand": "Datastreams($top=1"}, "$expand", 11),
        ({"expand": "Datastreams)"}, "$expand", 11),
        ({"expand": "Datastreams($filter=name eq 'x)"}, "$expand", 28),
        ({"expand": "Datastreams($top=1)x"}, "$expand", 19),
        ({"expand": "Datastreams,,Locations"}, "$expand", 12),
        ({"expand": "Datastreams//Observations"}, "$expand", 12),
        ({"expand": "A($expand=" * 12 + "A" + ")" * 12}, "$expand", 100),
        ({"expand": "/".join(["A"] * 12)}, "$expand", 0),
        ({"expand": "Datastreams($top=1),Datastreams($top=2)"}, "$expand", 0),
    ],
)
def test_refusals_name_option_and_position(
    params: dict[str, str], option: str, position: int
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(**params)
    assert caught.value.details["option"] == option
    assert caught.value.details["position"] == position


def test_unknown_system_options_are_listed_and_refused() -> None:
    params = {"$filter": "id eq 1", "$format": "json", "$apply": "x", "name": "y"}
    assert unknown_options(params) == ["$format", "$apply"]
    with pytest.raises(InvalidInput) as caught:
        parse_options(params, max_top=10, default_top=5)
    assert caught.value.details == {"option": "$format", "not_implemented": True}


@pytest.mark.parametrize(
    ("set_name", "params", "option"),
    [
        ("Things", {"select": "name,nothing"}, "$select"),
        ("Things", {"expand": "Observations"}, "$expand"),
        ("Things", {"expand": "Datastreams/Nothing"}, "$expand"),
        ("Things", {"expand": "Datastreams($filter=nothing eq 1)"}, "$expand"),
        ("Things", {"expand": "Datastreams($select=resultTime,nothing)"}, "$expand"),
        ("Things", {"filter": "nothing eq 1"}, "$filter"),
        ("Things", {"orderby": "nothing"}, "$orderby"),
    ],
)
def test_check_options_finds_unknown_names(
    set_name: str, params: dict[str, str], option: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_options(entity_set(set_name), parse(**params))
    assert caught.value.details["option"] == option


def test_check_options_accepts_good_names() -> None:
    options = parse(
        select="id,name,Datastreams",
        filter="Datastreams/Observations/result gt 1",
        orderby="name desc",
        expand="Locations,Datastreams($select=name,unitOfMeasurement;"
        "$expand=Observations($orderby=phenomenonTime desc;$top=1),Sensor)",
    )
    check_options(entity_set("Things"), options)


@given(st.text(max_size=80), st.sampled_from(["filter", "orderby", "select", "expand", "top"]))
@settings(max_examples=500, deadline=None)
def test_any_option_text_parses_or_raises_invalid_input(text: str, name: str) -> None:
    try:
        parse(**{name: text})
    except InvalidInput as error:
        assert "option" in error.details


@given(
    st.lists(
        st.sampled_from(
            [
                "Datastreams",
                "Observations",
                "(",
                ")",
                ";",
                ",",
                "/",
                "$top=1",
                "$filter=",
                "'",
                "$expand=",
                "name eq 'a'",
                "$select=name",
                "=",
                " ",
                "$orderby=id desc",
            ]
        ),
        max_size=20,
    ).map("".join)
)
@settings(max_examples=500, deadline=None)
def test_any_expand_text_parses_or_raises_invalid_input(text: str) -> None:
    try:
        parse(expand=text)
    except InvalidInput as error:
        assert error.details["option"] == "$expand"
        assert 0 <= error.details["position"] <= len(text)
