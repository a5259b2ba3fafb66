"""Declaring a dataset's rules: versioned rule sets, checked against the catalogue.

Setting rules is for the owner department's stewards and admins (audited ``quality.rules.set``);
reading them for whoever can see the dataset. Every change makes a new numbered rule set; the
newest one is what ingests and runs use, and reports name the number they used.
"""

from __future__ import annotations

from typing import Any

import duckdb
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityhub import audit, catalog
from cityhub.auth import Actor, Role
from cityhub.catalog import ColumnType, Dataset
from cityhub.catalog.datasets import check_manage, dataset_by_name
from cityhub.db import Database
from cityhub.errors import NotFound
from cityhub.quality.models import QualityRuleSet
from cityhub.quality.rules import (
    EnumRule,
    RangeRule,
    ReferenceRule,
    RuleSet,
    SqlRule,
    parse_ruleset,
    predicate_sql,
    refuse,
)
from cityhub.quality.sqltext import DUCKDB_TYPES, ORDERED, TEXT, first_line, scratch, typed

Problems = list[dict[str, str]]


def set_rules(
    db: Database, actor: Actor, dataset_name: str, ruleset: RuleSet | dict[str, Any]
) -> int:
    """Store a new rule set for the dataset; returns its number (1, 2, …)."""
    with db.reading() as session:
        dataset = dataset_by_name(session, dataset_name)
    check_manage(db, actor, dataset, "quality.rules.set")
    parsed = parse_ruleset(ruleset)
    with db.transaction() as session:
        dataset = dataset_by_name(session, dataset_name)
        problems = check_against(session, dataset, parsed)
        if problems:
            raise refuse(problems)
        number = (
            session.scalar(
                select(func.max(QualityRuleSet.number)).where(
                    QualityRuleSet.dataset_id == dataset.id
                )
            )
            or 0
        ) + 1
        stored = parsed.as_json()
        session.add(
            QualityRuleSet(
                dataset_id=dataset.id,
                number=number,
                rules=stored["rules"],
                cleaning=stored["cleaning"],
                created_by=actor.username,
            )
        )
        audit.record(
            session,
            actor,
            "quality.rules.set",
            object_type="dataset",
            object_id=dataset.name,
            details={
                "number": number,
                "rules": len(parsed.rules),
                "cleaning": len(parsed.cleaning),
            },
        )
    return number


def get_rules(db: Database, actor: Actor, name: str, number: int | None = None) -> QualityRuleSet:
    """Rule set ``number`` of the dataset, or its newest; NotFound when there is none."""
    dataset = catalog.get_dataset(db, actor, name)
    with db.reading() as session:
        found = ruleset_of(session, dataset.id, number)
    if found is None:
        what = f"rule set {number}" if number is not None else "quality rules"
        raise NotFound(
            f"dataset {dataset.name!r} has no {what}",
            details={"dataset": dataset.name, "number": number},
        )
    return found


def list_rulesets(db: Database, actor: Actor, name: str) -> list[QualityRuleSet]:
    """Every rule set of the dataset, newest first."""
    dataset = catalog.get_dataset(db, actor, name)
    with db.reading() as session:
        query = (
            select(QualityRuleSet)
            .where(QualityRuleSet.dataset_id == dataset.id)
            .order_by(QualityRuleSet.number.desc())
        )
        return list(session.scalars(query))


def ruleset_of(
    session: Session, dataset_id: int, number: int | None = None
) -> QualityRuleSet | None:
    """The stored rule set ``number`` of a dataset, or its newest."""
    query = select(QualityRuleSet).where(QualityRuleSet.dataset_id == dataset_id)
    if number is None:
        query = query.order_by(QualityRuleSet.number.desc()).limit(1)
    else:
        query = query.where(QualityRuleSet.number == number)
    return session.scalar(query)


def parsed(stored: QualityRuleSet) -> RuleSet:
    """A stored rule set as a ``RuleSet`` (it was valid when it was stored)."""
    return RuleSet.model_validate({"rules": stored.rules, "cleaning": stored.cleaning})


# -- checks against the catalogue ----------------------------------------------------------


def column_types(dataset: Dataset) -> dict[str, ColumnType]:
    """The dataset's columns and their types, as the catalogue knows them (empty before data)."""
    return {c.name: ColumnType(c.type) for c in dataset.columns}


def owner_reader(dataset: Dataset) -> Actor:
    """The owner department as a reader: whose rights a rule may use to look at other data."""
    return Actor(None, f"quality:{dataset.department.code}", Role.ANALYST, dataset.department.code)


def check_against(session: Session, dataset: Dataset, ruleset: RuleSet) -> Problems:
    """What does not fit the dataset: unknown columns, wrong types, unreadable references."""
    types = column_types(dataset)
    problems: Problems = []
    for i, step in enumerate(ruleset.cleaning):
        kind = types.get(step.column)
        if types and kind is None:
            problems.append(_no_column(f"cleaning[{i}].column", dataset, step.column))
        elif kind is not None and kind not in TEXT:
            problems.append(
                {"location": f"cleaning[{i}].column", "message": "cleaning applies to text columns"}
            )
    for i, rule in enumerate(ruleset.rules):
        where = f"rules[{i}]"
        if rule.column is not None and types and rule.column not in types:
            problems.append(_no_column(f"{where}.column", dataset, rule.column))
            continue
        kind = types.get(rule.column) if rule.column else None
        if isinstance(rule, RangeRule) and kind is not None:
            problems += _range(where, rule, kind)
        elif isinstance(rule, EnumRule) and kind is not None:
            problems += [
                p
                for j, v in enumerate(rule.params.values)
                for p in _castable(f"{where}.params.values[{j}]", v, kind)
            ]
        elif isinstance(rule, ReferenceRule):
            problems += _reference(session, where, dataset, rule)
        elif isinstance(rule, SqlRule) and types:
            problems += _predicate(where, rule, types)
    return problems


def _no_column(where: str, dataset: Dataset, column: str) -> dict[str, str]:
    return {"location": where, "message": f"dataset {dataset.name!r} has no column {column!r}"}


def _range(where: str, rule: RangeRule, kind: ColumnType) -> Problems:
    if kind not in ORDERED:
        return [
            {
                "location": f"{where}.column",
                "message": f"range needs a number or date column, not {kind.value}",
            }
        ]
    problems: Problems = []
    for bound in ("min", "max"):
        value = getattr(rule.params, bound)
        if value is not None:
            problems += _castable(f"{where}.params.{bound}", value, kind)
    return problems


def _castable(where: str, value: object, kind: ColumnType) -> Problems:
    with scratch() as duck:
        try:
            duck.execute(f"SELECT {typed(value, kind)}").fetchall()
        except duckdb.Error:
            return [{"location": where, "message": f"{value!r} is not a {kind.value} value"}]
    return []


def _reference(session: Session, where: str, dataset: Dataset, rule: ReferenceRule) -> Problems:
    try:
        other = dataset_by_name(session, rule.params.dataset)
    except NotFound:
        return [
            {
                "location": f"{where}.params.dataset",
                "message": f"no dataset {rule.params.dataset!r}",
            }
        ]
    reader = owner_reader(dataset)
    granted = catalog.granted_departments(session, other.id)
    if not catalog.can_read(reader, other, granted):
        return [
            {
                "location": f"{where}.params.dataset",
                "message": f"dataset {other.name!r} is not readable by {dataset.department.code}",
            }
        ]
    columns = {c.name: c for c in other.columns}
    column = columns.get(rule.params.column)
    if columns and column is None:
        return [_no_column(f"{where}.params.column", other, rule.params.column)]
    if column is not None and column.personal and catalog.masks_personal_data(reader, other):
        # A membership test against clear values would let the rule read what masking hides.
        return [
            {
                "location": f"{where}.params.column",
                "message": f"{other.name}.{column.name} is personal data of another department",
            }
        ]
    return []


def _predicate(where: str, rule: SqlRule, types: dict[str, ColumnType]) -> Problems:
    columns = ", ".join(
        f'"{n.replace(chr(34), chr(34) * 2)}" {DUCKDB_TYPES[t]}' for n, t in types.items()
    )
    with scratch() as duck:
        try:
            duck.execute(f"CREATE TABLE data ({columns})")
            duck.execute(
                f"SELECT CAST(({predicate_sql(rule.params.predicate)}) AS BOOLEAN) FROM data"
            ).fetchall()
        except duckdb.Error as exc:
            return [{"location": f"{where}.params.predicate", "message": first_line(exc)}]
    return []
