"""Resource paths (OGC 18-088 §9.2, usages 2–8): parsed, or refused with 404 or 400."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.errors import InvalidInput, NotFound
from cityhub.sensing.sta.entities import ENTITY_TYPES
from cityhub.sensing.sta.paths import LARGEST_ID, parse_key, parse_path, split_segments


def shape(text: str) -> tuple[object, ...]:
    path = parse_path(text)
    steps = tuple(
        (step.entity.set_name, step.relation.name if step.relation else None, step.key)
        for step in path.steps
    )
    return steps, path.prop, path.keys, path.value, path.ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Things", ((("Things", None, None),), None, (), False, False)),
        ("Things/", ((("Things", None, None),), None, (), False, False)),
        ("Things(1)", ((("Things", None, 1),), None, (), False, False)),
        ("Things('7')", ((("Things", None, 7),), None, (), False, False)),
        ("Things( 7 )", ((("Things", None, 7),), None, (), False, False)),
        (
            "Observations(5)/resultTime",
            ((("Observations", None, 5),), "resultTime", (), False, False),
        ),
        (
            "Observations(5)/resultTime/$value",
            ((("Observations", None, 5),), "resultTime", (), True, False),
        ),
        (
            "Datastreams(1)/Observations",
            (
                (("Datastreams", None, 1), ("Observations", "Observations", None)),
                None,
                (),
                False,
                False,
            ),
        ),
        (
            "Datastreams(1)/Observations/$ref",
            (
                (("Datastreams", None, 1), ("Observations", "Observations", None)),
                None,
                (),
                False,
                True,
            ),
        ),
        ("Things/$ref", ((("Things", None, None),), None, (), False, True)),
        (
            "Datastreams(1)/Thing/$ref",
            ((("Datastreams", None, 1), ("Things", "Thing", None)), None, (), False, True),
        ),
        (
            "Datastreams(1)/Observations(2)/FeatureOfInterest",
            (
                (
                    ("Datastreams", None, 1),
                    ("Observations", "Observations", 2),
                    ("FeaturesOfInterest", "FeatureOfInterest", None),
                ),
                None,
                (),
                False,
                False,
            ),
        ),
        (
            "Things(1)/properties/owner/name",
            ((("Things", None, 1),), "properties", ("owner", "name"), False, False),
        ),
        (
            "Things(1)/properties/owner/$value",
            ((("Things", None, 1),), "properties", ("owner",), True, False),
        ),
        (
            "Locations(3)/HistoricalLocations(4)/Thing/Datastreams",
            (
                (
                    ("Locations", None, 3),
                    ("HistoricalLocations", "HistoricalLocations", 4),
                    ("Things", "Thing", None),
                    ("Datastreams", "Datastreams", None),
                ),
                None,
                (),
                False,
                False,
            ),
        ),
    ],
)
def test_paths_parse(text: str, expected: tuple[object, ...]) -> None:
    assert shape(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Nothing",
        "things",  # names are case-sensitive
        "Things(1)/Nothing",
        "Things/name",  # a property of a collection
        "Things/Datastreams",  # navigation from a collection
        "Things(1)/$value",
        "Things(1)/name/$ref",
        "Things(1)/$ref",  # $ref names a navigation property's links
        "Things(1)/name/x",  # a text property has no parts
        "Things(1)/name/$value/x",
        "Things(1)/Datastreams/$ref/x",
        "Observations(1)/Datastream(2)",  # a to-one relation takes no id
        "Things('abc')",  # ids are integers
        "Things(-1)",
        f"Things({LARGEST_ID + 1})",
        "Things//Datastreams",
        "MultiDatastreams",  # not implemented
    ],
)
def test_paths_that_name_nothing_are_not_found(text: str) -> None:
    with pytest.raises(NotFound):
        parse_path(text)


@pytest.mark.parametrize(
    "text", ["Things(abc)", "Things(1.5)", "Things()", "Things(1", "Things('a'b')"]
)
def test_malformed_ids_are_bad_requests(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_path(text)
    assert caught.value.details["segment"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Things('a/b')/name", ["Things('a/b')", "name"]),
        ("a/b/", ["a", "b"]),
        ("a//b", ["a", "", "b"]),
        ("/", [""]),
    ],
)
def test_segments_split_outside_quotes(text: str, expected: list[str]) -> None:
    assert split_segments(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), ("'12'", 12), ("'it''s'", None), ("0", 0), (str(LARGEST_ID), LARGEST_ID)],
)
def test_keys(text: str, expected: int | None) -> None:
    assert parse_key(text, f"Things({text})") == expected


@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        path = parse_path(text)
    except (NotFound, InvalidInput):
        return
    assert path.steps[0].entity.set_name == text.split("(")[0].split("/")[0]


NAMES = sorted(ENTITY_TYPES)


@st.composite
def navigations(draw: st.DrawFn) -> tuple[str, list[tuple[str, int | None]]]:
    """A valid path built by walking relations at random, with its expected steps."""
    entity = ENTITY_TYPES[draw(st.sampled_from(NAMES))]
    first = draw(st.integers(0, LARGEST_ID))
    text = f"{entity.set_name}({first})"
    expected: list[tuple[str, int | None]] = [(entity.set_name, first)]
    for _ in range(draw(st.integers(0, 4))):
        relation = entity.relations[draw(st.sampled_from(sorted(entity.relations)))]
        entity = ENTITY_TYPES[relation.target]
        key = draw(st.integers(0, 10**6)) if relation.many else None
        quoted = draw(st.booleans())
        text += f"/{relation.name}"
        if key is not None:
            text += f"('{key}')" if quoted else f"({key})"
        expected.append((entity.set_name, key))
        if key is None and relation.many:
            break
    return text, expected


@given(navigations())
def test_walks_along_relations_parse_to_their_steps(
    case: tuple[str, list[tuple[str, int | None]]],
) -> None:
    text, expected = case
    path = parse_path(text)
    assert [(step.entity.set_name, step.key) for step in path.steps] == expected
