"""Talent-programme entries (人才工程): provincial or municipal members and their employers.

Stewards register entries for their own department (PROGRAMME_REPORT), admins for any; reads
need PROGRAMME_READ. E's talent-loan rule reads these through its own facts; nothing here is
personal data beyond a name already published by the programme.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from cityhub.audit import record
from cityhub.auth.actor import Actor, Permission
from cityhub.db import Database
from cityhub.errors import InvalidInput
from cityhub.programme import registry_common as common
from cityhub.programme.models_registries import ProgrammeTalentEntry

LEVELS = ("provincial", "municipal")
FIRST_YEAR = 2000


@dataclass(frozen=True)
class TalentView:
    """One entry."""

    id: int
    person_name: str
    level: str
    programme: str
    employer_code: str
    year: int
    department: str


def _view(row: ProgrammeTalentEntry, codes: common.Departments) -> TalentView:
    return TalentView(
        row.id,
        row.person_name,
        row.level,
        row.programme,
        row.employer_code,
        row.year,
        codes.codes[row.department_id],
    )


def add_talent(
    db: Database,
    actor: Actor,
    person_name: str,
    level: str,
    programme: str,
    employer_code: str,
    year: int,
    *,
    department: str | None = None,
) -> TalentView:
    """Register a talent-programme member for the actor's department (an admin may name one)."""
    unit = common.registering_department(actor, department)
    name = common.text(person_name, "person_name", 100)
    common.choice(level, LEVELS, "level")
    title = common.text(programme, "programme")
    employer = common.credit_code(employer_code, "employer_code")
    if not FIRST_YEAR <= year <= common.city_today().year + 1:
        raise InvalidInput(
            f"year: {year} is out of range", details={"field": "year", "value": year}
        )
    with db.transaction() as session:
        codes = common.Departments(session)
        row = ProgrammeTalentEntry(
            person_name=name,
            level=level,
            programme=title,
            employer_code=employer,
            year=year,
            department_id=codes.id_of(unit),
        )
        session.add(row)
        session.flush()
        record(
            session,
            actor,
            "programme.talent.add",
            object_type="programme_talent_entry",
            object_id=str(row.id),
            details={"level": level, "programme": title, "employer_code": employer, "year": year},
        )
        return _view(row, codes)


def list_talent(db: Database, actor: Actor, *, level: str | None = None) -> list[TalentView]:
    """Entries, latest year first, optionally of one level."""
    actor.require(Permission.PROGRAMME_READ)
    query = select(ProgrammeTalentEntry).order_by(
        ProgrammeTalentEntry.year.desc(), ProgrammeTalentEntry.id
    )
    if level:
        query = query.where(ProgrammeTalentEntry.level == common.choice(level, LEVELS, "level"))
    with db.transaction() as session:
        codes = common.Departments(session)
        views = [_view(row, codes) for row in session.scalars(query)]
        record(
            session,
            actor,
            "programme.talent.read",
            object_type="programme_talent_entry",
            details={"count": len(views)},
        )
    return views
