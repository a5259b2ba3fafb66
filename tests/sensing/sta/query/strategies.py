"""Hypothesis strategies: syntax trees of ``$filter`` and token soups for the fuzz tests."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from cityhub.sensing.sta.query.nodes import (
    ARITHMETIC,
    COMPARISONS,
    FUNCTIONS,
    PRECEDENCE,
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

KEYWORDS = {*PRECEDENCE, "not", "true", "false", "null", "geography", "geometry", "duration"}

names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,7}", fullmatch=True).filter(
    lambda name: name.lower() not in KEYWORDS
)
# Names the compiler knows, so that compiled trees get past name resolution often.
known_paths = st.sampled_from(
    [
        ("id",),
        ("name",),
        ("description",),
        ("result",),
        ("phenomenonTime",),
        ("resultTime",),
        ("properties", "basin"),
        ("properties", "level"),
        ("parameters", "label"),
        ("Datastream", "id"),
        ("Datastream", "name"),
        ("Datastream", "Thing", "properties", "level"),
        ("Datastreams", "Observations", "result"),
        ("Locations", "location"),
        ("location",),
        ("feature",),
        ("FeatureOfInterest", "feature"),
    ]
)
paths = st.one_of(st.lists(names, min_size=1, max_size=3).map(tuple), known_paths).map(Path)

offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, width=64)
coords = st.tuples(finite, finite)


def _utc_ok(value: Any) -> bool:
    try:
        value.astimezone(UTC)
    except OverflowError:
        return False
    return True


def _ring(points: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    return (*points, points[0])


shapes = st.one_of(
    coords.map(lambda c: Point(*c)),
    st.lists(coords, min_size=2, max_size=5).map(lambda p: LineString(tuple(p))),
    st.lists(st.lists(coords, min_size=3, max_size=5).map(_ring), min_size=1, max_size=2).map(
        lambda rings: Polygon(tuple(rings))
    ),
)
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(d.adjusted()) <= 300
)

literals: st.SearchStrategy[Expr] = st.one_of(
    st.text(max_size=8).map(StringLit),
    st.integers().map(NumberLit),
    decimals.map(lambda d: NumberLit(Decimal(d))),
    st.booleans().map(BoolLit),
    st.just(NullLit()),
    st.datetimes(timezones=offsets).filter(_utc_ok).map(DateTimeLit),
    st.dates().map(DateLit),
    st.times().map(TimeLit),
    st.timedeltas(min_value=timedelta(days=-99999), max_value=timedelta(days=99999)).map(
        DurationLit
    ),
    st.builds(GeoLit, st.booleans(), shapes),
)


def _calls(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    def build(name: str) -> st.SearchStrategy[Expr]:
        least, most = FUNCTIONS[name]
        args = st.lists(children, min_size=least, max_size=most).map(tuple)
        return args.map(lambda items: Call(name, items))

    return st.sampled_from(sorted(FUNCTIONS)).flatmap(build)


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.builds(Unary, st.sampled_from(["not", "-"]), children),
        st.builds(Binary, st.sampled_from([*COMPARISONS, *ARITHMETIC]), children, children),
        st.builds(
            Logical,
            st.sampled_from(["and", "or"]),
            st.lists(children, min_size=2, max_size=4).map(tuple),
        ),
        _calls(children),
    )


expressions: st.SearchStrategy[Expr] = st.recursive(
    st.one_of(literals, paths), _extend, max_leaves=12
)

# Fragments that lexers and parsers trip over, glued together at random.
FRAGMENTS = [
    "name", "eq", "ne", "gt", "and", "or", "not", "add", "mod", "(", ")", ",", "/", "-", " ",
    "'", "''", "'x'", "1", "-2", "1.5", "1e5", "2024-06-01", "2024-06-01T08:00:00Z", "08:00",
    "geography'POINT(1 2)'", "geography'", "POLYGON((", "duration'P1D'", "duration'", "true",
    "null", "substringof(", "geo.distance(", "st_within(", "now()", "result", "properties/x",
    "Datastreams/Observations/", "@iot.id", "$", "\x00", "é", "\\", ";", "=", "year(",
]  # fmt: skip
soups = st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join)


# --- well-typed filters over Observations, so that most of them reach the database ---------


def _call(name: str, *args: Expr) -> Expr:
    return Call(name, tuple(args))


small_numbers = st.one_of(
    st.integers(-20, 20).map(NumberLit),
    st.decimals(-100, 100, places=2).map(NumberLit),
    st.integers().map(NumberLit),  # huge ones too: they must not overflow anything
)
instants = st.datetimes(timezones=offsets).filter(_utc_ok).map(DateTimeLit)
durations = st.timedeltas(min_value=timedelta(days=-3000), max_value=timedelta(days=3000)).map(
    DurationLit
)
_time_paths = st.sampled_from(["phenomenonTime", "resultTime", "validTime"]).map(
    lambda name: Path((name,))
)
_number_leaves = st.one_of(
    small_numbers,
    st.sampled_from(
        [("result",), ("id",), ("Datastream", "id"), ("Datastream", "Thing", "properties", "level")]
    ).map(Path),
)
_string_leaves = st.one_of(
    st.text(max_size=4).map(StringLit),
    st.sampled_from(
        [
            ("result",),
            ("parameters", "label"),
            ("Datastream", "name"),
            ("FeatureOfInterest", "name"),
        ]
    ).map(Path),
)


def _numbers(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.builds(Binary, st.sampled_from(ARITHMETIC), children, children),
        st.builds(Unary, st.just("-"), children),
        st.builds(_call, st.sampled_from(["round", "floor", "ceiling"]), children),
    )


numbers = st.recursive(_number_leaves, _numbers, max_leaves=5)
strings = st.recursive(
    _string_leaves,
    lambda children: st.one_of(
        st.builds(_call, st.sampled_from(["tolower", "toupper", "trim"]), children),
        st.builds(_call, st.just("concat"), children, children),
        st.builds(_call, st.just("substring"), children, numbers),
    ),
    max_leaves=4,
)
datetimes = st.one_of(
    _time_paths,
    instants,
    st.just(_call("now")),
    st.builds(Binary, st.sampled_from(["add", "sub"]), _time_paths, durations),
)
_number_of = st.one_of(
    numbers,
    st.builds(_call, st.sampled_from(["length"]), strings),
    st.builds(_call, st.just("indexof"), strings, strings),
    st.builds(
        _call,
        st.sampled_from(["year", "month", "day", "hour", "minute", "second", "fractionalseconds"]),
        datetimes,
    ),
    st.builds(
        _call,
        st.just("geo.distance"),
        st.just(Path(("FeatureOfInterest", "feature"))),
        coords.map(lambda c: GeoLit(True, Point(*c))),
    ),
)
_comparisons = st.one_of(
    st.builds(Binary, st.sampled_from(COMPARISONS), _number_of, _number_of),
    st.builds(Binary, st.sampled_from(COMPARISONS), strings, strings),
    st.builds(Binary, st.sampled_from(COMPARISONS), datetimes, datetimes),
    st.builds(
        Binary, st.sampled_from(["eq", "ne"]), st.one_of(numbers, strings), st.just(NullLit())
    ),
    st.builds(_call, st.sampled_from(["startswith", "endswith", "substringof"]), strings, strings),
    st.builds(
        _call,
        st.just("st_within"),
        st.just(Path(("FeatureOfInterest", "feature"))),
        shapes.filter(lambda s: isinstance(s, Polygon)).map(lambda s: GeoLit(True, s)),
    ),
)
observation_filters: st.SearchStrategy[Expr] = st.recursive(
    _comparisons,
    lambda children: st.one_of(
        st.builds(Unary, st.just("not"), children),
        st.builds(
            Logical,
            st.sampled_from(["and", "or"]),
            st.lists(children, min_size=2, max_size=3).map(tuple),
        ),
    ),
    max_leaves=4,
)
