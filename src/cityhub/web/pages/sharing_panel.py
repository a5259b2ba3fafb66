"""The sharing panel of the dataset page: the department's grant, its open request, the form."""

from __future__ import annotations

from typing import Any

from cityhub import catalog, sharing
from cityhub.auth import Actor
from cityhub.db import Database


def sharing_panel(
    db: Database, actor: Actor, dataset: catalog.Dataset, response_days: int
) -> dict[str, Any] | None:
    """What the panel shows, or None when the viewer has nothing to request here."""
    standing = sharing.standing(db, actor, dataset.name)
    if standing is None:
        return None
    return {
        "standing": standing,
        "columns": [(c.name, c.label, c.personal) for c in dataset.columns],
        "max_days": sharing.MAX_DAYS,
        "min_purpose": sharing.MIN_PURPOSE,
        "response_days": response_days,
    }
