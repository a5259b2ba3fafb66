"""The legal-entity base database as the rules read it: every dataset of that resource class.

The datasets are found by their catalogue resource class (法人单位基础库, the ``legal_entity``
template), read in their newest versions through the pool engine as the caller, so sharing rules
and grants apply: a caller who may read none of them gets answers from declared facts only. When
several datasets play the role, the first by name that has a credit code wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cityhub import catalog
from cityhub.auth import Actor
from cityhub.catalog import ResourceClass
from cityhub.errors import PermissionDenied
from cityhub.pool.engine import Relation, quote
from cityhub.pool.service import Pool, Readable, readable
from cityhub.programme.incentives.facts import BaseRecord

CREDIT_CODE = "统一社会信用代码"
# Our field -> the template's column; a dataset lacking one reads it as NULL.
COLUMNS = {
    "name": "单位名称",
    "entity_kind": "单位类型",
    "industry_code": "行业代码",
    "state": "登记状态",
    "region": "住所行政区划代码",
}
FIELDS = ("credit_code", *COLUMNS, "source")


@dataclass(frozen=True)
class BaseDatabase:
    """The readable legal-entity datasets as one SQL subquery of ``FIELDS``."""

    sources: tuple[Readable, ...]

    @property
    def refs(self) -> tuple[str, ...]:
        """``dataset@version`` of each dataset read."""
        return tuple(_ref(source) for source in self.sources)

    @property
    def relations(self) -> list[Relation]:
        """The engine relations the subquery reads."""
        return [source.relation for source in self.sources]

    def subquery(self) -> str:
        """One row per credit code (first dataset wins), columns ``FIELDS``; industry normalised."""
        parts = []
        for priority, source in enumerate(self.sources):
            selected = [f"CAST({quote(CREDIT_CODE)} AS VARCHAR) AS credit_code"]
            for field, column in COLUMNS.items():
                value = f"CAST({quote(column)} AS VARCHAR)" if column in source.types else "NULL"
                selected.append(f"{value} AS {field}")
            selected.append(f"{_literal(_ref(source))} AS source")
            selected.append(f"{priority} AS priority")
            parts.append(
                f"SELECT {', '.join(selected)} FROM {quote(source.relation.name)} "
                f"WHERE {quote(CREDIT_CODE)} IS NOT NULL"
            )
        union = " UNION ALL ".join(parts)
        return (
            f"SELECT {', '.join(FIELDS)} FROM ({union}) AS entities "
            "QUALIFY row_number() OVER (PARTITION BY credit_code ORDER BY priority) = 1"
        )


def _ref(source: Readable) -> str:
    return f"{source.dataset.name}@{source.version.number}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def base_database(pool: Pool, actor: Actor) -> BaseDatabase:
    """The legal-entity datasets the actor may read (newest versions), by dataset name."""
    found = []
    for source in catalog.readable_sources(pool.db, actor):
        if source.dataset.resource_class != ResourceClass.LEGAL_ENTITY.value:
            continue
        try:
            chosen = readable(pool, actor, source.dataset.name, None, "dataset.read")
        except PermissionDenied:  # a grant whose columns leave out what we need
            continue
        if CREDIT_CODE in chosen.types:
            found.append(chosen)
    return BaseDatabase(tuple(found))


def record_of(row: Sequence[Any]) -> BaseRecord:
    """A result row of ``FIELDS`` as a ``BaseRecord``."""
    values = dict(zip(FIELDS, row, strict=True))
    return BaseRecord(
        credit_code=str(values["credit_code"]),
        name=values["name"],
        entity_kind=values["entity_kind"],
        industry_code=values["industry_code"],
        state=values["state"],
        region=values["region"],
        source=str(values["source"]),
    )


def lookup(pool: Pool, base: BaseDatabase, credit_code: str) -> BaseRecord | None:
    """The enterprise's row in the base database, or None."""
    if not base.sources:
        return None
    settings = pool.settings
    results = pool.engine.query(
        base.relations,
        f"SELECT * FROM ({base.subquery()}) AS base WHERE credit_code = ?",
        [credit_code],
        time_limit_ms=settings.query_time_limit_ms,
        max_rows=1,
    )
    return record_of(results.rows[0]) if results.rows else None
