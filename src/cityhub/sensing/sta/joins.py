"""How a relation joins two entity sets in SQL, for navigation paths and ``$expand``.

``members`` is the condition "this target row belongs to one of these parents";
``with_parent_key`` names, on each target row, the parent it was reached from (``$expand``
reads the children of a whole page of parents in one query).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Select, select

from cityhub.sensing.sta.entities import ENTITY_TYPES, Relation


def members(
    relation: Relation, owner_set: str, parent_ids: Collection[int], target: Any
) -> ColumnElement[bool]:
    """Condition on ``target`` (the relation's target model or an alias of it): related to one
    of ``parent_ids``, entities of ``owner_set``, the set the relation belongs to."""
    ids = list(parent_ids)
    if relation.shape == "reverse":
        condition: ColumnElement[bool] = getattr(target, relation.column).in_(ids)
        return condition
    if relation.shape == "link":
        assert relation.link is not None and relation.other is not None
        linked = select(getattr(relation.link, relation.other)).where(
            getattr(relation.link, relation.column).in_(ids)
        )
        condition = target.id.in_(linked)
        return condition
    owner: Any = ENTITY_TYPES[owner_set].model
    held = select(getattr(owner, relation.column)).where(owner.id.in_(ids))
    condition = target.id.in_(held)
    return condition


def with_parent_key(
    relation: Relation, statement: Select[Any], target: Any
) -> tuple[Select[Any], ColumnElement[Any]]:
    """``statement`` (over ``target``) joined as needed to name each row's parent, and the
    parent-key expression; for collections ("reverse" and "link" relations) only."""
    if relation.shape == "reverse":
        key: ColumnElement[Any] = getattr(target, relation.column)
        return statement, key
    if relation.shape == "link":
        assert relation.link is not None and relation.other is not None
        link = relation.link
        joined = statement.join(link, getattr(link, relation.other) == target.id)
        key = getattr(link, relation.column)
        return joined, key
    raise ValueError(f"{relation.name} leads to one entity: read it by the id its owner holds")
