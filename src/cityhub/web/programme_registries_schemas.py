"""JSON shapes of the registries API: projects, parks, training events and talent entries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

Domain = Literal["agri", "manufacturing", "services", "industrialisation"]
Kind = Literal["info_network", "it_services", "ecommerce", "other"]
Status = Literal["planned", "building", "done"]
Screening = Literal["submitted", "screened", "selected", "rejected"]


class ProjectCreate(BaseModel):
    """A project to register; ``department`` only for admins (stewards register their own)."""

    name: str
    owner_code: str = Field(description="统一社会信用代码 of the owner enterprise.")
    owner_name: str
    county: str = Field(description="GB/T 2260 code of one of the city's 8 counties.")
    domain: str = Field(description="agri | manufacturing | services | industrialisation")
    kind: str = Field(description="info_network | it_services | ecommerce | other")
    investment: float = Field(description="万元, ≥ 0.")
    start_on: date
    end_on: date
    status: str = "planned"
    provincial_major: bool = False
    city_key: bool = False
    land_priority: bool = False
    department: str | None = None
    submitted_on: date | None = None


class StepPublic(BaseModel):
    """One screening transition."""

    from_state: Screening | None
    to_state: Screening
    reason: str | None
    decided_on: date
    decided_by: str
    recorded_at: datetime


class ProjectPublic(BaseModel):
    """A project with its screening state and history."""

    id: int
    name: str
    owner_code: str
    owner_name: str
    county: str
    domain: Domain
    kind: Kind
    investment: float
    start_on: date
    end_on: date
    status: Status
    provincial_major: bool
    city_key: bool
    land_priority: bool
    screening: Screening
    reason: str | None
    department: str
    submitted_on: date
    history: list[StepPublic]


class Decision(BaseModel):
    """A screening decision (admins): to 'screened', 'selected' or 'rejected' (with reason)."""

    to: str = Field(description="screened | selected | rejected")
    reason: str | None = None
    on: date | None = Field(default=None, description="The day of the decision; today if omitted.")


class ParkCreate(BaseModel):
    """A park to register (admins)."""

    name: str
    county: str
    department: str | None = None
    registered_on: date | None = None
    residents: list[str] = Field(default_factory=list, description="Credit codes.")


class EvaluationCreate(BaseModel):
    """Scores 0–100 on the four criteria; weights (summing to 1) default to 0.3/0.25/0.25/0.2."""

    scores: dict[str, float] = Field(description="industry, prospects, innovation, environment")
    weights: dict[str, float] | None = None
    on: date | None = None


class Residents(BaseModel):
    """The park's resident enterprises (replaces the list)."""

    residents: list[str]


class EvaluationPublic(BaseModel):
    """The latest evaluation of a park, with the tier and why."""

    evaluated_on: date
    evaluated_by: str
    scores: dict[str, float]
    weights: dict[str, float]
    total: float
    tier: Literal["demonstration", "growth", "candidate"]
    tier_zh: str
    tier_en: str
    below_bar: list[str]
    explanation_zh: str
    explanation_en: str


class ParkPublic(BaseModel):
    """A park with its residents and latest evaluation."""

    id: int
    name: str
    county: str
    department: str
    registered_on: date
    residents: list[str]
    evaluation: EvaluationPublic | None


class EventCreate(BaseModel):
    """A training event; ``organiser`` only for admins (stewards organise for their own)."""

    title: str
    held_on: date
    hours: float
    kind: str = Field(description="course | lecture | forum")
    organiser: str | None = None


class AttendeeIn(BaseModel):
    """An attendee to add."""

    name: str
    id_number: str
    phone: str | None = None
    employer_code: str | None = None
    certificate: str | None = None


class AttendeePublic(BaseModel):
    """An attendee; name, ID number and phone masked unless the caller is the organiser or an
    admin (``masked`` says which)."""

    id: int
    name: str
    id_number: str
    phone: str | None
    employer_code: str | None
    certificate: str | None
    masked: bool


class EventPublic(BaseModel):
    """A training event with its counts (and attendees on the single-event read)."""

    id: int
    title: str
    organiser: str
    held_on: date
    hours: float
    kind: str
    attendee_count: int
    certified_count: int
    attendees: list[AttendeePublic]


class TalentCreate(BaseModel):
    """A talent-programme entry; ``department`` only for admins."""

    person_name: str
    level: str = Field(description="provincial | municipal")
    programme: str
    employer_code: str
    year: int
    department: str | None = None


class TalentPublic(BaseModel):
    """A talent-programme entry."""

    id: int
    person_name: str
    level: Literal["provincial", "municipal"]
    programme: str
    employer_code: str
    year: int
    department: str
