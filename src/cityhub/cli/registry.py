"""``cityhub validate KIND VALUE...``: the identifier validators on the command line."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from cityhub.auth import Actor
from cityhub.cli.output import console
from cityhub.registry import service


class Kind(StrEnum):
    """The kinds of ``cityhub.registry.validators.KINDS``, for Typer's choice list."""

    ID_CARD = "id_card"
    CREDIT_CODE = "credit_code"
    REGION_CODE = "region_code"
    PHONE = "phone"
    POSTAL_CODE = "postal_code"
    DATE = "date"


def validate(
    kind: Annotated[Kind, typer.Argument(help="What the values are.")],
    values: Annotated[list[str], typer.Argument(help="One or more values.")],
) -> None:
    """Validate and normalise values; exit code 0 when all are valid, 1 when any is not."""
    verdicts = service.check_many(Actor.system(), kind.value, values)
    table = Table()
    for header in ("value", "valid", "normalised", "reason", "reason (en)"):
        table.add_column(header, overflow="fold")  # codes wrap whole, never cut with an ellipsis
    for value, verdict in zip(values, verdicts, strict=True):
        table.add_row(
            value,
            "yes" if verdict.valid else "no",
            verdict.normalised or "",
            verdict.reason_zh or "",
            verdict.reason_en or "",
        )
    console.print(table)
    if not all(verdict.valid for verdict in verdicts):
        raise typer.Exit(1)
