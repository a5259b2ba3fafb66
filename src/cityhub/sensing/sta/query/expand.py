"""``$expand``: comma lists of navigation paths, each with nested options in parentheses.

``Datastreams($filter=name eq 'x';$expand=Observations($top=1)),Locations`` — the nested
options are separated by ``;`` and may nest again. Commas, semicolons and parentheses inside
quoted strings of a nested ``$filter`` are text, not structure. A path with several segments
becomes a chain of one-hop ``Expand`` items, and items of the same relation are merged, so
``Datastreams,Datastreams/Sensor`` expands Datastreams once, with its Sensor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from cityhub.errors import InvalidInput
from cityhub.sensing.sta.query.lexer import syntax_error
from cityhub.sensing.sta.query.model import (
    MAX_EXPAND_DEPTH,
    NESTED_OPTIONS,
    Expand,
    QueryOptions,
)

BuildNested = Callable[[Mapping[str, str], Mapping[str, int]], QueryOptions]


def parse_expand(
    text: str, build: BuildNested, *, base: int = 0, depth: int = 0
) -> tuple[Expand, ...]:
    """The expand tree of a ``$expand`` text; ``build`` turns nested options into QueryOptions.

    Positions in errors are offsets in the top-level ``$expand`` text (``base`` + offset).
    """
    if depth >= MAX_EXPAND_DEPTH:
        raise _error(base, f"at most {MAX_EXPAND_DEPTH} levels of nested $expand", "more")
    items: list[tuple[Expand, bool]] = []
    for start, part in _split(text, ",", base):
        items.append(_item(part, start, build, depth))
    return tuple(expand for expand, _ in _merge(items))


def _item(text: str, base: int, build: BuildNested, depth: int) -> tuple[Expand, bool]:
    """One ``Path/To/Relation(options)`` item and whether it had options."""
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    start = base + lead
    open_at = stripped.find("(")
    path_text = stripped if open_at < 0 else stripped[:open_at]
    segments = _segments(path_text, start)
    options = build({}, {})
    explicit = open_at >= 0
    if explicit:
        if not stripped.endswith(")"):
            found = repr(stripped[-1:]) if stripped else "the end"
            raise _error(start + len(stripped) - 1, "')' closing the nested options", found)
        inner = stripped[open_at + 1 : -1]
        inner_base = start + open_at + 1
        options = build(*_nested_options(inner, inner_base))
    expand = Expand(segments[-1], options)
    for name in reversed(segments[:-1]):
        expand = Expand(name, replace(build({}, {}), expand=(expand,)))
    return expand, explicit and len(segments) == 1


def _segments(path_text: str, start: int) -> list[str]:
    segments: list[str] = []
    offset = 0
    for part in path_text.split("/"):
        name = part.strip()
        if not name or not (name.isascii() and name.replace("_", "a").isalnum()):
            found = repr(name) if name else "nothing"
            raise _error(start + offset, "a navigation property name", found)
        segments.append(name)
        offset += len(part) + 1
    if len(segments) > MAX_EXPAND_DEPTH:
        raise _error(start, f"a path of at most {MAX_EXPAND_DEPTH} navigation properties", "more")
    return segments


def _nested_options(text: str, base: int) -> tuple[dict[str, str], dict[str, int]]:
    given: dict[str, str] = {}
    bases: dict[str, int] = {}
    for start, part in _split(text, ";", base):
        lead = len(part) - len(part.lstrip())
        name, equals, value = part.strip().partition("=")
        key = name.strip().lower()
        if not equals or key not in NESTED_OPTIONS:
            expected = "a query option such as $filter=… ($resultFormat is not allowed here)"
            raise _error(start + lead, expected, repr(name.strip()) if name.strip() else "nothing")
        if key in given:
            raise _error(start + lead, f"{name.strip()} only once", "it twice")
        given[key] = value
        bases[key] = start + lead + len(name) + 1
    return given, bases


def _split(text: str, separator: str, base: int) -> list[tuple[int, str]]:
    """Parts of ``text`` between top-level separators, with their absolute start positions."""
    parts: list[tuple[int, str]] = []
    level = 0
    quoted = False
    start = 0
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            level += 1
            opened.append(index)
        elif char == ")":
            level -= 1
            if level < 0:
                raise _error(base + index, "no ')' without an opening '('", "')'")
            opened.pop()
        elif char == separator and level == 0:
            parts.append((base + start, text[start:index]))
            start = index + 1
    if quoted:
        raise _error(base + text.rfind("'"), "a closing quote for the string", "none")
    if level:
        raise _error(base + opened[-1], "a ')' matching this '('", "none")
    parts.append((base + start, text[start:]))
    return parts


def _merge(items: list[tuple[Expand, bool]]) -> list[tuple[Expand, bool]]:
    """Merge items of the same relation; only one of them may carry its own options."""
    merged: dict[str, tuple[Expand, bool]] = {}
    for expand, explicit in items:
        known = merged.get(expand.relation)
        if known is None:
            merged[expand.relation] = (expand, explicit)
            continue
        first, first_explicit = known
        if first_explicit and explicit:
            raise InvalidInput(
                f"$expand names {expand.relation} twice with options",
                details={"option": "$expand", "position": 0},
            )
        keep = expand.options if explicit else first.options
        nested = _merge(
            [(e, False) for e in first.options.expand] + [(e, False) for e in expand.options.expand]
        )
        options = replace(keep, expand=tuple(e for e, _ in nested))
        merged[expand.relation] = (Expand(expand.relation, options), first_explicit or explicit)
    return list(merged.values())


def _error(position: int, expected: str, found: str) -> InvalidInput:
    return syntax_error("$expand", position, expected, found)
