"""The ``cityhub`` command line: thin commands over the services, errors mapped to exit codes."""

from __future__ import annotations

import sys

import click
import typer

from cityhub.cli import admin, data, server
from cityhub.cli.errors import exit_code_of
from cityhub.cli.output import err_console
from cityhub.errors import CityhubError

app = typer.Typer(
    name="cityhub",
    help="cityhub: the data platform of the Liaocheng Big Data Bureau.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(server.serve)
app.command()(server.demo)
app.command()(admin.config)
app.command("ingest")(data.ingest_file)
app.add_typer(data.datasets_app, name="datasets")
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.users_app, name="users")
app.add_typer(admin.tokens_app, name="tokens")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a ``CityhubError`` becomes a one-line message and its exit code."""
    try:
        app(args=argv, standalone_mode=False)
    except CityhubError as exc:
        err_console.print(f"[red]error:[/red] {exc.message}", highlight=False)
        for key, value in exc.details.items():
            err_console.print(f"  {key}: {value}", highlight=False)
        sys.exit(exit_code_of(exc))
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        err_console.print("aborted")
        sys.exit(130)


__all__ = ["app", "main"]
