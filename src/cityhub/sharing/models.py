"""Tables of the sharing workflow: requests for 有条件共享 datasets, and notifications."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cityhub.auth.models import Department
from cityhub.catalog.models import Dataset
from cityhub.db.base import Base, UTCDateTime, utcnow


class RequestStatus(StrEnum):
    """Where a sharing request stands.

    ``expired`` is never stored: an approved request whose grant has ended reads as expired,
    computed from the clock, like the grant itself.
    """

    PENDING = "pending"  # waiting for the owner department (待答复)
    APPROVED = "approved"  # granted, maybe for fewer columns or days (已同意)
    REFUSED = "refused"  # refused with a reason (已拒绝)
    WITHDRAWN = "withdrawn"  # the requesting department took it back (已撤回)
    EXPIRED = "expired"  # approved, and the grant's period is over (已到期)


class SharingRequest(Base):
    """A department's request to read a 有条件共享 dataset, and the owner's answer."""

    __tablename__ = "sharing_requests"
    __table_args__ = (
        # One open request per dataset and department; enforced by the database against races.
        Index(
            "uq_sharing_requests_pending",
            "dataset_id",
            "department_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text)
    columns: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    approved_columns: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    grant_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dataset: Mapped[Dataset] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")


class Notification(Base):
    """A message to one user or to a department's stewards; the text is a message id + params."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("(department_id IS NULL) <> (username IS NULL)", name="one_recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("sharing_requests.id"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
