"""The registries API: ``/api/programme/projects``, ``/parks``, ``/training``, ``/talent``.

Reads need PROGRAMME_READ; registering projects, events, attendees and talent entries
PROGRAMME_REPORT (own department; admins any); screening decisions and parks PROGRAMME_MANAGE.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile

from cityhub.errors import InvalidInput
from cityhub.programme import parks, projects, talent, training
from cityhub.programme.attendees import AttendeeSpec
from cityhub.web.deps import ApiActor, DatabaseDep, Id
from cityhub.web.programme_registries_schemas import (
    AttendeeIn,
    Decision,
    EvaluationCreate,
    EventCreate,
    EventPublic,
    ParkCreate,
    ParkPublic,
    ProjectCreate,
    ProjectPublic,
    Residents,
    TalentCreate,
    TalentPublic,
)
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/programme", tags=["programme"], responses=ERROR_RESPONSES)
MAX_CSV_BYTES = 2 << 20


def _project(view: projects.ProjectView) -> ProjectPublic:
    return ProjectPublic.model_validate(asdict(view))


def _park(view: parks.ParkView) -> ParkPublic:
    return ParkPublic.model_validate(asdict(view))


def _event(view: training.EventView) -> EventPublic:
    return EventPublic.model_validate(asdict(view))


@router.get("/projects")
def read_projects(
    db: DatabaseDep,
    actor: ApiActor,
    screening: str | None = None,
    domain: str | None = None,
    county: str | None = None,
) -> list[ProjectPublic]:
    """Projects, newest first, filtered by screening state, domain and county."""
    found = projects.list_projects(db, actor, screening=screening, domain=domain, county=county)
    return [_project(v) for v in found]


@router.post("/projects", status_code=201)
def create_project(body: ProjectCreate, db: DatabaseDep, actor: ApiActor) -> ProjectPublic:
    """Register a project (stewards for their department, admins for any)."""
    fields = body.model_dump(exclude={"department", "submitted_on"})
    spec = projects.ProjectSpec(**fields)
    view = projects.register_project(
        db, actor, spec, department=body.department, submitted_on=body.submitted_on
    )
    return _project(view)


@router.get("/projects/{project_id}")
def read_project(project_id: Id, db: DatabaseDep, actor: ApiActor) -> ProjectPublic:
    """One project with its screening history."""
    return _project(projects.get_project(db, actor, project_id))


@router.post("/projects/{project_id}/decisions")
def decide_project(
    project_id: Id, body: Decision, db: DatabaseDep, actor: ApiActor
) -> ProjectPublic:
    """Screen, select or reject a project (admins); other moves are 409."""
    view = projects.decide_project(db, actor, project_id, body.to, reason=body.reason, on=body.on)
    return _project(view)


@router.get("/parks")
def read_parks(db: DatabaseDep, actor: ApiActor) -> list[ParkPublic]:
    """Every park with its tier and explanation."""
    return [_park(v) for v in parks.list_parks(db, actor)]


@router.post("/parks", status_code=201)
def create_park(body: ParkCreate, db: DatabaseDep, actor: ApiActor) -> ParkPublic:
    """Register a park (admins)."""
    view = parks.register_park(
        db,
        actor,
        body.name,
        body.county,
        department=body.department,
        registered_on=body.registered_on,
        residents=body.residents,
    )
    return _park(view)


@router.get("/parks/{park_id}")
def read_park(park_id: Id, db: DatabaseDep, actor: ApiActor) -> ParkPublic:
    """One park."""
    return _park(parks.get_park(db, actor, park_id))


@router.post("/parks/{park_id}/evaluations", status_code=201)
def evaluate_park(
    park_id: Id, body: EvaluationCreate, db: DatabaseDep, actor: ApiActor
) -> ParkPublic:
    """Score a park on the four criteria (admins); the tier follows."""
    view = parks.evaluate_park(db, actor, park_id, body.scores, body.weights, on=body.on)
    return _park(view)


@router.put("/parks/{park_id}/residents")
def put_residents(park_id: Id, body: Residents, db: DatabaseDep, actor: ApiActor) -> ParkPublic:
    """Replace a park's resident enterprises (admins)."""
    return _park(parks.set_residents(db, actor, park_id, body.residents))


@router.get("/training")
def read_events(db: DatabaseDep, actor: ApiActor) -> list[EventPublic]:
    """Training events with attendee and certificate counts."""
    return [_event(v) for v in training.list_events(db, actor)]


@router.post("/training", status_code=201)
def create_event(body: EventCreate, db: DatabaseDep, actor: ApiActor) -> EventPublic:
    """Register a training event (stewards for their department, admins for any)."""
    view = training.create_event(
        db, actor, body.title, body.held_on, body.hours, body.kind, organiser=body.organiser
    )
    return _event(view)


@router.get("/training/{event_id}")
def read_event(event_id: Id, db: DatabaseDep, actor: ApiActor) -> EventPublic:
    """One event with its attendees (masked outside the organiser department and admins)."""
    return _event(training.get_event(db, actor, event_id))


@router.post("/training/{event_id}/attendees", status_code=201)
def add_attendees(
    event_id: Id, body: list[AttendeeIn], db: DatabaseDep, actor: ApiActor
) -> EventPublic:
    """Add attendees (the organiser department or admins); one bad row refuses them all."""
    specs = [AttendeeSpec(**a.model_dump()) for a in body]
    return _event(training.add_attendees(db, actor, event_id, specs))


@router.post("/training/{event_id}/attendees.csv", status_code=201)
def import_attendees(
    event_id: Id,
    file: Annotated[UploadFile, File(description="CSV, UTF-8 or GB18030.")],
    db: DatabaseDep,
    actor: ApiActor,
) -> EventPublic:
    """Import attendees from CSV; errors name row and column, and nothing is stored then."""
    data = file.file.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInput("the file is larger than 2 MB", details={"file": file.filename})
    name = file.filename or "attendees.csv"
    return _event(training.import_attendees(db, actor, event_id, data, name))


@router.get("/talent")
def read_talent(
    db: DatabaseDep, actor: ApiActor, level: Annotated[str | None, Query()] = None
) -> list[TalentPublic]:
    """Talent-programme entries, latest year first."""
    return [
        TalentPublic.model_validate(asdict(v)) for v in talent.list_talent(db, actor, level=level)
    ]


@router.post("/talent", status_code=201)
def create_talent(body: TalentCreate, db: DatabaseDep, actor: ApiActor) -> TalentPublic:
    """Register a talent-programme member (stewards for their department, admins for any)."""
    fields = body.model_dump(exclude={"department"})
    view = talent.add_talent(db, actor, **fields, department=body.department)
    return TalentPublic.model_validate(asdict(view))
