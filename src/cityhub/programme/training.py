"""Training events (十九) and their attendees; the people trained count towards the 1,000.

A steward registers events for the own department (the organiser) and adds its attendees;
admins may do both for any department. Attendees' names, ID numbers and phones are personal
data: everyone but the organiser department's users and admins sees them masked
(``cityhub.pool.masking``). Adding attendees is all-or-nothing: one bad row refuses the batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityhub.audit import record
from cityhub.auth.actor import Actor, Permission
from cityhub.catalog.vocab import PersonalKind
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from cityhub.pool.masking import mask_value
from cityhub.programme import registry_common as common
from cityhub.programme.attendees import AttendeeSpec, check_attendees, parse_attendees_csv
from cityhub.programme.models_registries import ProgrammeTrainingAttendee, ProgrammeTrainingEvent

EVENT_KINDS = ("course", "lecture", "forum")


@dataclass(frozen=True)
class AttendeeView:
    """An attendee; ``masked`` says whether the personal fields are masked for this caller."""

    id: int
    name: str
    id_number: str
    phone: str | None
    employer_code: str | None
    certificate: str | None
    masked: bool


@dataclass(frozen=True)
class EventView:
    """An event with its attendee and certificate counts (attendees only on ``get_event``)."""

    id: int
    title: str
    organiser: str
    held_on: date
    hours: float
    kind: str
    attendee_count: int
    certified_count: int
    attendees: tuple[AttendeeView, ...] = ()


def _attendee(row: ProgrammeTrainingAttendee, masked: bool) -> AttendeeView:
    def hide(value: str | None, kind: PersonalKind) -> str | None:
        return mask_value(value, kind) if masked else value

    return AttendeeView(
        id=row.id,
        name=hide(row.name, PersonalKind.NAME) or "",
        id_number=hide(row.id_number, PersonalKind.ID_NUMBER) or "",
        phone=hide(row.phone, PersonalKind.PHONE),
        employer_code=row.employer_code,
        certificate=row.certificate,
        masked=masked,
    )


def _view(
    session: Session,
    row: ProgrammeTrainingEvent,
    codes: common.Departments,
    actor: Actor | None = None,
) -> EventView:
    counts = session.execute(
        select(func.count(), func.count(ProgrammeTrainingAttendee.certificate)).where(
            ProgrammeTrainingAttendee.event_id == row.id
        )
    ).one()
    organiser = codes.codes[row.organiser_department_id]
    attendees: tuple[AttendeeView, ...] = ()
    if actor is not None:
        masked = not common.may_see_personal(actor, organiser)
        attendees = tuple(
            _attendee(a, masked)
            for a in session.scalars(
                select(ProgrammeTrainingAttendee)
                .where(ProgrammeTrainingAttendee.event_id == row.id)
                .order_by(ProgrammeTrainingAttendee.id)
            )
        )
    return EventView(
        id=row.id,
        title=row.title,
        organiser=organiser,
        held_on=row.held_on,
        hours=row.hours,
        kind=row.kind,
        attendee_count=int(counts[0]),
        certified_count=int(counts[1]),
        attendees=attendees,
    )


def _row(session: Session, event_id: int) -> ProgrammeTrainingEvent:
    row = session.get(ProgrammeTrainingEvent, event_id)
    if row is None:
        raise NotFound(f"no training event {event_id}", details={"event": event_id})
    return row


def create_event(
    db: Database,
    actor: Actor,
    title: str,
    held_on: date,
    hours: float,
    kind: str,
    *,
    organiser: str | None = None,
) -> EventView:
    """Register an event organised by the actor's department (an admin may name one)."""
    unit = common.registering_department(actor, organiser)
    clean = common.text(title, "title")
    common.choice(kind, EVENT_KINDS, "kind")
    if not 0 < hours <= 1000:
        raise InvalidInput(
            f"hours: {hours!r} must be within (0, 1000]", details={"field": "hours", "value": hours}
        )
    with db.transaction() as session:
        codes = common.Departments(session)
        row = ProgrammeTrainingEvent(
            title=clean,
            organiser_department_id=codes.id_of(unit, "organiser"),
            held_on=held_on,
            hours=hours,
            kind=kind,
        )
        session.add(row)
        session.flush()
        view = _view(session, row, codes)
        record(
            session,
            actor,
            "programme.training.create",
            object_type="programme_training_event",
            object_id=str(row.id),
            details={"title": clean, "organiser": unit, "held_on": held_on.isoformat()},
        )
    return view


def add_attendees(
    db: Database, actor: Actor, event_id: int, attendees: list[AttendeeSpec]
) -> EventView:
    """Add attendees to an event (its organiser department, or admins): all or none."""
    actor.require(Permission.PROGRAMME_REPORT)
    checked = check_attendees(attendees)
    return _store(db, actor, event_id, checked, "programme.training.attendees")


def import_attendees(
    db: Database, actor: Actor, event_id: int, data: bytes, filename: str = "attendees.csv"
) -> EventView:
    """Add the attendees of a CSV file (UTF-8 or GB18030); any bad row refuses the file."""
    actor.require(Permission.PROGRAMME_REPORT)
    checked = parse_attendees_csv(data, filename)
    return _store(db, actor, event_id, checked, "programme.training.import")


def _store(
    db: Database, actor: Actor, event_id: int, checked: list[AttendeeSpec], action: str
) -> EventView:
    with db.transaction() as session:
        codes = common.Departments(session)
        row = _row(session, event_id)
        organiser = codes.codes[row.organiser_department_id]
        if not actor.can(Permission.PROGRAMME_MANAGE) and actor.department_code != organiser:
            raise PermissionDenied(
                "only the organiser department adds attendees",
                details={"event": event_id, "organiser": organiser},
            )
        present = set(
            session.scalars(
                select(ProgrammeTrainingAttendee.id_number).where(
                    ProgrammeTrainingAttendee.event_id == event_id
                )
            )
        )
        again = [a.id_number for a in checked if a.id_number in present]
        if again:
            raise Conflict(
                f"{len(again)} attendee(s) are registered for this event already",
                details={
                    "event": event_id,
                    "id_numbers": [mask_value(n, PersonalKind.ID_NUMBER) for n in again],
                },
            )
        session.add_all(
            ProgrammeTrainingAttendee(
                event_id=event_id,
                name=a.name,
                id_number=a.id_number,
                phone=a.phone,
                employer_code=a.employer_code,
                certificate=a.certificate,
            )
            for a in checked
        )
        session.flush()
        view = _view(session, row, codes)
        record(
            session,
            actor,
            action,
            object_type="programme_training_event",
            object_id=str(event_id),
            details={"added": len(checked), "certified": sum(1 for a in checked if a.certificate)},
        )
    return view


def list_events(db: Database, actor: Actor) -> list[EventView]:
    """Every event, latest first, with attendee and certificate counts."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        codes = common.Departments(session)
        rows = session.scalars(
            select(ProgrammeTrainingEvent).order_by(
                ProgrammeTrainingEvent.held_on.desc(), ProgrammeTrainingEvent.id.desc()
            )
        )
        views = [_view(session, row, codes) for row in rows]
        record(
            session,
            actor,
            "programme.training.read",
            object_type="programme_training_event",
            details={"count": len(views)},
        )
    return views


def get_event(db: Database, actor: Actor, event_id: int) -> EventView:
    """One event with its attendees, masked unless the actor may see them."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        view = _view(session, _row(session, event_id), common.Departments(session), actor)
        record(
            session,
            actor,
            "programme.training.read",
            object_type="programme_training_event",
            object_id=str(event_id),
            details={
                "attendees": len(view.attendees),
                "masked": any(a.masked for a in view.attendees),
            },
        )
    return view
