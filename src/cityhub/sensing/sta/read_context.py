"""What every read step shares: the ``Reader`` (session, caller, links, limits), the ``Scope``
a path resolved to, and the conditions and ordering every collection query starts from.

Queries run over an ``aliased`` model (``source``), as the ``$filter`` compiler expects, so
that a query may join the same table again for a relation path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.util import AliasedClass

from cityhub.auth import Actor
from cityhub.sensing.access import visibility
from cityhub.sensing.sta.entities import EntityType, Relation
from cityhub.sensing.sta.query import QueryOptions, compile_filter, compile_orderby
from cityhub.sensing.sta.serialise import Links

Params = Sequence[tuple[str, str]]
Source = AliasedClass[Any]


def alias(entity: EntityType) -> Source:
    """A fresh alias of ``entity``'s model to query it from."""
    return cast(Source, aliased(entity.model))


@dataclass(frozen=True)
class Reader:
    """What a read needs besides the path: the session, who asks, where links point, limits."""

    session: Session
    actor: Actor
    links: Links
    max_top: int
    default_top: int


@dataclass(frozen=True)
class Parent:
    """The entity a collection was reached from: ``Things(1)`` of ``Things(1)/Datastreams``."""

    entity: EntityType
    key: int
    relation: Relation


@dataclass(frozen=True)
class Scope:
    """What a resolved path addresses: one entity (``key``), or a collection — of a whole
    entity set, or of the entities related to ``parent``."""

    entity: EntityType
    key: int | None = None
    parent: Parent | None = None


def conditions(
    reader: Reader, entity: EntityType, source: Source, options: QueryOptions
) -> list[ColumnElement[bool]]:
    """What the caller may see of ``entity`` (over ``source``), and its ``$filter``."""
    found = [visibility(entity.set_name, source, reader.actor)]
    if options.filter is not None:
        found.append(compile_filter(entity, source, options.filter))
    return found


def order(entity: EntityType, source: Source, options: QueryOptions) -> list[ColumnElement[Any]]:
    """``$orderby``, then the id so that the order is total and pages are stable."""
    clauses: list[ColumnElement[Any]] = []
    if options.orderby:
        clauses.extend(compile_orderby(entity, source, options.orderby))
    clauses.append(source.id)
    return clauses
