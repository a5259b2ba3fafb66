"""The MQTT topics of the SensorThings MQTT extension (OGC 18-088 §14) and MQTT topic filters.

Two kinds of topic:

- **create** topics, to which a client publishes one Observation:
  ``v1.1/Observations``, ``v1.1/Datastreams(1)/Observations`` and
  ``v1.1/FeaturesOfInterest(1)/Observations``;
- **subscription** topics, on which the platform publishes what changed: a collection
  (``v1.1/Observations``, ``v1.1/Datastreams(1)/Observations``), an entity
  (``v1.1/Datastreams(1)``) or one property (``v1.1/Datastreams(1)/observedArea``), collections
  and entities optionally with ``?$select=phenomenonTime,result``.

Every parser raises ``InvalidInput`` (``details["topic"]`` names the topic) and nothing else,
whatever the input: topics come from the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cityhub.errors import InvalidInput
from cityhub.sensing.sta.entities import ENTITY_TYPES, EntityType

VERSION = "v1.1"
ERRORS = f"{VERSION}/errors"  # v1.1/errors/<client id>: why a publish was refused (embedded)
MAX_TOPIC_LENGTH = 1024
_MAX_ID = 2**63 - 1
_SEGMENT = re.compile(r"^(?P<name>[A-Za-z]+)(?:\((?P<id>[0-9]{1,19})\))?$")
_SELECT_NAME = re.compile(r"^(?:@iot\.id|[A-Za-z]+)$")
_ID = "id"


@dataclass(frozen=True)
class CreateTarget:
    """What a create topic says about the Observation published to it: the Datastream or the
    FeatureOfInterest it belongs to (both None for ``v1.1/Observations``)."""

    datastream_id: int | None = None
    feature_id: int | None = None


@dataclass(frozen=True)
class Subscription:
    """A parsed subscription topic.

    ``set_name`` is the entity set of what is published: for ``v1.1/Datastreams(1)/Observations``
    it is ``Observations`` with ``parent`` ("Datastreams", 1); for ``v1.1/Datastreams(1)`` and
    ``v1.1/Datastreams(1)/observedArea`` it is ``Datastreams`` with ``entity_id`` 1 (and
    ``property_name`` "observedArea"). ``select`` holds the ``$select`` names (``id`` for
    ``@iot.id``), None for all.
    """

    set_name: str
    parent: tuple[str, int] | None = None
    entity_id: int | None = None
    property_name: str | None = None
    select: frozenset[str] | None = None

    @property
    def kind(self) -> str:
        """``collection``, ``entity`` or ``property``."""
        if self.entity_id is None:
            return "collection"
        return "entity" if self.property_name is None else "property"

    @property
    def base_topic(self) -> str:
        """The topic without its query: where the platform publishes the full JSON."""
        if self.entity_id is None:
            if self.parent is None:
                return f"{VERSION}/{self.set_name}"
            parent_set, parent_id = self.parent
            return f"{VERSION}/{parent_set}({parent_id})/{self.set_name}"
        entity = f"{VERSION}/{self.set_name}({self.entity_id})"
        return entity if self.property_name is None else f"{entity}/{self.property_name}"


def _invalid(message: str, topic: Any, **details: Any) -> InvalidInput:
    shown = topic[:200] if isinstance(topic, str) else repr(topic)[:200]
    return InvalidInput(message, details={"topic": shown, **details})


def _segments(topic: Any) -> tuple[list[str], str | None]:
    """The path segments after the version, and the query (text after ``?``, or None)."""
    if not isinstance(topic, str):
        raise _invalid("a topic is a string", topic)
    if not topic or len(topic) > MAX_TOPIC_LENGTH:
        raise _invalid(f"a topic has 1 to {MAX_TOPIC_LENGTH} characters", topic)
    if any(c in topic for c in "\x00+#"):
        raise _invalid("a topic holds no NUL character and no wildcard", topic)
    path, question, query = topic.partition("?")
    parts = path.split("/")
    if parts[0] != VERSION:
        # FROST answers $SYS/# and the like the same way (issue #936).
        raise _invalid(f"a SensorThings topic starts with {VERSION}/", topic)
    if len(parts) < 2 or any(not part for part in parts[1:]):
        raise _invalid("a topic names an entity set after the version", topic)
    return parts[1:], (query if question else None)


def _entity_type(name: str, topic: str) -> EntityType:
    found = ENTITY_TYPES.get(name)
    if found is None:
        raise _invalid(f"no entity set {name!r}", topic, path=name)
    return found


def _segment(text: str, topic: str) -> tuple[str, int | None]:
    match = _SEGMENT.match(text)
    if match is None:
        raise _invalid(f"not an entity set or property: {text[:50]!r}", topic, path=text[:50])
    raw_id = match.group("id")
    if raw_id is None:
        return match.group("name"), None
    entity_id = int(raw_id)
    if not 0 < entity_id <= _MAX_ID:
        raise _invalid("an id is a positive integer", topic, path=text[:50])
    return match.group("name"), entity_id


def parse_create_topic(topic: Any) -> CreateTarget:
    """The target of a create topic; InvalidInput for any other topic."""
    parts, query = _segments(topic)
    if query is not None:
        raise _invalid("a create topic has no query options", topic)
    if parts == ["Observations"]:
        return CreateTarget()
    if len(parts) == 2 and parts[1] == "Observations":
        name, parent_id = _segment(parts[0], topic)
        if parent_id is not None and name == "Datastreams":
            return CreateTarget(datastream_id=parent_id)
        if parent_id is not None and name == "FeaturesOfInterest":
            return CreateTarget(feature_id=parent_id)
    raise _invalid(
        "Observations are created on v1.1/Observations, v1.1/Datastreams(<id>)/Observations "
        "or v1.1/FeaturesOfInterest(<id>)/Observations",
        topic,
    )


def is_create_topic(topic: str) -> bool:
    """Whether ``topic`` is a create topic (without raising)."""
    try:
        parse_create_topic(topic)
    except InvalidInput:
        return False
    return True


def parse_subscription_topic(topic: Any) -> Subscription:
    """The subscription a topic asks for; InvalidInput for anything else, including query
    options other than ``$select`` (``$filter`` and ``$expand`` would cost a database query
    per message and subscriber)."""
    parts, query = _segments(topic)
    if len(parts) > 2:
        raise _invalid("a subscription topic has at most two segments after the version", topic)
    name, entity_id = _segment(parts[0], topic)
    entity = _entity_type(name, topic)
    if len(parts) == 1:
        subscription = Subscription(entity.set_name, entity_id=entity_id)
        target = entity
    else:
        if entity_id is None:
            raise _invalid(f"{name} needs an id before a navigation property", topic)
        member, member_id = _segment(parts[1], topic)
        if member_id is not None:
            raise _invalid("no id after a navigation property in a subscription topic", topic)
        relation = entity.relations.get(member)
        if relation is not None and relation.many:
            subscription = Subscription(relation.target, parent=(entity.set_name, entity_id))
            target = ENTITY_TYPES[relation.target]
        elif member in entity.properties:
            if query is not None:
                raise _invalid("a property topic has no query options", topic)
            return Subscription(entity.set_name, entity_id=entity_id, property_name=member)
        else:
            raise _invalid(
                f"{entity.name} has no property or collection {member!r}", topic, path=member
            )
    if query is None:
        return subscription
    return Subscription(
        subscription.set_name,
        parent=subscription.parent,
        entity_id=subscription.entity_id,
        select=_parse_select(query, target, topic),
    )


def _parse_select(query: str, entity: EntityType, topic: str) -> frozenset[str]:
    option, equals, value = query.partition("=")
    if option != "$select" or not equals:
        raise _invalid("the only query option of a subscription topic is $select", topic)
    names: set[str] = set()
    for raw in value.split(","):
        name = raw.strip()
        if not _SELECT_NAME.match(name):
            raise _invalid(f"$select: not a property name: {name[:50]!r}", topic)
        name = _ID if name in ("@iot.id", _ID) else name
        if name != _ID and name not in entity.properties and name not in entity.relations:
            raise _invalid(f"$select: {entity.name} has no property {name!r}", topic, path=name)
        names.add(name)
    return frozenset(names)


def apply_select(entity_json: dict[str, Any], select: frozenset[str] | None) -> dict[str, Any]:
    """``entity_json`` reduced to the ``$select`` names (``id`` keeps ``@iot.id``; a
    navigation property keeps its navigation link), as the HTTP API does."""
    if select is None:
        return entity_json
    chosen: dict[str, Any] = {}
    for key, value in entity_json.items():
        name = key.removesuffix("@iot.navigationLink")
        if key == "@iot.id":
            name = _ID
        if name in select:
            chosen[key] = value
    return chosen


def observation_topics(datastream_id: int, feature_id: int | None) -> list[str]:
    """The subscription topics a new Observation is published on (full JSON)."""
    topics = [f"{VERSION}/Observations", f"{VERSION}/Datastreams({datastream_id})/Observations"]
    if feature_id is not None:
        topics.append(f"{VERSION}/FeaturesOfInterest({feature_id})/Observations")
    return topics


def error_topic(client_id: str) -> str:
    """Where the embedded broker tells a publisher why its Observation was refused."""
    return f"{ERRORS}/{client_id}"


# --- MQTT topic filters ---------------------------------------------------------------------


def is_valid_filter(topic_filter: str) -> bool:
    """Whether ``topic_filter`` is a well-formed MQTT 3.1.1 topic filter (§4.7.1)."""
    if not topic_filter or len(topic_filter) > MAX_TOPIC_LENGTH or "\x00" in topic_filter:
        return False
    levels = topic_filter.split("/")
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            return False
        if "+" in level and level != "+":
            return False
    return True


def has_wildcard(topic_filter: str) -> bool:
    """Whether ``topic_filter`` contains ``+`` or ``#``."""
    return "+" in topic_filter or "#" in topic_filter


def topic_matches(topic_filter: str, topic: str) -> bool:
    """Whether ``topic`` matches the MQTT ``topic_filter`` (``+`` one level, ``#`` the rest;
    wildcards at the start never match ``$`` topics, §4.7.2)."""
    if not has_wildcard(topic_filter):
        return topic_filter == topic
    if topic.startswith("$") and topic_filter[:1] in ("+", "#"):
        return False
    filter_levels = topic_filter.split("/")
    topic_levels = topic.split("/")
    for index, level in enumerate(filter_levels):
        if level == "#":
            return True
        if index >= len(topic_levels) or level not in ("+", topic_levels[index]):
            return False
    return len(filter_levels) == len(topic_levels)
