"""Turn the payload of a create topic into a ``NewObservation``, checked as the HTTP API checks
a POSTed Observation (``sta.validate``), without touching the database.

What needs the database — does the Datastream exist, does the result fit its observationType,
may the publisher write to it — is checked per batch by the ingester. Over MQTT an
Observation links its Datastream and FeatureOfInterest by ``@iot.id`` (or gets them from the
topic); without a FeatureOfInterest it gets the one made from its Thing's Location. Inline
entities (deep insert) are refused: a station creates its entities over HTTP once, then sends
values.

As an extension, a payload may also be a JSON array of Observations (at most
``MAX_OBSERVATIONS`` of them): each is checked and stored on its own, as if published alone.
A gateway that forwards many stations' readings saves a round trip per reading — the MQTT
overhead per message is what limits the rate, not the database.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from cityhub.errors import InvalidInput
from cityhub.sensing.mqtt.topics import CreateTarget
from cityhub.sensing.observations import NewObservation
from cityhub.sensing.sta import validate, values
from cityhub.sensing.sta.entities import ENTITY_TYPES

MAX_PAYLOAD_BYTES = 1024 * 1024
MAX_OBSERVATIONS = 10_000  # per message (a JSON array)
_OBSERVATION = ENTITY_TYPES["Observations"]
_LARGEST_INTEGER = 2**63  # beyond this an integer result cannot be compared as a number


def _refuse_constant(name: str) -> Any:
    raise InvalidInput(f"{name} is not JSON", details={"path": "", "value": name})


def decode_json(payload: bytes) -> Any:
    """The JSON value of ``payload``; InvalidInput for anything that is not UTF-8 JSON of at most
    ``MAX_PAYLOAD_BYTES`` (NaN and Infinity included, which Python would accept)."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise InvalidInput(
            f"a payload has at most {MAX_PAYLOAD_BYTES} bytes", details={"size": len(payload)}
        )
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput("the payload is not UTF-8", details={"position": error.start}) from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"malformed JSON: {error.msg}",
            details={"line": error.lineno, "column": error.colno, "position": error.pos},
        ) from None
    except (RecursionError, ValueError):  # nesting too deep, integer with too many digits
        raise InvalidInput("the JSON is too deeply nested or has too long a number") from None


def _linked(relations: dict[str, Any], name: str) -> int | None:
    if name not in relations or relations[name] is None:
        return None
    found = validate.link_id(relations[name], name)
    if found is None:
        raise validate.invalid(
            f"over MQTT an Observation links its {name} by @iot.id (no deep insert)", name
        )
    return found


def _agree(from_topic: int | None, from_body: int | None, name: str) -> int | None:
    if from_topic is not None and from_body is not None and from_topic != from_body:
        raise validate.invalid(
            f"the topic names {name} {from_topic} and the payload {from_body}", name
        )
    return from_topic if from_topic is not None else from_body


def parse_message(
    payload: bytes, target: CreateTarget, now: datetime
) -> list[tuple[int | None, NewObservation | InvalidInput]]:
    """The Observations of one message as (index, Observation or the InvalidInput explaining
    why not): one with index None for a JSON object, one per element for a JSON array (the
    error's ``details["index"]`` names the element). InvalidInput for a payload that is
    neither."""
    body = decode_json(payload)
    if not isinstance(body, list):
        return [(None, observation_of(body, target, now))]
    if not 0 < len(body) <= MAX_OBSERVATIONS:
        raise InvalidInput(
            f"an array holds 1 to {MAX_OBSERVATIONS} Observations", details={"size": len(body)}
        )
    found: list[tuple[int | None, NewObservation | InvalidInput]] = []
    for index, item in enumerate(body):
        try:
            found.append((index, observation_of(item, target, now)))
        except InvalidInput as error:
            error.details["index"] = index
            found.append((index, error))
    return found


def parse_observation(payload: bytes, target: CreateTarget, now: datetime) -> NewObservation:
    """The one Observation of a payload (a JSON object); InvalidInput otherwise."""
    return observation_of(decode_json(payload), target, now)


def observation_of(body: Any, target: CreateTarget, now: datetime) -> NewObservation:
    """The Observation ``body`` published to a create topic of ``target``; ``now`` is its
    phenomenonTime when the body gives none (OGC 18-088 §10.2). InvalidInput (with the
    path of the offending value) for anything malformed."""
    split = validate.split_body(_OBSERVATION, body, "")
    datastream_id = _agree(
        target.datastream_id, _linked(split.relations, "Datastream"), "Datastream"
    )
    if datastream_id is None:
        raise validate.invalid(
            "an Observation needs a Datastream: publish to v1.1/Datastreams(<id>)/Observations "
            'or give "Datastream": {"@iot.id": <id>}',
            "Datastream",
        )
    feature_id = _agree(
        target.feature_id,
        _linked(split.relations, "FeatureOfInterest"),
        "FeatureOfInterest",
    )
    if "result" not in split.properties:
        raise validate.invalid("result is mandatory for an Observation", "result")
    result = split.properties["result"]
    if not values.is_json(result):
        raise validate.invalid("not a JSON value (numbers must be finite)", "result")
    if isinstance(result, int) and not isinstance(result, bool) and abs(result) > _LARGEST_INTEGER:
        raise validate.invalid("the integer is too large", "result")
    columns = validate.property_values(_OBSERVATION, split.properties, "", complete=True)
    start = columns["phenomenon_time_start"]
    return NewObservation(
        datastream_id=datastream_id,
        phenomenon_time_start=now if start is None else start,
        phenomenon_time_end=columns["phenomenon_time_end"],
        result=result,
        result_time=columns["result_time"],
        feature_id=feature_id,
        result_quality=columns["result_quality"],
        valid_time_start=columns["valid_time_start"],
        valid_time_end=columns["valid_time_end"],
        parameters=columns["parameters"],
    )
