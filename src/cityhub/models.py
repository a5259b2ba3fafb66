"""Every table of the metadata database, imported in one place for Alembic."""

from cityhub.audit.models import AuditEvent
from cityhub.auth.models import ApiToken, Department, LoginThrottle, User, WebSession

__all__ = ["ApiToken", "AuditEvent", "Department", "LoginThrottle", "User", "WebSession"]
