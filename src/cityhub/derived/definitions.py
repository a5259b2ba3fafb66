"""Defining derived datasets (统一加工): a SQL query over datasets the department may read.

A steward (or an admin) names the dataset, writes the query and picks a schedule. The query must
pass the SQL sandbox over what the owner department may read; the dataset is catalogued with
sharing no more open than its most restricted source (``cityhub.catalog.ceiling``) and
materialised at once as version 1.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from sqlalchemy import select

from cityhub import audit, catalog
from cityhub.auth import Actor, Permission, Role
from cityhub.catalog import (
    DataCategory,
    Dataset,
    DatasetSpec,
    OpenType,
    ResourceClass,
    SecurityLevel,
    ShareType,
    UpdateCycle,
)
from cityhub.catalog.ceiling import Ceiling, apply_ceiling, most_restricted, refuse_beyond
from cityhub.db import Database, utcnow
from cityhub.derived.materialise import (
    Refreshed,
    materialise,
    prepare,
    reader_of,
    refuse_cycles,
)
from cityhub.derived.models import DerivedDefinition
from cityhub.derived.schedule import UPDATE_CYCLE, Schedule, next_due
from cityhub.errors import (
    CityhubError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from cityhub.pool.service import Pool

MAX_SQL = 20_000  # the sandbox's own limit


@dataclass(frozen=True)
class DerivedSpec:
    """A derived dataset as a steward defines it: catalogue fields, the query, the schedule.

    Sharing fields left as None take the most open value the sources allow; a value more open
    than that is refused, naming the source that limits it.
    """

    name: str
    title: str
    sql: str
    schedule: Schedule = Schedule.MANUAL
    abstract: str = ""
    department: str | None = None  # owner; None: the actor's department
    resource_code: str | None = None
    category: DataCategory = DataCategory.GOVERNMENT
    resource_class: ResourceClass = ResourceClass.THEMATIC
    keywords: tuple[str, ...] = ()
    update_cycle: UpdateCycle | None = None  # None: what the schedule promises
    share_type: ShareType | None = None
    share_conditions: str = ""
    open_type: OpenType | None = None
    security_level: SecurityLevel | None = None
    licence: str = ""
    contact: str = ""


@dataclass(frozen=True)
class DerivedPatch:
    """Changes to a definition; None keeps the current value."""

    sql: str | None = None
    schedule: Schedule | None = None


def _owner(db: Database, actor: Actor, spec: DerivedSpec) -> str:
    audit.require(db, actor, Permission.DATASETS_PUBLISH, "derived.define", object_id=spec.name)
    department = spec.department or actor.department_code
    if department is None:
        raise InvalidInput(
            "name the department that owns the derived dataset", details={"field": "department"}
        )
    if actor.role is not Role.ADMIN and department != actor.department_code:
        audit.deny(db, actor, "derived.define", object_type="dataset", object_id=spec.name)
        raise PermissionDenied(
            "stewards define derived datasets of their own department only",
            details={"department": department},
        )
    return department


def _sharing(spec: DerivedSpec, ceiling: Ceiling) -> dict[str, str]:
    chosen = {
        "share_type": spec.share_type or ceiling.share_type.value,
        "open_type": spec.open_type or ceiling.open_type.value,
        "security_level": spec.security_level or ceiling.security_level.value,
    }
    refuse_beyond(spec.name, chosen, ceiling)
    return chosen


def _check_sql(sql: str) -> str:
    if not sql.strip():
        raise InvalidInput("the query is empty", details={"field": "sql"})
    if len(sql) > MAX_SQL:
        raise InvalidInput(
            f"the query is longer than {MAX_SQL} characters", details={"field": "sql"}
        )
    return sql


def define(db: Database, actor: Actor, pool: Pool, spec: DerivedSpec) -> DerivedDefinition:
    """Define a derived dataset and materialise it as version 1.

    Stewards for their own department, admins for any. If the first refresh fails (the query
    passed every check but failed while running), the definition stays with ``last_error`` set
    and no version, so the steward can fix the query and refresh.
    """
    department = _owner(db, actor, spec)
    query = prepare(pool, reader_of(department, actor.username), _check_sql(spec.sql))
    ceiling = most_restricted(source.dataset for source in query.sources)
    sharing = _sharing(spec, ceiling)
    conditions = spec.share_conditions.strip()
    if sharing["share_type"] == ShareType.CONDITIONAL.value and not conditions:
        conditions = ceiling.conditions or "同来源数据集的共享条件"
    dataset = catalog.create_dataset(
        db,
        actor,
        DatasetSpec(
            name=spec.name,
            title=spec.title,
            department=department,
            abstract=spec.abstract,
            resource_code=spec.resource_code,
            category=spec.category,
            resource_class=spec.resource_class,
            keywords=spec.keywords,
            update_cycle=spec.update_cycle or UPDATE_CYCLE[spec.schedule],
            share_type=ShareType(sharing["share_type"]),
            share_conditions=conditions,
            open_type=OpenType(sharing["open_type"]),
            security_level=SecurityLevel(sharing["security_level"]),
            licence=spec.licence,
            contact=spec.contact,
        ),
    )
    with db.transaction() as session:
        entry = session.get(Dataset, dataset.id)
        assert entry is not None
        definition = DerivedDefinition(
            dataset_id=dataset.id,
            sql=spec.sql,
            schedule=spec.schedule.value,
            defined_by=actor.username,
            department_id=entry.department_id,
        )
        session.add(definition)
        apply_ceiling(session, actor, entry, ceiling)
        session.flush()
        audit.record(
            session,
            actor,
            "derived.define",
            object_type="dataset",
            object_id=dataset.name,
            details={
                "sql": spec.sql[:2000],
                "schedule": spec.schedule.value,
                "sources": sorted(s.dataset.name for s in query.sources),
            },
        )
        definition_id = definition.id
    with suppress(CityhubError):  # kept in last_error, shown with the definition
        materialise(db, actor, pool, definition_id)
    return _by_id(db, definition_id)


def _by_id(db: Database, definition_id: int) -> DerivedDefinition:
    with db.reading() as session:
        definition = session.get(DerivedDefinition, definition_id)
        assert definition is not None
        return definition


def _definition_of(db: Database, dataset: Dataset) -> DerivedDefinition:
    with db.reading() as session:
        definition = session.scalar(
            select(DerivedDefinition).where(DerivedDefinition.dataset_id == dataset.id)
        )
    if definition is None:
        raise NotFound(
            f"dataset {dataset.name!r} is not a derived dataset", details={"dataset": dataset.name}
        )
    return definition


def _require_login(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated("log in to see how derived datasets are made")


def get_definition(db: Database, actor: Actor, name: str) -> DerivedDefinition:
    """The definition of a derived dataset (logged-in users: the SQL names internal sources)."""
    _require_login(actor)
    return _definition_of(db, catalog.get_dataset(db, actor, name))


def list_definitions(db: Database, actor: Actor) -> list[DerivedDefinition]:
    """Every derived dataset's definition, by dataset name (logged-in users)."""
    _require_login(actor)
    with db.reading() as session:
        query = select(DerivedDefinition).join(Dataset).order_by(Dataset.name)
        return list(session.scalars(query))


def update_definition(
    db: Database, actor: Actor, pool: Pool, name: str, patch: DerivedPatch
) -> DerivedDefinition:
    """Change a definition's query or schedule (owner department's stewards, admins).

    A new query is checked like a new definition, as its new author in the owner department,
    and must not read the dataset itself or anything made from it. It takes effect at the next
    refresh.
    """
    dataset = catalog.require_manage(db, actor, name, "derived.update")
    definition = _definition_of(db, dataset)
    if patch.sql is not None:
        reader = reader_of(definition.department.code, actor.username)
        refuse_cycles(db, dataset, prepare(pool, reader, _check_sql(patch.sql)))
    with db.transaction() as session:
        stored = session.get(DerivedDefinition, definition.id)
        assert stored is not None
        changed: dict[str, object] = {}
        if patch.sql is not None and patch.sql != stored.sql:
            changed["sql"] = {"from": stored.sql[:2000], "to": patch.sql[:2000]}
            stored.sql, stored.defined_by = patch.sql, actor.username
        if patch.schedule is not None and patch.schedule.value != stored.schedule:
            changed["schedule"] = {"from": stored.schedule, "to": patch.schedule.value}
            stored.schedule = patch.schedule.value
            stored.next_due_at = next_due(patch.schedule, stored.last_refreshed_at or utcnow())
        stored.updated_at = utcnow()
        audit.record(
            session,
            actor,
            "derived.update",
            object_type="dataset",
            object_id=dataset.name,
            details=changed,
        )
    return _by_id(db, definition.id)


def refresh(db: Database, actor: Actor, pool: Pool, name: str) -> Refreshed:
    """Refresh a derived dataset now (owner department's stewards, admins)."""
    dataset = catalog.require_manage(db, actor, name, "derived.refresh")
    return materialise(db, actor, pool, _definition_of(db, dataset).id)
