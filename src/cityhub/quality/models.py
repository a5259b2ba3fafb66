"""Tables of data quality: rule sets per dataset, reports per version, quarantined rows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cityhub.db.base import Base, UTCDateTime, utcnow


class Trigger(StrEnum):
    """What produced a quality report."""

    INGEST = "ingest"  # the rows of an upload (or of a re-admission), screened before commit
    ON_DEMAND = "on_demand"  # a stored version, checked when a steward asked


class RowStatus(StrEnum):
    """Where a quarantined row is in its life: held until a steward re-admits or discards it."""

    HELD = "held"
    READMITTED = "readmitted"
    DISCARDED = "discarded"


class QualityRuleSet(Base):
    """One version of a dataset's rules and cleaning steps (the JSON shape of ``RuleSet``)."""

    __tablename__ = "quality_rule_sets"
    __table_args__ = (UniqueConstraint("dataset_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    cleaning: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QualityReport(Base):
    """The outcome of one rule set over the rows of one version: per rule, per column, overall.

    ``results`` holds ``{"rules": [...], "columns": {...}, "notes": [...]}`` (see
    ``cityhub.quality.evaluate.Evaluation.results``); ``score`` is None when nothing was checked.
    """

    __tablename__ = "quality_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    ruleset_number: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(16))
    rows_checked: Mapped[int] = mapped_column(BigInteger)
    rows_failed: Mapped[int] = mapped_column(BigInteger)
    rows_quarantined: Mapped[int] = mapped_column(BigInteger)
    score: Mapped[float | None] = mapped_column(Float)
    results: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuarantinedRow(Base):
    """A row that failed a blocking rule at ingest: kept with its reasons, never deleted.

    ``row_number`` is the data row of the upload (1-based, the header not counted); ``values``
    are the row after cleaning, as JSON (dates as ISO text); ``reasons`` one entry per failed
    rule with messages in Chinese and English.
    """

    __tablename__ = "quarantined_rows"
    # Listing a dataset's held rows is the common query; the index also serves the foreign key.
    __table_args__ = (Index(None, "dataset_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"))
    version_number: Mapped[int] = mapped_column(Integer)
    row_number: Mapped[int] = mapped_column(BigInteger)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=RowStatus.HELD.value)
    fixed_values: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    note: Mapped[str] = mapped_column(Text, default="")  # why it was discarded
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    readmitted_in_version: Mapped[int | None] = mapped_column(Integer)
