"""The metadata database: one SQLAlchemy code path for SQLite (default) and PostgreSQL."""

from cityhub.db.base import Base, UTCDateTime, utcnow
from cityhub.db.database import Database
from cityhub.db.migrate import current_revision, upgrade

__all__ = ["Base", "Database", "UTCDateTime", "current_revision", "upgrade", "utcnow"]
