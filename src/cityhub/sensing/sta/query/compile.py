"""Compiles ``$filter`` and ``$orderby`` trees into SQLAlchemy expressions.

``compile_filter`` splits the filter at its top-level ``and``/``or``/``not``; each remaining
predicate is compiled with a ``Scope`` of its own and, if it navigates relations, wrapped in a
correlated ``EXISTS`` (see ``scope``). The result is a boolean expression over ``source``, an
``aliased(entity.model)``, for ``select(source).where(...)``.

``compile_orderby`` gives SensorThings' null ordering (nulls first ascending, last descending)
on both databases by sorting on a ``CASE … IS NULL`` rank before each value; PostgreSQL and
SQLite disagree on where NULLs go by default. Paths through to-one relations become scalar
subqueries. ``result`` and JSON paths sort by three keys — the number, the text, the boolean
— each with its own null rank, so numbers order among numbers and text among text.

Errors are ``InvalidInput`` with ``details={"option", "position"}``; ``option`` is
``$filter``/``$orderby`` at the top level and ``$expand`` for options nested in an expand
(their positions are offsets in the ``$expand`` text).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, false, not_, or_, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnClause, ColumnElement, False_, True_

from cityhub.errors import InvalidInput
from cityhub.sensing.sta.entities import ENTITY_TYPES, EntityType
from cityhub.sensing.sta.query.functions import (
    DATE_FUNCTIONS,
    MATH_FUNCTIONS,
    STRING_FUNCTIONS,
    date_function,
    math_function,
    string_function,
)
from cityhub.sensing.sta.query.geo import GEO_FUNCTIONS, geo_function
from cityhub.sensing.sta.query.model import OrderItem, QueryOptions
from cityhub.sensing.sta.query.nodes import (
    COMPARISONS,
    Binary,
    BoolLit,
    Call,
    DateLit,
    DateTimeLit,
    DurationLit,
    Expr,
    GeoLit,
    Logical,
    NullLit,
    NumberLit,
    Path,
    StringLit,
    TimeLit,
    Unary,
)
from cityhub.sensing.sta.query.operators import arithmetic, compare, negate, unsettled
from cityhub.sensing.sta.query.scope import Scope
from cityhub.sensing.sta.query.sqlfuncs import GROUP, all_of, any_of
from cityhub.sensing.sta.query.typed import Errors, Source, Type, Value, boolean, constant

_LITERAL_TYPES: dict[type[Any], Type] = {
    StringLit: Type.STRING,
    NumberLit: Type.NUMBER,
    BoolLit: Type.BOOLEAN,
    NullLit: Type.NULL,
    DateTimeLit: Type.DATETIME,
    DateLit: Type.DATE,
    TimeLit: Type.TIME,
    DurationLit: Type.DURATION,
}


def compile_filter(
    entity: EntityType, source: Source, expr: Expr, *, option: str = "$filter"
) -> ColumnElement[bool]:
    """A boolean SQL expression over ``source`` that is true where ``expr`` holds."""
    return _Compiler(entity, source, Errors(option)).predicate(expr)


def compile_orderby(
    entity: EntityType,
    source: Source,
    items: Sequence[OrderItem],
    *,
    option: str = "$orderby",
) -> list[ColumnElement[Any]]:
    """ORDER BY terms over ``source``: nulls first ascending, last descending.

    Append ``source.id`` yourself for a stable order across pages.
    """
    compiler = _Compiler(entity, source, Errors(option))
    terms: list[ColumnElement[Any]] = []
    for item in items:
        scope = Scope(entity, source, compiler.errors)
        value = compiler.value(item.expr, scope)
        keys = _sort_keys(value, compiler.errors)
        if not keys:
            continue  # a constant orders nothing
        for key in keys:
            sql = scope.scalar(key, item.expr.pos)
            # Before each key, a 0/1 rank that puts its NULLs first (asc) or last (desc).
            null_rank = case(
                (sql.is_(None), 1 if item.descending else 0), else_=int(not item.descending)
            )
            terms.append(null_rank.asc())
            terms.append(sql.desc() if item.descending else sql.asc())
    return terms


def logical(op: str, parts: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """``and``/``or`` of conditions; long lists nest in groups (SQLite's depth limit)."""
    absorbing, neutral = (False_, True_) if op == "and" else (True_, False_)
    if any(isinstance(part, absorbing) for part in parts):
        return false() if op == "and" else true()
    parts = [part for part in parts if not isinstance(part, neutral)]
    if not parts:
        return true() if op == "and" else false()
    if len(parts) <= GROUP:
        return and_(*parts) if op == "and" else or_(*parts)
    return all_of(*parts) if op == "and" else any_of(*parts)


def _sort_keys(value: Value, errors: Errors) -> list[ColumnElement[Any]]:
    if value.poly is not None:
        if not value.poly.columns:
            raise unsettled(value, Type.ANY, errors)
        return value.poly.sort_keys()
    if value.point is not None or value.type in (Type.GEOMETRY, Type.DURATION):
        raise errors.at(value.pos, f"cannot order by a {value.type}")
    if value.is_const or not _mentions_columns(value.sql):
        return []  # a constant orders nothing (and "ORDER BY 0" would mean a column position)
    assert value.sql is not None
    return [value.sql]


def _mentions_columns(sql: Any) -> bool:
    if sql is not None and hasattr(sql, "__clause_element__"):
        sql = sql.__clause_element__()  # an ORM attribute: its column
    return sql is not None and any(
        isinstance(element, ColumnClause) and element.table is not None
        for element in visitors.iterate(sql)
    )


def check_options(entity: EntityType, options: QueryOptions, *, nested: bool = False) -> None:
    """Check every name in ``options`` against ``entity``, recursively through ``$expand``.

    Compiles ``$filter`` and ``$orderby`` (discarding the SQL) so that their paths and types
    are checked before any query runs; ``InvalidInput`` names option and position.
    """
    source = aliased(entity.model)
    if options.filter is not None:
        compile_filter(entity, source, options.filter, option="$expand" if nested else "$filter")
    if options.orderby:
        compile_orderby(entity, source, options.orderby, option="$expand" if nested else "$orderby")
    for name in options.select:
        if name != "id" and name not in entity.properties and name not in entity.relations:
            raise InvalidInput(
                f"$select: {entity.name} has no property {name!r}",
                details={"option": "$expand" if nested else "$select", "name": name},
            )
    for item in options.expand:
        relation = entity.relations.get(item.relation)
        if relation is None:
            raise InvalidInput(
                f"$expand: {entity.name} has no navigation property {item.relation!r}",
                details={"option": "$expand", "name": item.relation},
            )
        check_options(ENTITY_TYPES[relation.target], item.options, nested=True)


class _Compiler:
    """Compiles the nodes of one expression over one entity type."""

    def __init__(self, entity: EntityType, source: Source, errors: Errors) -> None:
        self.entity = entity
        self.source = source
        self.errors = errors

    def predicate(self, node: Expr) -> ColumnElement[bool]:
        """A filter (or part of one): logic at the top, scoped predicates below."""
        if isinstance(node, Logical):
            return logical(node.op, [self.predicate(operand) for operand in node.operands])
        if isinstance(node, Unary) and node.op == "not":
            return not_(self.predicate(node.operand))
        scope = Scope(self.entity, self.source, self.errors)
        return scope.wrap(self.condition(self.value(node, scope)))

    def condition(self, value: Value) -> ColumnElement[bool]:
        """A value used as a condition: it must be a boolean (null counts as false)."""
        value = value.typed(Type.BOOLEAN)
        if value.type is Type.NULL:
            return false()
        if value.type is not Type.BOOLEAN or value.poly is not None:
            raise self.errors.at(
                value.pos, f"expected a condition (true or false), not a {value.type}"
            )
        if value.is_const:
            return true() if value.const else false()
        assert value.sql is not None
        return value.sql

    def value(self, node: Expr, scope: Scope) -> Value:
        """The typed value of any node, joining the paths it uses in ``scope``."""
        if isinstance(node, Path):
            return scope.resolve(node)
        if isinstance(node, GeoLit):
            return constant(None, Type.GEOMETRY, node.pos, shape=node.shape)
        literal_type = _LITERAL_TYPES.get(type(node))
        if literal_type is not None:
            return constant(getattr(node, "value", None), literal_type, node.pos)
        if isinstance(node, Logical):
            parts = [self.condition(self.value(operand, scope)) for operand in node.operands]
            return boolean(logical(node.op, parts), node.pos)
        if isinstance(node, Unary):
            operand = self.value(node.operand, scope)
            if node.op == "not":
                return boolean(not_(self.condition(operand)), node.pos)
            return negate(operand, self.errors)
        if isinstance(node, Binary):
            left, right = self.value(node.left, scope), self.value(node.right, scope)
            if node.op in COMPARISONS:
                return boolean(compare(node.op, left, right, self.errors), node.pos)
            return arithmetic(node.op, left, right, self.errors)
        assert isinstance(node, Call)
        result = self.call(node, scope)
        if result.type is Type.BOOLEAN and result.sql is not None:
            return boolean(result.sql, result.pos)
        return result

    def call(self, node: Call, scope: Scope) -> Value:
        args = [self.value(arg, scope) for arg in node.args]
        if node.name in STRING_FUNCTIONS:
            return string_function(node.name, args, node.pos, self.errors)
        if node.name in DATE_FUNCTIONS:
            return date_function(node.name, args, node.pos, self.errors)
        if node.name in MATH_FUNCTIONS:
            return math_function(node.name, args, node.pos, self.errors)
        if node.name in GEO_FUNCTIONS:
            return geo_function(node.name, args, node.pos, self.errors)
        raise self.errors.at(node.pos, f"{node.name}() is not supported")  # pragma: no cover
