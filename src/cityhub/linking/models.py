"""Tables of record linking: runs, and the pairs of a run that a person should look at."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cityhub.db.base import Base, UTCDateTime, utcnow


class LinkRun(Base):
    """One linking run: what was linked, with which settings, what came out, and how long."""

    __tablename__ = "link_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # legal_entity or person
    # [{dataset, version, columns: {key, name, address, legal_rep, phone, credit_code|id_number}}]
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    threshold: Mapped[float] = mapped_column(Float)
    review_lower: Mapped[float] = mapped_column(Float)
    review_upper: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), index=True)  # running, finished, failed
    error: Mapped[str | None] = mapped_column(Text)
    # pairs, links, clusters, model parameters, timings per step (seconds)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    department: Mapped[str] = mapped_column(String(32), index=True)  # owns the output
    output_dataset: Mapped[str] = mapped_column(String(100))
    output_version: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LinkPair(Base):
    """A pair of records from a run's review band, and a reviewer's decision on it.

    Left and right are ordered (dataset, key) so that the same two records always make the same
    pair; a decision carries over to later runs that meet the pair again.
    """

    __tablename__ = "link_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("link_runs.id"), index=True)
    left_dataset: Mapped[str] = mapped_column(String(100))
    left_key: Mapped[str] = mapped_column(String(200))
    right_dataset: Mapped[str] = mapped_column(String(100))
    right_key: Mapped[str] = mapped_column(String(200))
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    # both records' values as compared, and the level each comparison reached
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(16), index=True)  # same, different
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
