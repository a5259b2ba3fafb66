"""The one exception hierarchy of cityhub, independent of HTTP and of the command line.

Web and CLI map these classes to status codes and exit codes, each in one table
(``cityhub.web.errors`` and ``cityhub.cli.errors``)::

    CityhubError
    ├── InvalidInput            bad value from the caller; ``details`` says where
    │   └── QueryRefused        SQL that the sandbox does not allow
    ├── NotAuthenticated        no valid credentials
    │   └── InvalidCredentials  wrong user name or password
    ├── AccountLocked           too many failed logins; retry later
    ├── PermissionDenied        authenticated, but not allowed
    ├── NotFound                no such object
    ├── Conflict                the object exists already, or its state forbids the change
    ├── QueryTimeout            a query ran past its time limit
    └── ConfigurationError      the platform is set up wrongly
"""

from __future__ import annotations

import errno
from typing import Any


class CityhubError(Exception):
    """Base class for every error this package raises on purpose.

    ``code`` is a stable machine-readable name; ``details`` carries structured context
    (which field, row, column) that clients may show.
    """

    code = "error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidInput(CityhubError):
    """A value from the caller is not acceptable."""

    code = "invalid_input"


class QueryRefused(InvalidInput):
    """SQL that the sandbox does not allow; ``details`` names the offending part."""

    code = "query_refused"


class QueryTimeout(CityhubError):
    """A query ran past its time limit and was interrupted."""

    code = "query_timeout"


class NotAuthenticated(CityhubError):
    """The caller gave no valid credentials."""

    code = "not_authenticated"


class InvalidCredentials(NotAuthenticated):
    """The user name or password is wrong, or the account is disabled."""

    code = "invalid_credentials"


class AccountLocked(CityhubError):
    """Too many failed logins for this account name; ``retry_after`` seconds to wait."""

    code = "account_locked"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class RateLimited(CityhubError):
    """Too many requests of one kind from one address; ``retry_after`` seconds to wait."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class StorageFull(CityhubError):
    """The disk of the data directory (or of a temporary file) is full; nothing was changed."""

    code = "storage_full"


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` is the operating system saying the disk or the quota is full."""
    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)


class PermissionDenied(CityhubError):
    """The caller is known but may not do this."""

    code = "permission_denied"


class NotFound(CityhubError):
    """The object asked for does not exist (or is not visible to the caller)."""

    code = "not_found"


class Conflict(CityhubError):
    """The object exists already, or its current state forbids the change."""

    code = "conflict"


class ConfigurationError(CityhubError):
    """The platform is configured wrongly; an operator must fix the settings."""

    code = "configuration_error"
