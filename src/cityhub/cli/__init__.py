"""The ``cityhub`` command line: thin commands over the services, errors mapped to exit codes."""

from __future__ import annotations

import sys

import typer

from cityhub.cli import (
    admin,
    backup,
    basedb,
    data,
    derived,
    linking,
    programme,
    quality,
    registry,
    server,
    simulate,
    trace,
    witness,
)
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
app.command()(server.worker)
app.command()(server.demo)
app.command()(admin.config)
app.command("ingest")(data.ingest_file)
app.command("validate")(registry.validate)
data.datasets_app.command("templates")(basedb.list_templates)
data.datasets_app.command("from-template")(basedb.from_template)
app.add_typer(data.datasets_app, name="datasets")
app.add_typer(derived.derived_app, name="derived")
app.add_typer(linking.linking_app, name="linking")
app.add_typer(quality.quality_app, name="quality")
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.users_app, name="users")
app.add_typer(admin.tokens_app, name="tokens")
app.add_typer(simulate.simulate_app, name="simulate")
app.add_typer(trace.trace_app, name="trace")
app.add_typer(witness.witness_app, name="witness")
app.add_typer(programme.programme_app, name="programme")
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a ``CityhubError`` becomes a one-line message and its exit code.

    Typer's standalone mode handles usage errors (exit 2), ``typer.Exit`` and Ctrl-C itself;
    it has to, because Typer bundles its own copy of Click whose exception classes are not
    ``click``'s.
    """
    try:
        app(args=argv, standalone_mode=True)
    except CityhubError as exc:
        err_console.print(f"[red]error:[/red] {exc.message}", highlight=False)
        for key, value in exc.details.items():
            err_console.print(f"  {key}: {value}", highlight=False)
        sys.exit(exit_code_of(exc))


__all__ = ["app", "main"]
