"""Tables of the programme office: enterprises' declared facts for the incentive rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cityhub.auth.models import Department
from cityhub.db.base import Base, UTCDateTime, utcnow


class IncentiveDeclaration(Base):
    """What an enterprise declared for the incentive rules (one row per credit code).

    Changes overwrite the row; the audit log keeps every version (``programme.incentives.declare``
    with the facts as details). ``project_kinds`` and ``key_project_lists`` are lists of the
    ``ProjectKind`` and ``Level`` values.
    """

    __tablename__ = "programme_incentive_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    enterprise_name: Mapped[str | None] = mapped_column(String(200))
    small_scale_vat: Mapped[bool | None] = mapped_column(Boolean)
    digital_tech: Mapped[bool | None] = mapped_column(Boolean)
    industry_code: Mapped[str | None] = mapped_column(String(8))
    provincial_members: Mapped[int] = mapped_column(Integer, default=0)
    municipal_members: Mapped[int] = mapped_column(Integer, default=0)
    long_term_employer: Mapped[bool | None] = mapped_column(Boolean)
    project_kinds: Mapped[list[Any]] = mapped_column(JSON, default=list)
    key_project_lists: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    recorded_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department | None] = relationship(lazy="joined")
