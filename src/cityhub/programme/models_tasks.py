"""Tables of the programme office: the policy's tasks, their responsible units, milestones."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cityhub.db.base import Base, UTCDateTime, utcnow

REPORTING_FROM = date(2020, 4, 7)  # the policy's date: reporting periods count from it


class ProgrammeTask(Base):
    """One of the policy's numbered tasks (1–19); ``text`` is its paragraph without the units."""

    __tablename__ = "programme_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    section: Mapped[str] = mapped_column(String(4))
    section_title: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    report_period: Mapped[str] = mapped_column(String(10), default="quarterly")
    reporting_from: Mapped[date] = mapped_column(Date, default=REPORTING_FROM)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProgrammeTaskUnit(Base):
    """A responsible unit (责任单位) of a task; exactly one per task has ``is_lead``."""

    __tablename__ = "programme_task_units"
    __table_args__ = (UniqueConstraint("task_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("programme_tasks.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order as the policy lists them


class ProgrammeMilestone(Base):
    """A dated step of a task: from the policy's text (origin 'policy') or added by an admin."""

    __tablename__ = "programme_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("programme_tasks.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    owner_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    start_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    done_on: Mapped[date | None] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(10), default="admin")
    clause: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
