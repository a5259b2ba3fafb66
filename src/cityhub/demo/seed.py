"""Seeding the whole demo city."""

from __future__ import annotations

from dataclasses import dataclass

from cityhub.db import Database
from cityhub.demo.accounts import DemoUser, seed_accounts


@dataclass(frozen=True)
class DemoReport:
    """What seeding added this time (nothing on a second run)."""

    users_created: list[DemoUser]


def seed(db: Database) -> DemoReport:
    """Add the demo data that is missing; safe to run any number of times."""
    return DemoReport(users_created=seed_accounts(db))
