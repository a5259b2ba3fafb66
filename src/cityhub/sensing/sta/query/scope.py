"""Property paths: from ``Datastreams/Observations/resultTime`` to SQL over joined aliases.

A ``Scope`` collects the joins that the paths of one predicate need; the predicate is then
wrapped in a correlated ``EXISTS`` over them (for a to-many path that means "some related
entity matches", for a to-one path "the related entity exists and matches"). Each predicate
gets a scope of its own, so ``Datastreams/name eq 'a' and Datastreams/name eq 'b'`` asks for
a Thing with some Datastream named a and some (maybe other) Datastream named b. Within one
predicate, the same path prefix is joined once.

A path ending in ``<to-one relation>/id`` reads the foreign key itself (``Datastream/id`` on
an Observation is ``datastream_id``), and ``<link relation>/id`` reads the link table only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, literal_column, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from cityhub.sensing.sta.entities import ENTITY_TYPES, EntityType, Kind, Relation
from cityhub.sensing.sta.query.nodes import Path
from cityhub.sensing.sta.query.sqlfuncs import json_is_null
from cityhub.sensing.sta.query.typed import (
    Errors,
    Poly,
    Source,
    Type,
    Value,
    json_poly,
    result_poly,
)

_SCALAR_KINDS = {
    Kind.TEXT: Type.STRING,
    Kind.URI: Type.STRING,
    Kind.INSTANT: Type.DATETIME,
    Kind.INTERVAL: Type.DATETIME,  # compared at its start (FROST does the same for instants)
    Kind.TIME: Type.DATETIME,
}


class Scope:
    """The joins of one predicate, rooted at ``source`` (an alias of ``entity.model``)."""

    def __init__(self, entity: EntityType, source: Source, errors: Errors) -> None:
        self.entity = entity
        self.source = source
        self.errors = errors
        self.aliases: dict[tuple[str, ...], tuple[EntityType, Source]] = {}
        self.froms: list[Source] = []
        self.conditions: list[ColumnElement[bool]] = []
        self.many = False

    # --- results ---------------------------------------------------------------------------

    def wrap(self, predicate: ColumnElement[bool]) -> ColumnElement[bool]:
        """``predicate`` as it applies to a row of ``source``: inside EXISTS if paths joined."""
        if not self.froms:
            return predicate
        query: Select[Any] = select(literal_column("1")).select_from(*self.froms)
        return exists(query.where(*self.conditions, predicate))

    def scalar(self, expr: ColumnElement[Any], pos: int) -> ColumnElement[Any]:
        """``expr`` as one value per row of ``source`` (for ``$orderby``): to-one paths only."""
        if not self.froms:
            return expr
        if self.many:
            raise self.errors.at(pos, "ordering needs a path through to-one relations only")
        query = select(expr).select_from(*self.froms).where(*self.conditions)
        return query.scalar_subquery()

    # --- paths -----------------------------------------------------------------------------

    def resolve(self, path: Path) -> Value:
        """The value of a property path, joining what it navigates through."""
        entity, alias = self.entity, self.source
        segments = path.segments
        prefix: tuple[str, ...] = ()
        for index, name in enumerate(segments):
            relation = entity.relations.get(name)
            if relation is not None:
                rest = segments[index + 1 :]
                if rest == ("id",) and relation.shape != "reverse":
                    return self._foreign_id(alias, relation, path.pos)
                prefix = (*prefix, name)
                entity, alias = self._join(prefix, alias, relation)
                continue
            if name == "id":
                if index != len(segments) - 1:
                    raise self.errors.at(path.pos, "id has no properties")
                return Value(Type.NUMBER, alias.id, integral=True, pos=path.pos)
            prop = entity.properties.get(name)
            if prop is None:
                raise self.errors.at(
                    path.pos, f"{entity.name} has no property or navigation property {name!r}"
                )
            return self._property(alias, prop.kind, prop.columns, segments[index + 1 :], path)
        raise self.errors.at(
            path.pos, f"{segments[-1]} is a navigation property: name one of its properties"
        )

    def _foreign_id(self, alias: Source, relation: Relation, pos: int) -> Value:
        if relation.shape == "fk":
            return Value(Type.NUMBER, getattr(alias, relation.column), integral=True, pos=pos)
        assert relation.link is not None and relation.other is not None
        link = aliased(relation.link)
        self.froms.append(link)
        self.conditions.append(getattr(link, relation.column) == alias.id)
        self.many = True
        return Value(Type.NUMBER, getattr(link, relation.other), integral=True, pos=pos)

    def _join(
        self, prefix: tuple[str, ...], alias: Source, relation: Relation
    ) -> tuple[EntityType, Source]:
        known = self.aliases.get(prefix)
        if known is not None:
            return known
        entity = ENTITY_TYPES[relation.target]
        target: Source = aliased(entity.model)
        if relation.shape == "fk":
            self.conditions.append(target.id == getattr(alias, relation.column))
        elif relation.shape == "reverse":
            self.conditions.append(getattr(target, relation.column) == alias.id)
        else:
            assert relation.link is not None and relation.other is not None
            link = aliased(relation.link)
            self.froms.append(link)
            self.conditions.append(getattr(link, relation.column) == alias.id)
            self.conditions.append(target.id == getattr(link, relation.other))
        self.froms.append(target)
        self.many = self.many or relation.many
        self.aliases[prefix] = (entity, target)
        return entity, target

    def _property(
        self,
        alias: Source,
        kind: Kind,
        columns: tuple[str, ...],
        keys: tuple[str, ...],
        path: Path,
    ) -> Value:
        what = "/".join(path.segments)
        if kind in _SCALAR_KINDS:
            if keys:
                raise self.errors.at(path.pos, f"{path.segments[0]} has no properties")
            return Value(_SCALAR_KINDS[kind], getattr(alias, columns[0]), pos=path.pos)
        if kind is Kind.RESULT:
            _, number, boolean, string, json_column = (getattr(alias, c) for c in columns)
            if keys:
                return Value(Type.ANY, poly=json_poly(json_column, keys, what), pos=path.pos)
            poly = result_poly(number, boolean, string, json_column)
            return Value(Type.ANY, poly=poly, pos=path.pos)
        column = getattr(alias, columns[0])
        if keys:
            return Value(Type.ANY, poly=json_poly(column, keys, what), pos=path.pos)
        if kind is Kind.GEOMETRY and hasattr(alias, "x"):
            return Value(Type.GEOMETRY, point=(alias.x, alias.y), pos=path.pos)
        # A whole JSON object (properties, unitOfMeasurement …): only "eq null" means anything.
        return Value(
            Type.ANY, poly=Poly({}, json_is_null(column, ()), Type.ANY, what), pos=path.pos
        )
