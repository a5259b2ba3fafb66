"""Tables of the programme office: targets (KPIs) and their measured values."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cityhub.db.base import Base, UTCDateTime, utcnow


class ProgrammeTarget(Base):
    """A KPI: from ``baseline`` on ``baseline_on`` to ``target_value`` by ``deadline``.

    ``source`` says where its values come from: typed in ('manual', also figures of reports),
    a saved query over pool datasets ('sql'), or a registry count ('registry', ``measure``).
    """

    __tablename__ = "programme_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    unit_zh: Mapped[str] = mapped_column(String(40))
    unit_en: Mapped[str] = mapped_column(String(40))
    baseline: Mapped[float] = mapped_column(Float)
    baseline_on: Mapped[date] = mapped_column(Date)
    target_value: Mapped[float] = mapped_column(Float)
    deadline: Mapped[date] = mapped_column(Date)
    owner_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_tasks.id", ondelete="SET NULL"), index=True
    )
    direction: Mapped[str] = mapped_column(String(4), default="up")
    source: Mapped[str] = mapped_column(String(10), default="manual")
    sql: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(String(40))
    path: Mapped[str] = mapped_column(String(10), default="linear")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProgrammeTargetValue(Base):
    """One measured value of a target; values are added, never changed."""

    __tablename__ = "programme_target_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(
        ForeignKey("programme_targets.id", ondelete="CASCADE"), index=True
    )
    measured_on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(10))
    source_ref: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(64))
