"""The 十百千 counts from the registries, and the project breakdowns of the cockpit.

``measure(session, name, as_of)`` is what B's 'registry' targets and F's cockpit read:

- ``parks``: parks registered on or before ``as_of``;
- ``projects``: projects **selected** on or before ``as_of`` (by the day of the decision);
- ``trained``: distinct people (by ID number) with a certificate from an event held on or
  before ``as_of``.

The helpers ``projects_by_domain`` and ``projects_by_county`` count the selected projects and
sum their investment (万元) per domain or county, every domain/county listed (zeros included)
in a fixed order. None of these is audited: their callers (targets, cockpit) audit their reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityhub.errors import InvalidInput
from cityhub.programme.models_registries import (
    ProgrammePark,
    ProgrammeProject,
    ProgrammeProjectHistory,
    ProgrammeTrainingAttendee,
    ProgrammeTrainingEvent,
)
from cityhub.programme.projects import DOMAINS
from cityhub.programme.registry_common import COUNTIES

MEASURES = ("parks", "projects", "trained")


@dataclass(frozen=True)
class ProjectTally:
    """Selected projects of one domain or county: how many, and their investment (万元)."""

    key: str
    projects: int
    investment: float


def measure(session: Session, name: str, as_of: date) -> float:
    """The registry count ``name`` (one of MEASURES) as of the end of ``as_of``."""
    if name == "parks":
        query = select(func.count()).where(ProgrammePark.registered_on <= as_of)
    elif name == "projects":
        query = select(func.count(func.distinct(ProgrammeProjectHistory.project_id))).where(
            ProgrammeProjectHistory.to_state == "selected",
            ProgrammeProjectHistory.decided_on <= as_of,
        )
    elif name == "trained":
        query = (
            select(func.count(func.distinct(ProgrammeTrainingAttendee.id_number)))
            .join(
                ProgrammeTrainingEvent,
                ProgrammeTrainingEvent.id == ProgrammeTrainingAttendee.event_id,
            )
            .where(
                ProgrammeTrainingAttendee.certificate.is_not(None),
                ProgrammeTrainingEvent.held_on <= as_of,
            )
        )
    else:
        raise InvalidInput(
            f"measure: {name!r} is not one of {list(MEASURES)}",
            details={"field": "measure", "value": name},
        )
    return float(session.scalar(query) or 0)


def _tallies(session: Session, column: str, keys: tuple[str, ...]) -> list[ProjectTally]:
    attribute = getattr(ProgrammeProject, column)
    rows = session.execute(
        select(attribute, func.count(), func.coalesce(func.sum(ProgrammeProject.investment), 0.0))
        .where(ProgrammeProject.screening == "selected")
        .group_by(attribute)
    )
    found = {key: (int(count), float(total)) for key, count, total in rows}
    return [ProjectTally(k, *found.get(k, (0, 0.0))) for k in keys]


def projects_by_domain(session: Session) -> list[ProjectTally]:
    """Selected projects per domain, in the order of ``projects.DOMAINS``."""
    return _tallies(session, "domain", DOMAINS)


def projects_by_county(session: Session) -> list[ProjectTally]:
    """Selected projects per county, in GB/T 2260 code order."""
    return _tallies(session, "county", tuple(sorted(COUNTIES)))
