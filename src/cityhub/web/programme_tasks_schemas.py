"""JSON shapes of the programme tasks API: tasks with units and milestones, and their edits."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from cityhub.programme import tasks


class MilestonePublic(BaseModel):
    """A dated step of a task; origin 'policy' comes from the policy's text, 'admin' was added."""

    id: int
    task_number: int
    title: str
    owner: str = Field(description="Department code of the unit that owns the milestone.")
    start_on: date | None
    due_on: date
    done_on: date | None
    origin: Literal["policy", "admin"]
    clause: str | None = Field(description="The policy's sentence (or the admin's note).")
    status: Literal["done", "overdue", "open"] = Field(description="As of today in the city.")


class TaskPublic(BaseModel):
    """One of the policy's 19 tasks with its responsible units, lead first."""

    number: int
    section: str
    section_title: str
    title: str
    text: str
    lead: str
    lead_name_zh: str
    lead_name_en: str
    units: list[str]
    report_period: Literal["monthly", "quarterly"]
    reporting_from: date
    milestones: list[MilestonePublic]


class TaskUpdate(BaseModel):
    """Changes to a task; omitted fields stay. The lead is always made the first unit."""

    title: str | None = None
    report_period: Literal["monthly", "quarterly"] | None = None
    lead: str | None = Field(default=None, description="Department code of the new lead unit.")
    units: list[str] | None = Field(default=None, description="Department codes of all units.")
    reporting_from: date | None = None


class MilestoneCreate(BaseModel):
    """A new milestone of a task."""

    title: str
    owner: str = Field(description="Department code.")
    due_on: date
    clause: str | None = None


class MilestoneUpdate(BaseModel):
    """Changes to a milestone; a policy milestone keeps its title and due date."""

    title: str | None = None
    owner: str | None = None
    due_on: date | None = None
    done_on: date | None = Field(default=None, description="Marks the milestone done.")
    reopen: bool = Field(default=False, description="Clears done_on.")


def milestone_public(view: tasks.MilestoneView, today: date) -> MilestonePublic:
    """The API form of a milestone."""
    return MilestonePublic(
        id=view.id,
        task_number=view.task_number,
        title=view.title,
        owner=view.owner,
        start_on=view.start_on,
        due_on=view.due_on,
        done_on=view.done_on,
        origin="policy" if view.origin == "policy" else "admin",
        clause=view.clause,
        status=view.status(today),
    )


def task_public(view: tasks.TaskView, today: date) -> TaskPublic:
    """The API form of a task."""
    return TaskPublic(
        number=view.number,
        section=view.section,
        section_title=view.section_title,
        title=view.title,
        text=view.text,
        lead=view.lead,
        lead_name_zh=view.lead_name_zh,
        lead_name_en=view.lead_name_en,
        units=list(view.units),
        report_period="monthly" if view.report_period == "monthly" else "quarterly",
        reporting_from=view.reporting_from,
        milestones=[milestone_public(m, today) for m in view.milestones],
    )
