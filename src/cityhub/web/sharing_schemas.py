"""JSON shapes of the sharing API: requests, decisions, figures, notifications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cityhub import sharing
from cityhub.sharing import RequestStatus


class SharingRequestCreate(BaseModel):
    """A department's request to read a 有条件共享 dataset."""

    dataset: str = Field(description="The dataset's name (or package/resource id).")
    purpose: str = Field(description="What the data is for (用途), at least 10 characters.")
    days: int = Field(description="How long the department needs it, 1–365 days.")
    columns: list[str] | None = Field(default=None, description="Columns wanted; empty: all.")


class SharingApprove(BaseModel):
    """An approval, maybe narrower than asked."""

    columns: list[str] | None = Field(
        default=None, description="Columns granted; empty: those asked for."
    )
    days: int | None = Field(default=None, description="Days granted; empty: those asked for.")


class SharingRefuse(BaseModel):
    """A refusal: the reason is told to the requester."""

    reason: str


class ColumnChoicePublic(BaseModel):
    """A column of the requested dataset."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    label: str
    personal: str | None


class SharingRequestPublic(BaseModel):
    """A sharing request with its status now (``expired`` once the grant's period is over)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    dataset: str
    dataset_title: str
    owner: str
    owner_name_zh: str
    owner_name_en: str
    department: str
    department_name_zh: str
    department_name_en: str
    requested_by: str
    purpose: str
    columns: list[str] | None
    days: int
    status: RequestStatus
    created_at: datetime
    due_at: datetime = Field(description="The legal response deadline (24:00 of due_day).")
    due_day: date = Field(description="The last working day to answer on (China time).")
    overdue: bool
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    approved_columns: list[str] | None
    grant_expires_at: datetime | None
    dataset_columns: list[ColumnChoicePublic]


class DepartmentMetricsPublic(BaseModel):
    """A department's sharing figures."""

    model_config = ConfigDict(from_attributes=True)

    department: str
    name_zh: str
    name_en: str
    received: int
    approved: int
    refused: int
    withdrawn: int
    pending: int
    overdue: int
    late: int
    average_response_days: float | None = Field(description="In working days.")
    sent: int


class NotificationPublic(BaseModel):
    """A notification; its text is the message ``sharing.notice.<kind>`` with ``params``."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    request_id: int | None
    params: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
    to_department: bool = Field(description="True: addressed to the department's stewards.")


def request_public(found: sharing.RequestView) -> SharingRequestPublic:
    """The API shape of a request."""
    return SharingRequestPublic.model_validate(found)


def notification_public(notice: sharing.Notification) -> NotificationPublic:
    """The API shape of a notification."""
    return NotificationPublic(
        id=notice.id,
        kind=notice.kind,
        request_id=notice.request_id,
        params=notice.params,
        created_at=notice.created_at,
        read_at=notice.read_at,
        to_department=notice.department_id is not None,
    )
