"""Sharing 有条件共享 datasets between departments: requests, approval, expiry, notifications.

A department asks for a dataset with a purpose, a period and maybe some columns; the owner
department answers within a number of working days (10 in Shandong); an approval becomes a grant
in the catalogue, limited to the approved columns and ending after the approved period. See
``docs/sharing.md``.
"""

from cityhub.sharing.inbox import (
    BOXES,
    Standing,
    get_request,
    list_requests,
    overdue,
    standing,
)
from cityhub.sharing.metrics import DepartmentMetrics, metrics
from cityhub.sharing.models import Notification, RequestStatus, SharingRequest
from cityhub.sharing.notifications import (
    NoticeKind,
    list_notifications,
    mark_read,
    unread_count,
)
from cityhub.sharing.requests import approve, refuse, request_access, withdraw
from cityhub.sharing.rules import MAX_DAYS, MIN_PURPOSE
from cityhub.sharing.views import ColumnChoice, RequestView
from cityhub.sharing.workdays import add_working_days, is_working_day, working_days_between

__all__ = [
    "BOXES",
    "MAX_DAYS",
    "MIN_PURPOSE",
    "ColumnChoice",
    "DepartmentMetrics",
    "NoticeKind",
    "Notification",
    "RequestStatus",
    "RequestView",
    "SharingRequest",
    "Standing",
    "add_working_days",
    "approve",
    "get_request",
    "is_working_day",
    "list_notifications",
    "list_requests",
    "mark_read",
    "metrics",
    "overdue",
    "refuse",
    "request_access",
    "standing",
    "unread_count",
    "withdraw",
    "working_days_between",
]
