"""The library of digital-economy projects (十七) and its screening workflow.

A department registers a project (stewards for their own department, PROGRAMME_REPORT); the
programme office screens it (PROGRAMME_MANAGE): submitted → screened → selected | rejected, a
rejection always with its reason. A project may also be rejected straight from 'submitted'
(it fails the first look). Every transition writes a history row (who, on which day, why) and
an audit record in the same transaction; any other transition is a Conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub.audit import record
from cityhub.auth.actor import Actor, Permission
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotFound
from cityhub.programme import registry_common as common
from cityhub.programme.models_registries import ProgrammeProject, ProgrammeProjectHistory
from cityhub.programme.project_spec import DOMAINS, KINDS, STATUSES, ProjectSpec, check_spec

__all__ = [
    "DOMAINS",
    "KINDS",
    "SCREENING",
    "STATUSES",
    "TRANSITIONS",
    "ProjectFact",
    "ProjectSpec",
    "ProjectView",
    "ScreeningStep",
    "check_spec",
    "decide_project",
    "get_project",
    "list_projects",
    "project_facts",
    "register_project",
    "register_projects",
    "reject_project",
    "screen_project",
    "select_project",
]

VERBS = {"screened": "screen", "selected": "select", "rejected": "reject"}  # audit actions
SCREENING = ("submitted", "screened", "selected", "rejected")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submitted": ("screened", "rejected"),
    "screened": ("selected", "rejected"),
    "selected": (),
    "rejected": (),
}


@dataclass(frozen=True)
class ScreeningStep:
    """One transition of a project's screening."""

    from_state: str | None
    to_state: str
    reason: str | None
    decided_on: date
    decided_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class ProjectView:
    """A project as callers see it; ``department`` is the registering unit's code."""

    id: int
    name: str
    owner_code: str
    owner_name: str
    county: str
    domain: str
    kind: str
    investment: float
    start_on: date
    end_on: date
    status: str
    provincial_major: bool
    city_key: bool
    land_priority: bool
    screening: str
    reason: str | None
    department: str
    submitted_on: date
    history: tuple[ScreeningStep, ...]


@dataclass(frozen=True)
class ProjectFact:
    """A project's figures for the cockpit, with its screening state as of a day."""

    domain: str
    county: str
    investment: float
    screening: str


def _view(session: Session, row: ProgrammeProject, codes: common.Departments) -> ProjectView:
    steps = session.scalars(
        select(ProgrammeProjectHistory)
        .where(ProgrammeProjectHistory.project_id == row.id)
        .order_by(ProgrammeProjectHistory.id)
    )
    return ProjectView(
        id=row.id,
        name=row.name,
        owner_code=row.owner_code,
        owner_name=row.owner_name,
        county=row.county,
        domain=row.domain,
        kind=row.kind,
        investment=row.investment,
        start_on=row.start_on,
        end_on=row.end_on,
        status=row.status,
        provincial_major=row.provincial_major,
        city_key=row.city_key,
        land_priority=row.land_priority,
        screening=row.screening,
        reason=row.reason,
        department=codes.codes[row.department_id],
        submitted_on=row.submitted_on,
        history=tuple(
            ScreeningStep(
                s.from_state, s.to_state, s.reason, s.decided_on, s.decided_by, s.recorded_at
            )
            for s in steps
        ),
    )


def _row(session: Session, project_id: int, *, lock: bool = False) -> ProgrammeProject:
    # A decision locks the row (PostgreSQL) so that two admins cannot both move it on.
    row = session.get(ProgrammeProject, project_id, with_for_update=lock)
    if row is None:
        raise NotFound(f"no project {project_id}", details={"project": project_id})
    return row


def register_project(
    db: Database,
    actor: Actor,
    spec: ProjectSpec,
    *,
    department: str | None = None,
    submitted_on: date | None = None,
) -> ProjectView:
    """Register a project as 'submitted' for the actor's department (an admin may name one)."""
    return register_projects(db, actor, [spec], department=department, submitted_on=submitted_on)[0]


def register_projects(
    db: Database,
    actor: Actor,
    specs: list[ProjectSpec],
    *,
    department: str | None = None,
    submitted_on: date | None = None,
) -> list[ProjectView]:
    """Register several projects in one transaction: all of them, or (one bad) none.

    A bad spec of several raises InvalidInput whose details add ``row`` (1-based).
    """
    unit = common.registering_department(actor, department)
    checked: list[ProjectSpec] = []
    for row_number, spec in enumerate(specs, start=1):
        try:
            checked.append(check_spec(spec))
        except InvalidInput as exc:
            if len(specs) > 1:
                exc.details["row"] = row_number
            raise
    day = submitted_on or common.city_today()
    with db.transaction() as session:
        codes = common.Departments(session)
        department_id = codes.id_of(unit)
        return [_insert(session, actor, spec, department_id, day, codes) for spec in checked]


def _insert(
    session: Session,
    actor: Actor,
    spec: ProjectSpec,
    department_id: int,
    day: date,
    codes: common.Departments,
) -> ProjectView:
    row = ProgrammeProject(
        **{k: getattr(spec, k) for k in ProjectSpec.__dataclass_fields__},
        screening="submitted",
        department_id=department_id,
        submitted_on=day,
    )
    session.add(row)
    session.flush()
    session.add(
        ProgrammeProjectHistory(
            project_id=row.id,
            from_state=None,
            to_state="submitted",
            decided_on=day,
            decided_by=actor.username,
        )
    )
    session.flush()
    view = _view(session, row, codes)
    record(
        session,
        actor,
        "programme.project.register",
        object_type="programme_project",
        object_id=str(row.id),
        details={"name": view.name, "owner_code": view.owner_code, "department": view.department},
    )
    return view


def list_projects(
    db: Database,
    actor: Actor,
    *,
    screening: str | None = None,
    domain: str | None = None,
    county: str | None = None,
) -> list[ProjectView]:
    """Projects, newest first, filtered by screening state, domain and county."""
    actor.require(Permission.PROGRAMME_READ)
    query = select(ProgrammeProject).order_by(ProgrammeProject.id.desc())
    if screening:
        query = query.where(
            ProgrammeProject.screening == common.choice(screening, SCREENING, "screening")
        )
    if domain:
        query = query.where(ProgrammeProject.domain == common.choice(domain, DOMAINS, "domain"))
    if county:
        query = query.where(ProgrammeProject.county == common.county(county))
    with db.transaction() as session:
        codes = common.Departments(session)
        views = [_view(session, row, codes) for row in session.scalars(query)]
        record(
            session,
            actor,
            "programme.project.read",
            object_type="programme_project",
            details={
                "count": len(views),
                "screening": screening,
                "domain": domain,
                "county": county,
            },
        )
    return views


def get_project(db: Database, actor: Actor, project_id: int) -> ProjectView:
    """One project with its screening history."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        view = _view(session, _row(session, project_id), common.Departments(session))
        record(
            session,
            actor,
            "programme.project.read",
            object_type="programme_project",
            object_id=str(project_id),
        )
    return view


def decide_project(
    db: Database,
    actor: Actor,
    project_id: int,
    to_state: str,
    *,
    reason: str | None = None,
    on: date | None = None,
) -> ProjectView:
    """Move a project along the screening workflow (PROGRAMME_MANAGE).

    Conflict when the move is not allowed from the current state; a rejection needs a reason.
    """
    actor.require(Permission.PROGRAMME_MANAGE)
    common.choice(to_state, SCREENING, "to_state")
    why = (reason or "").strip() or None
    if to_state == "rejected" and why is None:
        raise InvalidInput(
            "a rejection needs a reason", details={"field": "reason", "value": reason}
        )
    day = on or common.city_today()
    with db.transaction() as session:
        row = _row(session, project_id, lock=True)
        before = row.screening
        if to_state not in TRANSITIONS[before]:
            raise Conflict(
                f"project {project_id} is {before!r}; it cannot become {to_state!r}",
                details={"project": project_id, "from": before, "to": to_state},
            )
        if day < row.submitted_on:
            raise InvalidInput(
                f"on: {day} is before the project was submitted ({row.submitted_on})",
                details={"field": "on", "value": day.isoformat()},
            )
        row.screening = to_state
        row.reason = why if to_state == "rejected" else row.reason
        session.add(
            ProgrammeProjectHistory(
                project_id=row.id,
                from_state=before,
                to_state=to_state,
                reason=why,
                decided_on=day,
                decided_by=actor.username,
            )
        )
        session.flush()
        view = _view(session, row, common.Departments(session))
        details: dict[str, Any] = {
            "from": before,
            "to": to_state,
            "reason": why,
            "on": day.isoformat(),
        }
        record(
            session,
            actor,
            f"programme.project.{VERBS[to_state]}",
            object_type="programme_project",
            object_id=str(project_id),
            details=details,
        )
    return view


def screen_project(
    db: Database, actor: Actor, project_id: int, *, on: date | None = None
) -> ProjectView:
    """submitted → screened."""
    return decide_project(db, actor, project_id, "screened", on=on)


def select_project(
    db: Database, actor: Actor, project_id: int, *, on: date | None = None
) -> ProjectView:
    """screened → selected (counts towards the 100)."""
    return decide_project(db, actor, project_id, "selected", on=on)


def reject_project(
    db: Database, actor: Actor, project_id: int, reason: str, *, on: date | None = None
) -> ProjectView:
    """submitted or screened → rejected, with the reason."""
    return decide_project(db, actor, project_id, "rejected", reason=reason, on=on)


def project_facts(session: Session, on: date) -> list[ProjectFact]:
    """Projects submitted by ``on`` with their screening state on that day (for the cockpit;
    not audited: the cockpit audits its own read)."""
    state: dict[int, str] = {}
    steps = session.execute(
        select(ProgrammeProjectHistory.project_id, ProgrammeProjectHistory.to_state)
        .where(ProgrammeProjectHistory.decided_on <= on)
        .order_by(ProgrammeProjectHistory.decided_on, ProgrammeProjectHistory.id)
    )
    for project_id, to_state in steps:
        state[project_id] = to_state
    rows = session.scalars(
        select(ProgrammeProject)
        .where(ProgrammeProject.submitted_on <= on)
        .order_by(ProgrammeProject.id)
    )
    return [
        ProjectFact(row.domain, row.county, row.investment, state.get(row.id, "submitted"))
        for row in rows
    ]
