"""The SensorThings MQTT topics and MQTT topic filters."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.errors import InvalidInput
from cityhub.sensing.mqtt.topics import (
    CreateTarget,
    Subscription,
    apply_select,
    is_create_topic,
    is_valid_filter,
    observation_topics,
    parse_create_topic,
    parse_subscription_topic,
    topic_matches,
)


@pytest.mark.parametrize(
    ("topic", "target"),
    [
        ("v1.1/Observations", CreateTarget()),
        ("v1.1/Datastreams(1)/Observations", CreateTarget(datastream_id=1)),
        ("v1.1/Datastreams(42)/Observations", CreateTarget(datastream_id=42)),
        ("v1.1/FeaturesOfInterest(7)/Observations", CreateTarget(feature_id=7)),
    ],
)
def test_create_topics(topic: str, target: CreateTarget) -> None:
    assert parse_create_topic(topic) == target
    assert is_create_topic(topic)


@pytest.mark.parametrize(
    "topic",
    [
        "",
        "v1.0/Observations",
        "Observations",
        "/v1.1/Observations",
        "v1.1/Observations/",
        "v1.1//Observations",
        "v1.1/Datastreams",
        "v1.1/Datastreams(1)",
        "v1.1/Datastreams/Observations",
        "v1.1/Datastreams(0)/Observations",
        "v1.1/Datastreams(-1)/Observations",
        "v1.1/Datastreams('1')/Observations",
        "v1.1/Datastreams(99999999999999999999)/Observations",
        "v1.1/Things(1)/Observations",
        "v1.1/Observations?$select=result",
        "v1.1/Datastreams(1)/Observations(2)",
        "v1.1/+/Observations",
        "v1.1/#",
        "$SYS/broker/uptime",
        "v1.1/Observations\x00",
        "v1.1/" + "x" * 2000,
    ],
)
def test_other_topics_are_no_create_topics(topic: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_create_topic(topic)
    assert "topic" in raised.value.details
    assert not is_create_topic(topic)


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("v1.1/Observations", Subscription("Observations")),
        (
            "v1.1/Datastreams(1)/Observations",
            Subscription("Observations", parent=("Datastreams", 1)),
        ),
        (
            "v1.1/FeaturesOfInterest(3)/Observations",
            Subscription("Observations", parent=("FeaturesOfInterest", 3)),
        ),
        ("v1.1/Things(2)/Datastreams", Subscription("Datastreams", parent=("Things", 2))),
        ("v1.1/Datastreams(1)", Subscription("Datastreams", entity_id=1)),
        (
            "v1.1/Datastreams(1)/observedArea",
            Subscription("Datastreams", entity_id=1, property_name="observedArea"),
        ),
        (
            "v1.1/Datastreams(1)/Observations?$select=phenomenonTime,result",
            Subscription(
                "Observations",
                parent=("Datastreams", 1),
                select=frozenset({"phenomenonTime", "result"}),
            ),
        ),
        (
            "v1.1/Observations?$select=@iot.id,result",
            Subscription("Observations", select=frozenset({"id", "result"})),
        ),
        (
            "v1.1/Datastreams(5)?$select=name,Thing",
            Subscription("Datastreams", entity_id=5, select=frozenset({"name", "Thing"})),
        ),
    ],
)
def test_subscription_topics(topic: str, expected: Subscription) -> None:
    parsed = parse_subscription_topic(topic)
    assert parsed == expected
    assert parsed.base_topic == topic.partition("?")[0]


@pytest.mark.parametrize(
    ("topic", "kind"),
    [
        ("v1.1/Observations", "collection"),
        ("v1.1/Datastreams(1)", "entity"),
        ("v1.1/Datastreams(1)/name", "property"),
    ],
)
def test_subscription_kinds(topic: str, kind: str) -> None:
    assert parse_subscription_topic(topic).kind == kind


@pytest.mark.parametrize(
    "topic",
    [
        "v1.1/Stations",
        "v1.1/Datastreams(1)/Sensors",
        "v1.1/Datastreams(1)/Thing",  # a single entity, not a collection: no updates there
        "v1.1/Datastreams/Observations",
        "v1.1/Datastreams(1)/Observations(2)",
        "v1.1/Things(1)/Datastreams(2)/Observations",
        "v1.1/Observations?$filter=result gt 1",
        "v1.1/Observations?$expand=Datastream",
        "v1.1/Observations?$select=",
        "v1.1/Observations?$select=colour",
        "v1.1/Observations?$select=result;$top=1",
        "v1.1/Datastreams(1)/name?$select=name",
        "v1.1/errors/client",
    ],
)
def test_bad_subscription_topics(topic: str) -> None:
    with pytest.raises(InvalidInput):
        parse_subscription_topic(topic)


def test_select_keeps_the_chosen_properties_and_navigation_links() -> None:
    body = {
        "@iot.id": 3,
        "@iot.selfLink": "http://x/Observations(3)",
        "result": 1.5,
        "phenomenonTime": "2024-06-01T08:00:00Z",
        "Datastream@iot.navigationLink": "http://x/Observations(3)/Datastream",
    }
    assert apply_select(body, frozenset({"result", "id"})) == {"@iot.id": 3, "result": 1.5}
    assert apply_select(body, frozenset({"Datastream"})) == {
        "Datastream@iot.navigationLink": "http://x/Observations(3)/Datastream"
    }
    assert apply_select(body, None) is body


def test_observation_topics() -> None:
    assert observation_topics(2, 9) == [
        "v1.1/Observations",
        "v1.1/Datastreams(2)/Observations",
        "v1.1/FeaturesOfInterest(9)/Observations",
    ]


@pytest.mark.parametrize(
    ("topic_filter", "topic", "matches"),
    [
        ("v1.1/Observations", "v1.1/Observations", True),
        ("v1.1/Observations", "v1.1/Observations/x", False),
        ("v1.1/#", "v1.1/Datastreams(1)/Observations", True),
        ("v1.1/#", "v1.1", True),  # '#' includes the parent level
        ("#", "v1.1/Observations", True),
        ("#", "$SYS/uptime", False),
        ("+/Observations", "v1.1/Observations", True),
        ("v1.1/+/Observations", "v1.1/Datastreams(1)/Observations", True),
        ("v1.1/+/Observations", "v1.1/Observations", False),
        ("v1.1/+", "v1.1/Datastreams(1)/Observations", False),
        ("+", "v1.1", True),
    ],
)
def test_topic_filters(topic_filter: str, topic: str, matches: bool) -> None:
    assert topic_matches(topic_filter, topic) is matches


@pytest.mark.parametrize(
    ("topic_filter", "valid"),
    [
        ("v1.1/#", True),
        ("#", True),
        ("v1.1/+/Observations", True),
        ("v1.1/#/Observations", False),
        ("v1.1/Data+", False),
        ("v1.1/##", False),
        ("", False),
    ],
)
def test_valid_filters(topic_filter: str, valid: bool) -> None:
    assert is_valid_filter(topic_filter) is valid


TOPIC_PIECES = st.sampled_from(
    [
        "v1.1",
        "v1.0",
        "Observations",
        "Datastreams(1)",
        "Datastreams(0)",
        "FeaturesOfInterest(12)",
        "Things(3)",
        "observedArea",
        "?$select=result",
        "?$select=",
        "(",
        ")",
        "+",
        "#",
        "$",
        "",
        "é",
        "\x00",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=120), st.lists(TOPIC_PIECES, max_size=6).map("/".join)))
def test_random_topics_raise_nothing_but_invalid_input(topic: str) -> None:
    for parse in (parse_create_topic, parse_subscription_topic):
        with contextlib.suppress(InvalidInput):
            parse(topic)
    is_valid_filter(topic)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "v1.1", "Observations"]), min_size=1, max_size=5))
def test_a_topic_matches_itself_and_the_catch_all(levels: list[str]) -> None:
    topic = "/".join(levels)
    assert topic_matches(topic, topic)
    assert topic_matches("#", topic)
    assert topic_matches("/".join("+" for _ in levels), topic)
    assert not topic_matches("/".join("+" for _ in [*levels, "x"]), topic)
