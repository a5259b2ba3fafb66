"""Every table of the metadata database, imported in one place for Alembic."""

from cityhub.audit.models import AuditEvent
from cityhub.auth.models import ApiToken, Department, LoginThrottle, User, WebSession
from cityhub.catalog.models import Dataset, DatasetColumn, DatasetVersion, SharingGrant

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Dataset",
    "DatasetColumn",
    "DatasetVersion",
    "Department",
    "LoginThrottle",
    "SharingGrant",
    "User",
    "WebSession",
]
