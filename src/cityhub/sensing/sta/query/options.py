"""The SensorThings system query options of one request: ``$filter`` … ``$resultFormat``.

``parse_options`` reads the query parameters of a request (those not starting with ``$`` are
ignored) into a ``QueryOptions``. ``$expand`` paths with several segments
(``Datastreams/Observations``) become a tree of one-hop ``Expand`` items, merged by relation,
so the reader walks ``options.expand`` recursively. Names are checked against the entity
types later (``check_options`` and the compiler); here only the syntax is.

Option names are matched case-insensitively (``$Filter``); a ``$`` option not listed in
``KNOWN_OPTIONS`` is refused — the HTTP layer should answer such requests 501 Not
Implemented, as the standard asks, and can find them with ``unknown_options`` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from cityhub.errors import InvalidInput
from cityhub.sensing.sta.query.expand import parse_expand
from cityhub.sensing.sta.query.lexer import Tok, syntax_error
from cityhub.sensing.sta.query.model import (
    KNOWN_OPTIONS,
    MAX_SKIP,
    Expand,
    OrderItem,
    QueryOptions,
)
from cityhub.sensing.sta.query.parser import Parser, check_depth, parse_filter

__all__ = ["Expand", "OrderItem", "QueryOptions", "parse_options", "unknown_options"]


def unknown_options(params: Mapping[str, str]) -> list[str]:
    """The ``$`` options of a request that this server does not implement (answer 501)."""
    return [name for name in params if name.startswith("$") and name.lower() not in KNOWN_OPTIONS]


def parse_options(params: Mapping[str, str], *, max_top: int, default_top: int) -> QueryOptions:
    """The query options of a request's parameters; ``InvalidInput`` names option and position.

    ``$top`` above ``max_top`` is capped, not refused. Unknown ``$`` options are refused with
    ``details={"option": name, "not_implemented": True}`` (see ``unknown_options``).
    """
    for name in unknown_options(params):
        raise InvalidInput(
            f"the query option {name} is not implemented",
            details={"option": name, "not_implemented": True},
        )
    given = {name.lower(): value for name, value in params.items() if name.startswith("$")}
    limits = _Limits(max_top=max_top, default_top=default_top)
    options = _build(given, limits, dict.fromkeys(given, 0), depth=0)
    result_format = given.get("$resultformat")
    if result_format is not None:
        if result_format.strip().lower() != "dataarray":
            raise InvalidInput(
                f"$resultFormat {result_format!r} is not supported; use dataArray",
                details={"option": "$resultFormat", "position": 0},
            )
        options = replace(options, result_format="dataArray")
    return options


@dataclass(frozen=True)
class _Limits:
    max_top: int
    default_top: int


def _build(
    given: Mapping[str, str], limits: _Limits, bases: Mapping[str, int], *, depth: int
) -> QueryOptions:
    """Options from (lower-cased) names and values; ``bases`` offset each value's positions.

    Top-level values report positions in themselves under their own name; values nested in
    ``$expand`` report positions in the ``$expand`` text under ``$expand``.
    """

    def option(name: str) -> str:
        return "$expand" if depth else name

    options = QueryOptions(top=limits.default_top)
    if "$filter" in given:
        expr = parse_filter(given["$filter"], option=option("$filter"), base=bases["$filter"])
        options = replace(options, filter=expr)
    if "$orderby" in given:
        items = parse_orderby(given["$orderby"], option=option("$orderby"), base=bases["$orderby"])
        options = replace(options, orderby=items)
    if "$top" in given:
        top = _count_value(given["$top"], option("$top"), bases["$top"], "$top")
        options = replace(options, top=min(top, limits.max_top), top_given=True)
    if "$skip" in given:
        skip = _count_value(given["$skip"], option("$skip"), bases["$skip"], "$skip")
        options = replace(options, skip=skip)
    if "$count" in given:
        count = _bool_value(given["$count"], option("$count"), bases["$count"])
        options = replace(options, count=count)
    if "$select" in given:
        names = parse_select(given["$select"], option=option("$select"), base=bases["$select"])
        options = replace(options, select=names)
    if "$expand" in given:
        expands = parse_expand(
            given["$expand"],
            lambda nested, nested_bases: _build(nested, limits, nested_bases, depth=depth + 1),
            base=bases["$expand"],
            depth=depth,
        )
        options = replace(options, expand=expands)
    return options


def _count_value(text: str, option: str, base: int, name: str) -> int:
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit() or len(stripped) > 19:
        raise InvalidInput(
            f"{name} must be a non-negative integer, not {text!r}",
            details={"option": option, "position": base},
        )
    value = int(stripped)
    if value > MAX_SKIP:
        raise InvalidInput(f"{name} is too large", details={"option": option, "position": base})
    return value


def _bool_value(text: str, option: str, base: int) -> bool:
    if text.strip() not in ("true", "false"):
        raise InvalidInput(
            f"$count must be true or false, not {text!r}",
            details={"option": option, "position": base},
        )
    return text.strip() == "true"


def parse_orderby(text: str, *, option: str = "$orderby", base: int = 0) -> tuple[OrderItem, ...]:
    """``a desc, Datastream/id`` → order items; ``asc``/``desc`` in any case, asc by default."""
    parser = Parser(text, option=option, base=base)
    items: list[OrderItem] = []
    while True:
        expr = parser.expression()
        check_depth(expr, option)
        direction = parser.keyword()
        descending = False
        if direction in ("asc", "desc"):
            parser.advance()
            descending = direction == "desc"
        items.append(OrderItem(expr, descending))
        if parser.token.kind is Tok.EOF:
            return tuple(items)
        if parser.token.kind is not Tok.COMMA:
            raise parser.fail("asc, desc, ',' or the end")
        parser.advance()


def parse_select(text: str, *, option: str = "$select", base: int = 0) -> tuple[str, ...]:
    """``name,Datastreams,@iot.id`` → property names (``@iot.id`` becomes ``id``)."""
    names: list[str] = []
    offset = 0
    for part in text.split(","):
        name = part.strip()
        position = base + offset + (len(part) - len(part.lstrip()))
        if not name or not _is_name(name):
            found = repr(name) if name else "nothing"
            raise syntax_error(option, position, "a property name", found)
        name = "id" if name == "@iot.id" else name
        if name not in names:
            names.append(name)
        offset += len(part) + 1
    return tuple(names)


def _is_name(name: str) -> bool:
    plain = name.replace("_", "a")
    return name == "@iot.id" or (plain.isascii() and plain.isalnum() and name[0].isalpha())
