"""Where a plan's rows come from: a version's files, and the datasets reference rules look in."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from cityhub import catalog
from cityhub.catalog import ColumnType, Dataset, DatasetVersion
from cityhub.catalog.datasets import dataset_by_name
from cityhub.errors import NotFound
from cityhub.quality.plan import Plan, Reference, Target
from cityhub.quality.rules import ReferenceRule, RuleSet
from cityhub.quality.rulesets import owner_reader

FilesOf = Callable[[int, int], Sequence[str]]  # (dataset id, snapshot id) → Parquet files


def version_types(version: DatasetVersion) -> dict[str, ColumnType]:
    """A version's columns and types, in order."""
    return {c["name"]: ColumnType(c["type"]) for c in version.schema}


def references(
    session: Session, files_of: FilesOf, dataset: Dataset, ruleset: RuleSet
) -> dict[str, Reference]:
    """The newest version of each dataset a reference rule names, by rule id.

    Readability is checked again here, as the owner department: a grant may have ended since
    the rule was set, and then the rule is skipped rather than reading what it may not.
    """
    found: dict[str, Reference] = {}
    reader = owner_reader(dataset)
    for rule in ruleset.rules:
        if not isinstance(rule, ReferenceRule):
            continue
        params = rule.params
        try:
            other = dataset_by_name(session, params.dataset)
        except NotFound:
            continue
        readable = catalog.can_read(reader, other, catalog.granted_departments(session, other.id))
        newest = catalog.latest_version(session, other)
        if newest is None:
            column_type = ColumnType(
                next((c.type for c in other.columns if c.name == params.column), "string")
            )
            found[rule.id] = Reference(other.name, params.column, (), column_type, readable)
            continue
        types = version_types(newest)
        files = tuple(files_of(other.id, newest.snapshot_id)) if readable else ()
        found[rule.id] = Reference(
            other.name, params.column, files, types.get(params.column), readable
        )
    return found


def plan_for(
    session: Session,
    files_of: FilesOf,
    dataset: Dataset,
    ruleset: RuleSet,
    target: Target,
) -> Plan:
    """The plan of ``ruleset`` over ``target``, with its references resolved."""
    return Plan(ruleset, target, references(session, files_of, dataset, ruleset))


def appended_to(
    files_of: FilesOf, version: DatasetVersion | None
) -> tuple[tuple[str, ...], frozenset[str]]:
    """The files and columns of the rows an upload is appended to (``unique`` looks there too)."""
    if version is None:
        return (), frozenset()
    files = tuple(files_of(version.dataset_id, version.snapshot_id))
    return files, frozenset(c["name"] for c in version.schema)
