"""The parsed query options: ``QueryOptions``, its ``$orderby`` items and ``$expand`` tree."""

from __future__ import annotations

from dataclasses import dataclass, field

from cityhub.sensing.sta.query.nodes import Expr

KNOWN_OPTIONS = (
    "$filter",
    "$orderby",
    "$top",
    "$skip",
    "$count",
    "$select",
    "$expand",
    "$resultformat",
)
NESTED_OPTIONS = frozenset(KNOWN_OPTIONS) - {"$resultformat"}
MAX_SKIP = 2**63 - 1  # PostgreSQL's OFFSET is a bigint
MAX_EXPAND_DEPTH = 10


@dataclass(frozen=True)
class OrderItem:
    """One ``$orderby`` term: an expression (usually a property path) and its direction."""

    expr: Expr
    descending: bool = False


@dataclass(frozen=True)
class QueryOptions:
    """The query options of one collection (or of one expanded relation).

    ``top`` is what to return at most — the requested ``$top`` capped at ``max_top``, or
    ``default_top`` when absent; ``top_given`` says whether ``$top`` was in the request.
    ``select`` is empty when all properties are wanted; ``id`` stands for ``@iot.id``.
    """

    filter: Expr | None = None
    orderby: tuple[OrderItem, ...] = ()
    top: int = 100
    top_given: bool = False
    skip: int = 0
    count: bool = False
    select: tuple[str, ...] = ()
    expand: tuple[Expand, ...] = ()
    result_format: str | None = None  # "dataArray" or None


@dataclass(frozen=True)
class Expand:
    """Expand the navigation property ``relation`` with its own ``options`` (one hop)."""

    relation: str
    options: QueryOptions = field(default_factory=QueryOptions)
