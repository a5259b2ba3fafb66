"""The one table from ``cityhub.errors`` to process exit codes (BSD sysexits where one fits)."""

from __future__ import annotations

from cityhub.errors import (
    AccountLocked,
    CityhubError,
    ConfigurationError,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    StorageFull,
)

EXIT_CODES: dict[type[CityhubError], int] = {
    InvalidInput: 65,  # EX_DATAERR
    NotFound: 66,  # EX_NOINPUT
    Conflict: 73,  # EX_CANTCREAT
    AccountLocked: 75,  # EX_TEMPFAIL
    NotAuthenticated: 77,  # EX_NOPERM
    PermissionDenied: 77,  # EX_NOPERM
    ConfigurationError: 78,  # EX_CONFIG
    StorageFull: 74,  # EX_IOERR
}


def exit_code_of(error: CityhubError) -> int:
    """The exit code of an error: its nearest class in ``EXIT_CODES``, else 1."""
    for cls in type(error).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 1
