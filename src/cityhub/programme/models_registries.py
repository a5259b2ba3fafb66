"""Tables of the programme office's registries: projects, parks, training and talent.

Calendar days (``submitted_on``, ``decided_on``, ``registered_on``, ``held_on``) are plain dates
in the city's calendar: the 十百千 counts are "by the end of a day", and the demo backdates them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cityhub.db.base import Base, UTCDateTime, utcnow


class ProgrammeProject(Base):
    """A digital-economy project of the library (十七), registered by a department.

    ``screening`` is the workflow state (submitted → screened → selected | rejected); every
    change is a row of ``programme_project_history``.
    """

    __tablename__ = "programme_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_code: Mapped[str] = mapped_column(String(18), index=True)
    owner_name: Mapped[str] = mapped_column(String(200))
    county: Mapped[str] = mapped_column(String(6), index=True)
    domain: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    investment: Mapped[float] = mapped_column(Float)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    provincial_major: Mapped[bool] = mapped_column(Boolean, default=False)
    city_key: Mapped[bool] = mapped_column(Boolean, default=False)
    land_priority: Mapped[bool] = mapped_column(Boolean, default=False)
    screening: Mapped[str] = mapped_column(String(10), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    submitted_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProgrammeProjectHistory(Base):
    """One step of a project's screening: from which state to which, who, when and why."""

    __tablename__ = "programme_project_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("programme_projects.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProgrammePark(Base):
    """A digital-economy park (task 9); its tier comes from its latest evaluation."""

    __tablename__ = "programme_parks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    county: Mapped[str] = mapped_column(String(6), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    registered_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProgrammeParkEvaluation(Base):
    """Scores on the four criteria with the weights used, and the tier they gave."""

    __tablename__ = "programme_park_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(
        ForeignKey("programme_parks.id", ondelete="CASCADE"), index=True
    )
    evaluated_on: Mapped[date] = mapped_column(Date)
    industry: Mapped[float] = mapped_column(Float)
    prospects: Mapped[float] = mapped_column(Float)
    innovation: Mapped[float] = mapped_column(Float)
    environment: Mapped[float] = mapped_column(Float)
    weight_industry: Mapped[float] = mapped_column(Float)
    weight_prospects: Mapped[float] = mapped_column(Float)
    weight_innovation: Mapped[float] = mapped_column(Float)
    weight_environment: Mapped[float] = mapped_column(Float)
    total: Mapped[float] = mapped_column(Float)
    tier: Mapped[str] = mapped_column(String(16))
    evaluated_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProgrammeParkEnterprise(Base):
    """An enterprise resident in a park, by its 统一社会信用代码."""

    __tablename__ = "programme_park_enterprises"

    park_id: Mapped[int] = mapped_column(
        ForeignKey("programme_parks.id", ondelete="CASCADE"), primary_key=True
    )
    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True, index=True)


class ProgrammeTrainingEvent(Base):
    """A training event (十九) held by an organiser department."""

    __tablename__ = "programme_training_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    organiser_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    hours: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProgrammeTrainingAttendee(Base):
    """A person at an event: personal data, shown unmasked only to the organiser and admins."""

    __tablename__ = "programme_training_attendees"
    __table_args__ = (UniqueConstraint("event_id", "id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("programme_training_events.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    employer_code: Mapped[str | None] = mapped_column(String(18))
    certificate: Mapped[str | None] = mapped_column(String(60))


class ProgrammeTalentEntry(Base):
    """A member of a provincial or municipal talent programme (人才工程)."""

    __tablename__ = "programme_talent_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12))
    programme: Mapped[str] = mapped_column(String(200))
    employer_code: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
