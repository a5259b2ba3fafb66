"""Tables of derived datasets: their definitions and the lineage of every version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cityhub.auth.models import Department
from cityhub.catalog.models import Dataset
from cityhub.db.base import Base, UTCDateTime, utcnow


class DerivedDefinition(Base):
    """How a derived dataset is made: a SQL query over other datasets, and when to run it.

    ``department`` is whose reading rights the query runs with (the owner department);
    ``next_due_at`` is None for a manual schedule.
    """

    __tablename__ = "derived_definitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), unique=True)
    sql: Mapped[str] = mapped_column(Text)
    schedule: Mapped[str] = mapped_column(String(16))
    defined_by: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)

    dataset: Mapped[Dataset] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")


class LineageEdge(Base):
    """Version ``source_version`` of ``source`` went into version ``version`` of ``dataset``."""

    __tablename__ = "lineage_edges"
    __table_args__ = (UniqueConstraint("dataset_id", "version", "source_dataset_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    source_dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    source_version: Mapped[int] = mapped_column(Integer)
