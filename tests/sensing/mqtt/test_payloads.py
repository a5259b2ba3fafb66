"""Payloads of the create topics: one Observation (or an array of them) per message."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.errors import InvalidInput
from cityhub.sensing.mqtt.payloads import (
    MAX_OBSERVATIONS,
    MAX_PAYLOAD_BYTES,
    parse_message,
    parse_observation,
)
from cityhub.sensing.mqtt.topics import CreateTarget

NOW = datetime(2024, 6, 1, 8, 30, tzinfo=UTC)
ON_STREAM = CreateTarget(datastream_id=4)
ON_FEATURE = CreateTarget(feature_id=9)


def encode(body: Any) -> bytes:
    return json.dumps(body).encode()


def test_a_full_observation() -> None:
    row = parse_observation(
        encode(
            {
                "phenomenonTime": "2024-06-01T08:00:00+08:00",
                "result": 12.5,
                "resultTime": "2024-06-01T00:00:05Z",
                "resultQuality": {"flag": "ok"},
                "validTime": "2024-06-01T00:00:00Z/2024-06-02T00:00:00Z",
                "parameters": {"serial": 17},
                "FeatureOfInterest": {"@iot.id": 9},
            }
        ),
        ON_STREAM,
        NOW,
    )
    assert row.datastream_id == 4 and row.feature_id == 9
    assert row.phenomenon_time_start == datetime(2024, 6, 1, 0, 0, tzinfo=UTC)
    assert row.phenomenon_time_end is None
    assert row.result == 12.5
    assert row.result_time == datetime(2024, 6, 1, 0, 0, 5, tzinfo=UTC)
    assert row.result_quality == {"flag": "ok"}
    assert row.valid_time_end == datetime(2024, 6, 2, tzinfo=UTC)
    assert row.parameters == {"serial": 17}


@pytest.mark.parametrize(
    ("body", "target", "datastream", "feature"),
    [
        ({"result": 1}, ON_STREAM, 4, None),
        ({"result": 1, "Datastream": {"@iot.id": 4}}, ON_STREAM, 4, None),
        ({"result": 1, "Datastream": {"@iot.id": 5}}, CreateTarget(), 5, None),
        ({"result": 1, "Datastream": {"@iot.id": "5"}}, CreateTarget(), 5, None),
        ({"result": 1, "Datastream": {"@iot.id": 5}}, ON_FEATURE, 5, 9),
        ({"result": 1, "@iot.id": 77, "@iot.selfLink": "x"}, ON_STREAM, 4, None),
    ],
)
def test_where_the_datastream_and_feature_come_from(
    body: dict[str, Any], target: CreateTarget, datastream: int, feature: int | None
) -> None:
    row = parse_observation(encode(body), target, NOW)
    assert (row.datastream_id, row.feature_id) == (datastream, feature)


def test_defaults_phenomenon_time_now_and_result_time_null() -> None:
    row = parse_observation(encode({"result": True}), ON_STREAM, NOW)
    assert row.phenomenon_time_start == NOW and row.result_time is None


def test_an_interval_phenomenon_time() -> None:
    row = parse_observation(
        encode({"result": 3, "phenomenonTime": "2024-06-01T00:00:00Z/2024-06-01T01:00:00Z"}),
        ON_STREAM,
        NOW,
    )
    assert row.phenomenon_time_end == datetime(2024, 6, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        (b"", None),
        (b"{", None),
        (b"not json", None),
        (b"\xff\xfe", None),
        (b'{"result": NaN}', None),
        (b'{"result": Infinity}', None),
        (b"[" * 100_000 + b"]" * 100_000, None),
        (b'{"result": 1' + b"0" * 5000 + b"}", None),
        (encode("a string"), ""),
        (encode(12), ""),
        (encode(None), ""),
        (encode({}), "result"),
        (encode({"result": 1, "colour": "red"}), "colour"),
        (encode({"result": 1, "phenomenonTime": "yesterday"}), "phenomenonTime"),
        (encode({"result": 1, "phenomenonTime": 17}), "phenomenonTime"),
        (
            encode({"result": 1, "phenomenonTime": "2024-06-02T00:00:00Z/2024-06-01T00:00:00Z"}),
            "phenomenonTime",
        ),
        (encode({"result": 1, "resultTime": "2024-06-01T00:00:00Z/2024-06-02T00:00:00Z"}), None),
        (encode({"result": 1, "validTime": "never"}), "validTime"),
        (encode({"result": 1, "parameters": [1, 2]}), "parameters"),
        (encode({"result": 1, "Datastream": 4}), "Datastream"),
        (encode({"result": 1, "Datastream": {"@iot.id": 5}}), "Datastream"),
        (encode({"result": 1, "Datastream": {"@iot.id": -1}}), "Datastream.@iot.id"),
        (encode({"result": 1, "Datastream": {"@iot.id": True}}), "Datastream.@iot.id"),
        (encode({"result": 1, "Datastream": {"name": "deep insert"}}), "Datastream"),
        (encode({"result": 1, "FeatureOfInterest": {"name": "deep"}}), "FeatureOfInterest"),
        (encode({"result": 10**30}), "result"),
        (b" " * (MAX_PAYLOAD_BYTES + 1), None),
    ],
)
def test_malformed_payloads(payload: bytes, path: str | None) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_message(payload, ON_STREAM, NOW)
    if path is not None:
        assert raised.value.details.get("path") == path


def test_a_payload_without_any_datastream() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_observation(encode({"result": 1}), CreateTarget(), NOW)
    assert raised.value.details["path"] == "Datastream"


def test_a_feature_topic_needs_the_datastream_in_the_payload() -> None:
    with pytest.raises(InvalidInput):
        parse_observation(encode({"result": 1}), ON_FEATURE, NOW)


def test_the_topic_and_payload_must_agree_on_the_feature() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_observation(
            encode(
                {"result": 1, "Datastream": {"@iot.id": 1}, "FeatureOfInterest": {"@iot.id": 8}}
            ),
            ON_FEATURE,
            NOW,
        )
    assert raised.value.details["path"] == "FeatureOfInterest"


def test_an_array_is_checked_element_by_element() -> None:
    found = parse_message(
        encode([{"result": 1}, {"result": 2, "colour": "red"}, {"result": 3}]), ON_STREAM, NOW
    )
    assert [index for index, _ in found] == [0, 1, 2]
    assert [getattr(item, "result", None) for _, item in found] == [1, None, 3]
    error = found[1][1]
    assert isinstance(error, InvalidInput) and error.details["index"] == 1


def test_a_single_object_has_no_index() -> None:
    assert [index for index, _ in parse_message(encode({"result": 1}), ON_STREAM, NOW)] == [None]


@pytest.mark.parametrize("size", [0, MAX_OBSERVATIONS + 1])
def test_arrays_have_a_size_limit(size: int) -> None:
    with pytest.raises(InvalidInput):
        parse_message(encode([{"result": 1}] * size), ON_STREAM, NOW)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
OBSERVATION_LIKE = st.dictionaries(
    st.sampled_from(
        [
            "result",
            "phenomenonTime",
            "resultTime",
            "validTime",
            "parameters",
            "resultQuality",
            "Datastream",
            "FeatureOfInterest",
            "@iot.id",
        ]
    ),
    JSON | st.sampled_from(["2024-06-01T00:00:00Z", {"@iot.id": 3}, {"@iot.id": "x"}]),
)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        JSON.map(lambda value: json.dumps(value).encode()),
        OBSERVATION_LIKE.map(lambda value: json.dumps(value).encode()),
        st.lists(OBSERVATION_LIKE, max_size=3).map(lambda value: json.dumps(value).encode()),
    ),
    st.sampled_from([ON_STREAM, ON_FEATURE, CreateTarget()]),
)
def test_random_payloads_raise_nothing_but_invalid_input(
    payload: bytes, target: CreateTarget
) -> None:
    try:
        found = parse_message(payload, target, NOW)
    except InvalidInput:
        return
    for _, item in found:
        if not isinstance(item, InvalidInput):
            assert item.phenomenon_time_start.tzinfo is not None
            assert item.datastream_id > 0
