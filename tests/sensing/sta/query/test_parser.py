"""The ``$filter`` parser: trees, precedence, error positions, and property tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.errors import InvalidInput
from cityhub.sensing.sta.query import orderby_text, parse_filter, parse_options, to_text
from cityhub.sensing.sta.query.nodes import (
    Binary,
    BoolLit,
    Call,
    DateLit,
    DateTimeLit,
    DurationLit,
    Expr,
    GeoLit,
    LineString,
    Logical,
    NullLit,
    NumberLit,
    Path,
    Point,
    Polygon,
    StringLit,
    TimeLit,
    Unary,
)
from tests.sensing.sta.query.strategies import expressions, soups

A, B, C = Path(("a",)), Path(("b",)), Path(("c",))
ONE, TWO = NumberLit(1), NumberLit(2)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("a eq 1", Binary("eq", A, ONE)),
        ("a EQ 1", Binary("eq", A, ONE)),
        ("a eq 1 and b eq 2", Logical("and", (Binary("eq", A, ONE), Binary("eq", B, TWO)))),
        # and binds tighter than or
        ("a or b and c", Logical("or", (A, Logical("and", (B, C))))),
        ("(a or b) and c", Logical("and", (Logical("or", (A, B)), C))),
        # one flat node per chain, but parentheses keep their grouping
        ("a or b or c", Logical("or", (A, B, C))),
        ("(a or b) or c", Logical("or", (Logical("or", (A, B)), C))),
        ("a or (b or c)", Logical("or", (A, Logical("or", (B, C))))),
        # arithmetic: mul before add, left-associative
        ("a add b mul c", Binary("add", A, Binary("mul", B, C))),
        ("a sub b sub c", Binary("sub", Binary("sub", A, B), C)),
        ("a mod b div c", Binary("div", Binary("mod", A, B), C)),
        # comparisons bind less tightly than arithmetic, equality less than ordering
        ("a add 1 gt b", Binary("gt", Binary("add", A, ONE), B)),
        ("a gt 1 eq true", Binary("eq", Binary("gt", A, ONE), BoolLit(True))),
        # not is unary: it binds tighter than eq
        ("not a eq b", Binary("eq", Unary("not", A), B)),
        ("not (a eq b)", Unary("not", Binary("eq", A, B))),
        ("not not a", Unary("not", Unary("not", A))),
        ("-a add 1", Binary("add", Unary("-", A), ONE)),
        ("-5", NumberLit(-5)),
        ("a sub -5", Binary("sub", A, NumberLit(-5))),
        ("-(5)", Unary("-", NumberLit(5))),
        ("1.50", NumberLit(Decimal("1.50"))),
        ("1e3", NumberLit(Decimal("1e3"))),
        ("'it''s'", StringLit("it's")),
        ("''", StringLit("")),
        ("'中文 (,;)'", StringLit("中文 (,;)")),
        ("true", BoolLit(True)),
        ("FALSE", BoolLit(False)),
        ("null", NullLit()),
        ("2024-06-01T08:00:00Z", DateTimeLit(datetime(2024, 6, 1, 8, tzinfo=UTC))),
        (
            "2024-06-01T08:00:00.000+08:00",
            DateTimeLit(datetime(2024, 6, 1, 8, tzinfo=timezone(timedelta(hours=8)))),
        ),
        ("2024-06-01T08:00Z", DateTimeLit(datetime(2024, 6, 1, 8, tzinfo=UTC))),
        ("2024-06-01", DateLit(date(2024, 6, 1))),
        ("08:30:15.5", TimeLit(time(8, 30, 15, 500000))),
        ("duration'P1D'", DurationLit(timedelta(days=1))),
        ("duration'PT1H30M'", DurationLit(timedelta(hours=1, minutes=30))),
        ("duration'-P1DT0.25S'", DurationLit(-timedelta(days=1, seconds=0.25))),
        ("geography'POINT(30 10)'", GeoLit(True, Point(30, 10))),
        ("geometry'POINT (30 10 5)'", GeoLit(False, Point(30, 10))),
        ("geography'SRID=4326;POINT(-1.5 2e1)'", GeoLit(True, Point(-1.5, 20))),
        ("geography'LINESTRING(0 0, 1 1)'", GeoLit(True, LineString(((0, 0), (1, 1))))),
        (
            "geography'POLYGON((0 0, 1 0, 1 1, 0 0), (0.1 0.1, 0.2 0.1, 0.2 0.2, 0.1 0.1))'",
            GeoLit(
                True,
                Polygon(
                    (
                        ((0, 0), (1, 0), (1, 1), (0, 0)),
                        ((0.1, 0.1), (0.2, 0.1), (0.2, 0.2), (0.1, 0.1)),
                    )
                ),
            ),
        ),
        ("Datastreams/Observations/result", Path(("Datastreams", "Observations", "result"))),
        ("Datastream/@iot.id", Path(("Datastream", "id"))),
        ("properties/a.b", Path(("properties", "a.b"))),
        ("now()", Call("now", ())),
        ("geo.distance(a, b)", Call("geo.distance", (A, B))),
        ("SubstringOf('x', a)", Call("substringof", (StringLit("x"), A))),
        ("substring(a, 1, 2)", Call("substring", (A, ONE, TWO))),
        ("  a\teq\n1  ", Binary("eq", A, ONE)),
    ],
)
def test_parses_to_tree(text: str, tree: Expr) -> None:
    assert parse_filter(text) == tree


def test_nodes_remember_where_they_start() -> None:
    tree = parse_filter("name eq 'x' and startswith(a, 'b')")
    assert isinstance(tree, Logical)
    assert [operand.pos for operand in tree.operands] == [0, 16]
    call = tree.operands[1]
    assert isinstance(call, Call)
    assert [arg.pos for arg in call.args] == [27, 30]


@pytest.mark.parametrize(
    ("text", "position", "expected"),
    [
        ("", 0, "an expression"),
        ("name eq", 7, "an expression"),
        ("name eq 'x", 8, "closing quote"),
        ("name eq 'x' and", 15, "an expression"),
        ("(name eq 'x'", 12, "')'"),
        ("name eq 'x')", 11, "an operator or the end"),
        ("name eq 'x' xor 1", 12, "an operator or the end"),
        ("name eq 1 2", 10, "an operator or the end"),
        ("foo(1)", 0, "a known function"),
        ("startswith(name)", 15, "2 arguments"),
        ("substring(name)", 14, "2 to 3 arguments"),
        ("now(1)", 5, "0 arguments"),
        ("startswith(name, 'a'", 20, "',' or ')'"),
        ("name eq 2024-13-01", 8, "a valid date"),
        ("name eq 2024-06-01T25:00:00Z", 8, "a valid date and time"),
        ("name eq 0001-01-01T00:00:00+08:00", 8, "between the years 1 and 9999"),
        ("name eq 25:00", 8, "a valid time"),
        ("name eq geography'POINT(1)'", 25, "a number"),
        ("name eq geography'CIRCLE(1 2)'", 18, "POINT, LINESTRING or POLYGON"),
        ("name eq geography'POLYGON((0 0, 1 1, 0 0))'", 26, "closed ring"),
        ("name eq geography'POINT(1 2) x'", 29, "the end of the geometry"),
        ("name eq geography'POINT(1 inf)'", 26, "a number"),
        ("name eq duration'P1Y'", 17, "ISO 8601 duration"),
        ("name eq duration'PT'", 17, "ISO 8601 duration"),
        ("name eq #", 8, "an expression"),
        ("name eq 1.5.3", 8, "a number"),
        ("not", 3, "an expression"),
        ("Datastream/ eq 1", 12, "a property name"),
        ("Datastream/eq", 11, "a property name"),
        ("a eq (((1)", 10, "')'"),
        ("a eq eq", 5, "an expression"),
        ("and", 0, "an expression"),
        ("a eq 1 and or b", 11, "an expression"),
        ("a eq 1e999", 5, "reasonable size"),
        ("name eq geography'POINT(1e13 0)'", 24, "a number between"),
        (
            "geo.intersects(geography'POLYGON(("
            + ", ".join(f"{i} 0" for i in range(600))
            + ", 0 0))', geography'POLYGON(("
            + ", ".join(f"{i} 0" for i in range(600))
            + ", 0 0))')",
            None,
            "at most 1000 vertices",
        ),
    ],
)
def test_syntax_errors_name_the_position(text: str, position: int | None, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_filter(text)
    if position is None:  # too long to count by hand: the position is just checked to be in
        position = caught.value.details["position"]
        assert 0 < position < len(text)
    assert caught.value.details == {"option": "$filter", "position": position}
    assert f"position {position}" in caught.value.message
    assert expected in caught.value.message


def test_positions_are_offset_for_nested_options() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_filter("a eq", option="$expand", base=30)
    assert caught.value.details == {"option": "$expand", "position": 34}


@pytest.mark.parametrize(
    "text",
    [
        "(" * 150 + "a" + ")" * 150,
        "not " * 150 + "a",
        "- " * 150 + "a",
        " add ".join(["a"] * 150),
        "f(" * 150,
    ],
)
def test_deep_nesting_is_refused_not_a_crash(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_filter(text.replace("f(", "length("))


def test_a_long_flat_chain_of_or_is_fine() -> None:
    tree = parse_filter(" or ".join(f"id eq {i}" for i in range(1000)))
    assert isinstance(tree, Logical)
    assert len(tree.operands) == 1000


def test_orderby_prints_back() -> None:
    items = parse_options(
        {"$orderby": "phenomenonTime DESC, Datastream/id asc,length(name)"},
        max_top=10,
        default_top=10,
    ).orderby
    assert orderby_text(items) == "phenomenonTime desc,Datastream/id,length(name)"


def test_printing_uses_minimal_parentheses() -> None:
    text = "a eq 1 and (b eq 2 or c eq 3) and not (a gt -5) and -a add 2 mul 3 lt 4"
    assert to_text(parse_filter(text)) == text


@given(expressions)
@settings(max_examples=500, deadline=None)
def test_printing_then_parsing_gives_the_same_tree(tree: Expr) -> None:
    assert parse_filter(to_text(tree)) == tree


@given(st.one_of(st.text(max_size=60), soups))
@settings(max_examples=1000, deadline=None)
def test_any_text_parses_or_raises_invalid_input(text: str) -> None:
    try:
        tree = parse_filter(text)
    except InvalidInput as error:
        assert error.details["option"] == "$filter"
        assert 0 <= error.details["position"] <= len(text)
    else:
        assert parse_filter(to_text(tree)) == tree
