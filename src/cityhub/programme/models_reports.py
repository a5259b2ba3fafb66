"""Tables of the programme office: progress reports, their figures and attachments.

Reports are never changed or deleted: a correction is a new report whose ``corrects_id`` names
the report it replaces. ``corrects_id`` is unique, so a correction chain never forks.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from cityhub.db.base import Base, UTCDateTime, utcnow


class ProgrammeReport(Base):
    """A unit's progress report on a task for one period ('2021-Q3' or '2021-07')."""

    __tablename__ = "programme_reports"
    # One original per task, unit and period, also under concurrent submissions; corrections
    # (``corrects_id`` set) add to the period's chain.
    __table_args__ = (
        Index(
            "uq_programme_reports_original",
            "task_id",
            "department_id",
            "period",
            unique=True,
            sqlite_where=text("corrects_id IS NULL"),
            postgresql_where=text("corrects_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("programme_tasks.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("programme_reports.id"), unique=True)


class ProgrammeReportFigure(Base):
    """A figure a report gives for one target (also recorded as the target's value)."""

    __tablename__ = "programme_report_figures"
    __table_args__ = (UniqueConstraint("report_id", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("programme_reports.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("programme_targets.id"), index=True)
    value: Mapped[float] = mapped_column(Float)


class ProgrammeReportAttachment(Base):
    """A file of a report; its bytes live at ``<data_dir>/programme/attachments/<sha256>``."""

    __tablename__ = "programme_report_attachments"
    __table_args__ = (UniqueConstraint("report_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("programme_reports.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, … in the order they were sent
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
