"""Registering the demo city's projects, parks, training events and talent entries.

Through the registries' service functions, backdated to the day each thing happened (their
``submitted_on``/``on``/``registered_on`` arguments), so that the "十百千" counts as of any day
come out as the city lived them. Projects are registered by the unit that found them (a
county, a zone or a bureau) and screened by the programme office (the platform's admin);
events by their organisers. What exists is recognised by its name (projects, parks, talent
entries) or its title and day (events), which keeps a second run from adding anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from cityhub.auth import Actor, Role
from cityhub.db import Database
from cityhub.demo.programme_parks import parks
from cityhub.demo.programme_projects import DemoProject, library
from cityhub.demo.programme_training import events, talent
from cityhub.programme import parks as park_service
from cityhub.programme import projects as project_service
from cityhub.programme import talent as talent_service
from cityhub.programme import training as training_service
from cityhub.programme.attendees import AttendeeSpec
from cityhub.programme.models_registries import (
    ProgrammePark,
    ProgrammeProject,
    ProgrammeTalentEntry,
    ProgrammeTrainingEvent,
)

OFFICE = Actor.system()  # the programme office screens and scores


@dataclass(frozen=True)
class RegistrySeed:
    """What was registered this time."""

    projects: int = 0
    parks: int = 0
    events: int = 0
    attendees: int = 0
    talent: int = 0


def _steward(department: str) -> Actor:
    return Actor(None, f"{department.lower()}.steward", Role.STEWARD, department, "local")


def seed_registries(db: Database, today: date) -> RegistrySeed:
    """Register what is missing; what was registered."""
    added_events, attendees = _seed_training(db, today)
    return RegistrySeed(
        projects=_seed_projects(db, today),
        parks=_seed_parks(db),
        events=added_events,
        attendees=attendees,
        talent=_seed_talent(db),
    )


def _spec(project: DemoProject, today: date) -> project_service.ProjectSpec:
    return project_service.ProjectSpec(
        name=project.name,
        owner_code=project.owner.credit_code,
        owner_name=project.owner.name,
        county=project.county,
        domain=project.domain,
        kind=project.kind,
        investment=project.investment,
        start_on=project.start_on,
        end_on=project.end_on,
        status=project.status(today),
        provincial_major=project.provincial_major,
        city_key=project.city_key,
        land_priority=project.land_priority,
    )


def _seed_projects(db: Database, today: date) -> int:
    with db.reading() as session:
        present = set(session.scalars(select(ProgrammeProject.name)))
    added = 0
    for project in library(today):
        if project.name in present:
            continue
        view = project_service.register_project(
            db,
            _steward(project.department),
            _spec(project, today),
            submitted_on=project.submitted_on,
        )
        added += 1
        decided = project.decided_on
        if decided is None:
            continue
        # The office screens a project within days of its submission, then decides.
        screened = min(project.submitted_on + timedelta(days=7), decided)
        if project.outcome == "rejected" and project.reason and "重复" in project.reason:
            project_service.reject_project(db, OFFICE, view.id, project.reason, on=decided)
            continue  # a duplicate is turned down at once, without screening
        project_service.screen_project(db, OFFICE, view.id, on=screened)
        if project.outcome == "selected":
            project_service.select_project(db, OFFICE, view.id, on=decided)
        elif project.outcome == "rejected" and project.reason:
            project_service.reject_project(db, OFFICE, view.id, project.reason, on=decided)
    return added


def _seed_parks(db: Database) -> int:
    with db.reading() as session:
        present = set(session.scalars(select(ProgrammePark.name)))
    added = 0
    for park in parks():
        if park.name in present:
            continue
        view = park_service.register_park(
            db,
            OFFICE,
            park.name,
            park.county,
            department=park.department,
            registered_on=park.registered_on,
            residents=park.residents,
        )
        # Evaluated by the expert panel a month after registration, with the default weights.
        park_service.evaluate_park(
            db, OFFICE, view.id, park.scores, on=park.registered_on + timedelta(days=30)
        )
        added += 1
    return added


def _seed_training(db: Database, today: date) -> tuple[int, int]:
    """Each event by its organiser, then its attendees in one go; (events, attendees) added."""
    with db.reading() as session:
        present = {
            (title, held_on)
            for title, held_on in session.execute(
                select(ProgrammeTrainingEvent.title, ProgrammeTrainingEvent.held_on)
            )
        }
    added = attendees = 0
    for event in events(today):
        if (event.title, event.held_on) in present:
            continue
        organiser = _steward(event.organiser)
        view = training_service.create_event(
            db, organiser, event.title, event.held_on, event.hours, event.kind
        )
        people = [
            AttendeeSpec(a.name, a.id_number, a.phone, a.employer, a.certificate)
            for a in event.attendees
        ]
        training_service.add_attendees(db, organiser, view.id, people)
        added += 1
        attendees += len(people)
    return added, attendees


def _seed_talent(db: Database) -> int:
    with db.reading() as session:
        present = {
            (name, employer, year)
            for name, employer, year in session.execute(
                select(
                    ProgrammeTalentEntry.person_name,
                    ProgrammeTalentEntry.employer_code,
                    ProgrammeTalentEntry.year,
                )
            )
        }
    added = 0
    for entry in talent():
        if (entry.name, entry.employer, entry.year) in present:
            continue
        talent_service.add_talent(
            db,
            _steward(entry.department),
            entry.name,
            entry.level,
            entry.programme,
            entry.employer,
            entry.year,
        )
        added += 1
    return added
