"""Which subscriber gets which message (before read access is checked)."""

from __future__ import annotations

import json

from cityhub.sensing.mqtt.delivery import Planner, Subscriber
from cityhub.sensing.mqtt.topics import observation_topics
from cityhub.sensing.mqtt.updates import Update


def observation(observation_id: int, datastream_id: int = 1, feature_id: int = 5) -> Update:
    body = {"@iot.id": observation_id, "result": observation_id * 1.5, "phenomenonTime": "t"}
    return Update(
        ("Datastreams", datastream_id),
        dict.fromkeys(observation_topics(datastream_id, feature_id), body),
    )


def plan(
    subscribers: list[Subscriber], *updates: Update, max_qos: int = 1
) -> list[tuple[str, str, dict[str, object], int]]:
    return [
        (d.client_id, d.topic, json.loads(d.payload), d.qos)
        for d in Planner().plan(list(updates), subscribers, max_qos)
    ]


def test_exact_topics_get_their_messages() -> None:
    subscribers = [
        Subscriber("a", "v1.1/Datastreams(1)/Observations", 1),
        Subscriber("b", "v1.1/Datastreams(2)/Observations", 1),
        Subscriber("c", "v1.1/Observations", 0),
    ]
    found = plan(subscribers, observation(7))
    assert [(client, topic, qos) for client, topic, _, qos in found] == [
        ("a", "v1.1/Datastreams(1)/Observations", 1),
        ("c", "v1.1/Observations", 0),
    ]


def test_select_reduces_the_message_and_keeps_the_subscribed_topic() -> None:
    topic = "v1.1/Datastreams(1)/Observations?$select=result"
    assert plan([Subscriber("a", topic, 1)], observation(2)) == [("a", topic, {"result": 3.0}, 1)]


def test_a_wildcard_gets_each_matching_topic_once_per_client() -> None:
    subscribers = [
        Subscriber("a", "v1.1/#", 1),
        Subscriber("a", "v1.1/+/Observations", 1),
        Subscriber("a", "v1.1/Datastreams(1)/Observations", 1),
    ]
    topics = [topic for _, topic, _, _ in plan(subscribers, observation(1))]
    assert sorted(topics) == sorted(observation_topics(1, 5))


def test_updates_keep_their_order_per_subscriber() -> None:
    subscribers = [Subscriber("a", "v1.1/Observations", 1)]
    found = plan(subscribers, observation(1), observation(2), observation(3))
    assert [body["@iot.id"] for _, _, body, _ in found] == [1, 2, 3]


def test_qos_is_capped() -> None:
    found = plan([Subscriber("a", "v1.1/Observations", 2)], observation(1), max_qos=1)
    assert found[0][3] == 1


def test_unparseable_exact_filters_get_nothing() -> None:
    subscribers = [Subscriber("a", "v1.1/Stations", 1), Subscriber("b", "foo", 1)]
    assert plan(subscribers, observation(1)) == []
