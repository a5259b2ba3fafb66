"""Opening the platform from the CLI: settings, migrated database, first start."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cityhub import auth
from cityhub.cli.output import err_console
from cityhub.config import Settings
from cityhub.db import Database, upgrade
from cityhub.db.locks import LockKind, holding
from cityhub.programme.setup import ensure_programme


@contextmanager
def open_database(settings: Settings) -> Iterator[Database]:
    """The database the settings name, migrated to the newest revision; closed after the block."""
    db = Database(settings.database_url_effective)
    try:
        with holding(db, LockKind.STARTUP, 0):  # processes started at once migrate in turn
            upgrade(db)
        yield db
    finally:
        db.dispose()


@contextmanager
def open_platform(settings: Settings) -> Iterator[Database]:
    """The migrated database with departments and the first admin in place."""
    db = Database(settings.database_url_effective)
    try:
        with holding(db, LockKind.STARTUP, 0):  # and make the first start's rows once
            upgrade(db)
            _first_start(db, settings)
        yield db
    finally:
        db.dispose()


def _first_start(db: Database, settings: Settings) -> None:
    password = settings.admin_password.get_secret_value() if settings.admin_password else None
    result = auth.bootstrap(db, admin_password=password)
    ensure_programme(db)  # the policy's tasks and targets are there from the start
    if result.generated_password:
        err_console.print(
            f"[bold]first start:[/bold] created user '{auth.ADMIN_USERNAME}' with password "
            f"[bold]{result.generated_password}[/bold] — it is shown this once; "
            "set CITYHUB_ADMIN_PASSWORD to choose it instead.",
            highlight=False,
        )
    elif result.admin_created:
        err_console.print(
            f"first start: created user '{auth.ADMIN_USERNAME}' with CITYHUB_ADMIN_PASSWORD"
        )
