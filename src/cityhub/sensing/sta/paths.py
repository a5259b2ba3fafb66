"""Resource paths of the SensorThings URL (OGC 18-088 §9.2, usages 1–8), parsed and resolved.

``Things(1)/Datastreams``, ``Observations(5)/resultTime/$value``,
``Datastreams(1)/Observations/$ref``, ``Things('7')/properties/owner``: the text after the
service root becomes a ``ResourcePath`` — the chain of entity sets and navigation properties
(``steps``), then optionally a property with keys into its JSON value, ``$value`` or ``$ref``.
Parsing checks the names against the entity registry, so a path that parses is well-formed;
whether the entities exist (and are visible) is for the reader to find out.

Ids are integers. A quoted id (``Things('7')``, as clients send for string ids) is accepted
when it holds an integer; any other quoted id names no entity (404). An id that is neither a
number nor a quoted string is malformed (400).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cityhub.errors import InvalidInput, NotFound
from cityhub.sensing.sta.entities import ENTITY_TYPES, EntityType, Kind, Relation

# Property kinds whose JSON value may be addressed further (``properties/owner``).
NESTED_KINDS = frozenset({Kind.JSON, Kind.OBJECT, Kind.GEOMETRY})
LARGEST_ID = 2**63 - 1  # beyond BIGINT: no such entity, and no overflow in the driver

_SEGMENT = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9_]*)(?:\((?P<key>.*)\))?", re.DOTALL)


@dataclass(frozen=True)
class Step:
    """One entity-set or navigation segment: ``Things(1)`` or ``Datastreams``.

    ``relation`` is how the step is reached from the previous one (None for the first);
    ``key`` the id given in parentheses, if any.
    """

    entity: EntityType
    relation: Relation | None
    key: int | None

    @property
    def is_collection(self) -> bool:
        """Whether the step addresses a collection rather than one entity."""
        if self.key is not None:
            return False
        return self.relation is None or self.relation.many


@dataclass(frozen=True)
class ResourcePath:
    """A parsed resource path.

    ``prop`` is the addressed property (None when the path ends at entities) and ``keys`` the
    names into its JSON value; ``value`` marks ``$value``, ``ref`` marks ``$ref``.
    """

    steps: tuple[Step, ...]
    prop: str | None = None
    keys: tuple[str, ...] = ()
    value: bool = False
    ref: bool = False

    @property
    def last(self) -> Step:
        """The step whose entities the path addresses."""
        return self.steps[-1]

    @property
    def is_collection(self) -> bool:
        """Whether the path addresses a collection of entities (or their ``$ref``)."""
        return self.prop is None and self.last.is_collection


def split_segments(text: str) -> list[str]:
    """``text`` split at ``/`` outside quoted ids; one trailing ``/`` is allowed."""
    segments: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == "'":
            quoted = not quoted
        if char == "/" and not quoted:
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
    segments.append("".join(current))
    if len(segments) > 1 and segments[-1] == "":
        segments.pop()
    return segments


def parse_key(text: str, segment: str) -> int | None:
    """The id inside ``(...)``: an integer, or a quoted string holding one.

    None for a quoted id that is not an integer or for an integer beyond any stored id (no
    such entity); InvalidInput for anything else.
    """
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        inner = text[1:-1]
        if "'" in inner.replace("''", ""):
            raise _malformed(segment, "a quote inside a quoted id must be doubled")
        text = inner.replace("''", "'").strip()
        if not re.fullmatch(r"[+-]?\d+", text):
            return None
    elif not re.fullmatch(r"[+-]?\d+", text):
        raise _malformed(segment, "an id is an integer or a quoted string")
    number = int(text)
    return number if 0 <= number <= LARGEST_ID else None


def parse_path(text: str) -> ResourcePath:
    """Parse the resource path after the service root (without a leading ``/``).

    NotFound for unknown entity sets, navigation properties or properties, and for ids that
    can name no entity; InvalidInput for malformed segments.
    """
    segments = split_segments(text)
    if not segments or not segments[0]:
        raise NotFound("no resource path", details={"path": text})
    steps = [_first_step(segments[0])]
    index = 1
    while index < len(segments):
        segment = segments[index]
        previous = steps[-1]
        if segment == "$ref":
            _expect_end(segments, index, text)
            if previous.key is not None and previous.relation is None:
                raise NotFound("$ref follows a navigation property", details={"path": text})
            return ResourcePath(tuple(steps), ref=True)
        if previous.is_collection:
            raise NotFound(
                f"{segment!r} cannot follow the collection {_name(previous)}",
                details={"path": text, "segment": segment},
            )
        relation = previous.entity.relations.get(_bare_name(segment))
        if relation is not None:
            steps.append(_navigation_step(relation, segment))
            index += 1
            continue
        return _property_path(tuple(steps), segments[index:], text)
    return ResourcePath(tuple(steps))


def _first_step(segment: str) -> Step:
    match = _match(segment)
    entity = ENTITY_TYPES.get(match.group("name"))
    if entity is None:
        raise NotFound(f"no entity set {match.group('name')!r}", details={"path": segment})
    return Step(entity, None, _key_of(match, segment))


def _navigation_step(relation: Relation, segment: str) -> Step:
    match = _match(segment)
    key = _key_of(match, segment)
    if match.group("key") is not None and not relation.many:
        raise NotFound(
            f"{relation.name} leads to one entity and takes no id", details={"segment": segment}
        )
    return Step(ENTITY_TYPES[relation.target], relation, key)


def _property_path(steps: tuple[Step, ...], rest: list[str], text: str) -> ResourcePath:
    entity = steps[-1].entity
    name = rest[0]
    prop = entity.properties.get(name)
    if prop is None:
        raise NotFound(
            f"{entity.name} has no property or navigation property {name!r}",
            details={"path": text, "segment": name},
        )
    keys: list[str] = []
    for position, segment in enumerate(rest[1:], start=1):
        if segment == "$value":
            _expect_end(rest, position, text)
            return ResourcePath(steps, name, tuple(keys), value=True)
        if prop.kind not in NESTED_KINDS or not segment or segment.startswith("$"):
            raise NotFound(
                f"{entity.name}/{name} has no part {segment!r}",
                details={"path": text, "segment": segment},
            )
        keys.append(segment)
    return ResourcePath(steps, name, tuple(keys))


def _match(segment: str) -> re.Match[str]:
    match = _SEGMENT.fullmatch(segment)
    if match is None:
        if "(" in segment and not segment.endswith(")"):
            raise _malformed(segment, "an id in parentheses must end the segment")
        raise NotFound(f"no resource {segment!r}", details={"segment": segment})
    return match


def _key_of(match: re.Match[str], segment: str) -> int | None:
    key_text = match.group("key")
    if key_text is None:
        return None
    key = parse_key(key_text, segment)
    if key is None:
        raise NotFound(f"no entity {segment}", details={"segment": segment})
    return key


def _bare_name(segment: str) -> str:
    return segment.split("(", 1)[0]


def _name(step: Step) -> str:
    return step.relation.name if step.relation is not None else step.entity.set_name


def _expect_end(segments: list[str], index: int, text: str) -> None:
    if index != len(segments) - 1:
        raise NotFound(
            f"{segments[index]} must end the path",
            details={"path": text, "segment": segments[index]},
        )


def _malformed(segment: str, why: str) -> InvalidInput:
    return InvalidInput(f"malformed path segment {segment!r}: {why}", details={"segment": segment})
