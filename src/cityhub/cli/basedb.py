"""``cityhub datasets templates`` and ``cityhub datasets from-template``: the six base databases."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cityhub import auth
from cityhub.catalog import templates
from cityhub.cli.context import open_platform
from cityhub.cli.output import console
from cityhub.config import get_settings


def list_templates() -> None:
    """List the base-database templates with their standard columns and preset rules."""
    table = Table("key", "title", "resource class", "columns", "rules", "standards")
    for t in templates.list_templates():
        table.add_row(
            t.key,
            t.title,
            t.resource_class.value,
            str(len(t.columns)),
            str(len(t.rules)),
            "; ".join(t.standards[:2]),
        )
    console.print(table)


def from_template(
    key: Annotated[str, typer.Argument(help="Template key (see `datasets templates`).")],
    name: Annotated[str, typer.Argument(help="URL name of the new dataset: a-z, 0-9, '-', '_'.")],
    department: Annotated[str, typer.Option(help="Owner department code, e.g. SCJGJ.")],
    title: Annotated[
        str | None, typer.Option(help="Chinese title (default: the template's).")
    ] = None,
    legal_entities: Annotated[
        str | None,
        typer.Option(
            help="Dataset the credit-code reference rule checks (default legal-entities)."
        ),
    ] = None,
) -> None:
    """Create a dataset from a template: standard columns and preset quality rules."""
    bases = {"legal_entity": legal_entities} if legal_entities else {}
    with open_platform(get_settings()) as db:
        dataset = templates.create_from_template(
            db, auth.Actor.system(), key, name, department, bases=bases, title=title
        )
        console.print(
            f"created dataset {dataset.name} ({dataset.department.code}) from template {key}: "
            f"{len(dataset.columns)} columns, quality rules set",
            highlight=False,
        )
