"""Operator commands: ``config``, ``db upgrade``, ``users`` and ``tokens``.

The operator at the server's shell acts as the platform itself (``Actor.system()``); every change
is audited under that name.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from cityhub import auth
from cityhub.cli.context import open_database, open_platform
from cityhub.cli.output import console
from cityhub.config import Settings, get_settings
from cityhub.db import current_revision

db_app = typer.Typer(help="The metadata database.", no_args_is_help=True)
users_app = typer.Typer(help="Users: add, list, disable.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)


def config() -> None:
    """Print the effective settings (secrets hidden) with what each one means."""
    settings = get_settings()
    table = Table("setting", "value", "meaning")
    for name, value in settings.effective().items():
        help_text = Settings.model_fields[name].description or ""
        table.add_row(f"CITYHUB_{name.upper()}", str(value), help_text)
    console.print(table)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations up to the newest one."""
    with open_database(get_settings()) as db:
        console.print(f"database at revision {current_revision(db)}")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name: letters, digits, '.', '_', '-'.")],
    department: Annotated[str, typer.Option(help="Department code, e.g. SLJ (see /departments).")],
    role: Annotated[
        auth.Role,
        typer.Option(
            help="admin, steward, analyst, station (a sensor gateway) or recorder (a trace actor)."
        ),
    ],
    display_name: Annotated[str | None, typer.Option(help="Name shown in the UI.")] = None,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password.")
    ] = "",
) -> None:
    """Add a user to a department with a role."""
    with open_platform(get_settings()) as db:
        user = auth.create_user(
            db,
            auth.Actor.system(),
            username=username,
            password=password,
            department_code=department,
            role=role,
            display_name=display_name,
        )
        console.print(f"created user {user.username} ({user.role}, {user.department.code})")


@users_app.command("list")
def users_list() -> None:
    """List every user."""
    with open_platform(get_settings()) as db:
        table = Table("username", "name", "department", "role", "active", "last login")
        for user in auth.list_users(db, auth.Actor.system()):
            last = user.last_login_at.isoformat(timespec="seconds") if user.last_login_at else "-"
            table.add_row(
                user.username,
                user.display_name,
                user.department.code,
                user.role,
                str(user.is_active),
                last,
            )
        console.print(table)


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="The user to disable.")]) -> None:
    """Disable a user: no more logins, tokens stop working, web sessions end."""
    with open_platform(get_settings()) as db:
        user = auth.update_user(db, auth.Actor.system(), username, auth.UserChange(is_active=False))
        console.print(f"disabled user {user.username}")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Option(help="The user who will hold the token.")],
    name: Annotated[str, typer.Option(help="What the token is for.")],
    days: Annotated[
        int | None, typer.Option(help="Lifetime in days (default: CITYHUB_TOKEN_LIFETIME_DAYS).")
    ] = None,
) -> None:
    """Create an API token for a user and print it once."""
    settings = get_settings()
    with open_platform(settings) as db:
        lifetime = timedelta(days=days or settings.token_lifetime_days)
        issued = auth.create_token(
            db, auth.Actor.system(), name=name, lifetime=lifetime, username=user
        )
        console.print(
            f"token {issued.token.id} for {user}, "
            f"expires {issued.token.expires_at:%Y-%m-%d %H:%M} UTC"
        )
        console.print("store it now, it is not shown again:")
        typer.echo(issued.secret)


@tokens_app.command("list")
def tokens_list(user: Annotated[str, typer.Option(help="Whose tokens to list.")]) -> None:
    """List a user's tokens (never their secrets)."""
    with open_platform(get_settings()) as db:
        table = Table("id", "name", "prefix", "created", "expires", "revoked", "last used")
        for token in auth.list_tokens(db, auth.Actor.system(), username=user):
            table.add_row(
                str(token.id),
                token.name,
                token.prefix + "…",
                f"{token.created_at:%Y-%m-%d}",
                f"{token.expires_at:%Y-%m-%d}",
                f"{token.revoked_at:%Y-%m-%d}" if token.revoked_at else "-",
                f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "-",
            )
        console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see tokens list).")],
) -> None:
    """Revoke a token at once."""
    with open_platform(get_settings()) as db:
        token = auth.revoke_token(db, auth.Actor.system(), token_id)
        console.print(f"revoked token {token.id} ({token.name})")
